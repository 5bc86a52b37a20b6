import Glibc
import Synchronization

/// Watches device paths (`/dev/hepabus/<role>` links, or nodes) by polling
/// them, and reports each one that stops or starts leading to a character
/// device as a `remove` or `add` ``HotplugEvent``.
///
/// The line-level fallback where no udev daemon runs (containers, CI) and the
/// simulator's ports, which are symlinks to pseudo-terminals: unplugging
/// removes the link and closes the pty; replugging makes a new pty behind the
/// same link. Also useful beside ``HotplugMonitor``, which cannot report
/// events it never receives.
///
/// A path is present when it resolves (`realpath`) to an existing character
/// device (`stat`). A port that was replaced between two polls (the link or
/// the node behind it is a different file) is reported as `remove` then
/// `add`, so a quick replug is not mistaken for continuity. A replug that
/// recreates the very same link inode and node inode within one period cannot
/// be seen here; the line's own errors still show it.
public final class PortPresenceWatcher: Sendable {
    /// One watched path and the role it stands for.
    public struct Port: Sendable, Hashable {
        /// The path to watch, usually a symlink.
        public var path: String
        /// The role reported in events; `nil` for none.
        public var role: String?

        /// Watches `path`, reporting `role`.
        public init(path: String, role: String? = nil) {
            self.path = path
            self.role = role
        }

        /// Watches the link our udev rules make for `role`, `/dev/hepabus/<role>`.
        public init(role: String) {
            self.init(path: "/dev/\(UdevRuleGenerator.linkDirectory)/\(role)", role: role)
        }
    }

    /// The watched ports.
    public let ports: [Port]
    /// The time between two polls.
    public let period: Duration
    /// The events, in order; finishes after ``stop()``. One consumer.
    public let events: AsyncStream<HotplugEvent>

    private let core: Core
    private let poller: Task<Void, Never>

    /// Starts watching `ports`, polling every `period`.
    ///
    /// The state at start is the baseline and produces no events: ask
    /// ``presentPaths`` for it. Polling runs until ``stop()`` or until the
    /// watcher is released.
    public init(ports: [Port], period: Duration = .milliseconds(250)) {
        self.ports = ports
        self.period = period
        let (stream, continuation) = AsyncStream.makeStream(of: HotplugEvent.self)
        events = stream
        let core = Core(ports: ports, continuation: continuation)
        self.core = core
        // The task holds the core, not the watcher, so releasing the watcher stops it.
        poller = Task.detached {
            while !Task.isCancelled {
                do { try await Task.sleep(for: period) } catch { break }
                _ = core.check()
            }
        }
        continuation.onTermination = { [poller] _ in poller.cancel() }
    }

    deinit { stop() }

    /// Polls every port now (besides the periodic polls) and returns the
    /// events found, which also go to ``events``.
    @discardableResult
    public func check() -> [HotplugEvent] { core.check() }

    /// The watched paths present at the last poll, sorted.
    public var presentPaths: [String] { core.presentPaths }

    /// Stops polling and finishes ``events``. Safe to call more than once.
    public func stop() {
        poller.cancel()
        core.finish()
    }

    /// The state shared by the polling task and callers.
    private final class Core: Sendable {
        let ports: [Port]
        let continuation: AsyncStream<HotplugEvent>.Continuation
        /// Each port's presence at the last poll, by index in `ports`.
        let presence: Mutex<[Presence?]>

        init(ports: [Port], continuation: AsyncStream<HotplugEvent>.Continuation) {
            self.ports = ports
            self.continuation = continuation
            presence = Mutex(ports.map { Presence.probe($0.path) })
        }

        var presentPaths: [String] {
            presence.withLock { states in zip(ports, states).compactMap { $1 == nil ? nil : $0.path } }.sorted()
        }

        func check() -> [HotplugEvent] {
            // Under the lock, so concurrent checks cannot report one change twice.
            let events = presence.withLock { states -> [HotplugEvent] in
                var events: [HotplugEvent] = []
                for (index, port) in ports.enumerated() {
                    let now = Presence.probe(port.path)
                    let before = states[index]
                    guard now != before else { continue }
                    if let before { events.append(event(.remove, port, before)) }
                    if let now { events.append(event(.add, port, now)) }
                    states[index] = now
                }
                return events
            }
            for event in events { continuation.yield(event) }
            return events
        }

        func finish() { continuation.finish() }

        private func event(_ action: HotplugEvent.Action, _ port: Port, _ presence: Presence) -> HotplugEvent {
            HotplugEvent(
                action: action, origin: .presenceWatcher, devicePath: presence.target,
                symlinks: presence.isLink ? [port.path] : [], role: port.role
            )
        }
    }
}

/// What a watched path led to at one poll. Equal values mean "the same port".
struct Presence: Sendable, Equatable {
    /// The resolved device node.
    var target: String
    /// Whether the watched path itself is a symlink.
    var isLink: Bool
    /// The link's file identity (device, inode, change time): a link removed
    /// and made again is a new file even when it points to the same name.
    var link: FileIdentity?
    /// The node's identity (device number, inode): a new pty, or a new
    /// devtmpfs node after replugging, is a new inode.
    var node: FileIdentity

    struct FileIdentity: Sendable, Equatable {
        var device: UInt64
        var inode: UInt64
        var changeSeconds: Int
        var changeNanoseconds: Int
    }

    /// The presence of `path` now, `nil` when it does not lead to a character device.
    static func probe(_ path: String) -> Presence? {
        var linkStatus = stat()
        guard lstat(path, &linkStatus) == 0 else { return nil }
        let isLink = (linkStatus.st_mode & S_IFMT) == S_IFLNK
        guard let resolved = realpath(path, nil) else { return nil }
        let target = String(cString: resolved)
        free(resolved)
        var nodeStatus = stat()
        guard stat(target, &nodeStatus) == 0, (nodeStatus.st_mode & S_IFMT) == S_IFCHR else { return nil }
        return Presence(
            target: target,
            isLink: isLink,
            link: isLink ? FileIdentity(
                device: UInt64(linkStatus.st_dev), inode: UInt64(linkStatus.st_ino),
                changeSeconds: linkStatus.st_ctim.tv_sec, changeNanoseconds: linkStatus.st_ctim.tv_nsec
            ) : nil,
            // Not the node's ctime: udev changing its mode or group is not a replug.
            node: FileIdentity(device: UInt64(nodeStatus.st_rdev), inode: UInt64(nodeStatus.st_ino),
                               changeSeconds: 0, changeNanoseconds: 0)
        )
    }
}
