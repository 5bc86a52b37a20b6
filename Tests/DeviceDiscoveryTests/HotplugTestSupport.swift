import Foundation
import Synchronization
@testable import DeviceDiscovery

/// Collects the events of a stream on a task of its own, so tests wait for
/// them with a deadline instead of awaiting `next()` forever.
final class EventCollector: Sendable {
    /// What the collecting task writes and the test reads.
    private final class Store: Sendable {
        let events = Mutex<[HotplugEvent]>([])
        let finished = Mutex(false)
    }

    private let store = Store()
    private let task: Task<Void, Never>

    init(_ stream: AsyncStream<HotplugEvent>) {
        task = Task { [store] in
            for await event in stream { store.events.withLock { $0.append(event) } }
            store.finished.withLock { $0 = true }
        }
    }

    deinit { task.cancel() }

    var events: [HotplugEvent] { store.events.withLock { $0 } }
    var finished: Bool { store.finished.withLock { $0 } }

    /// Waits until `condition` holds for the events so far, or `timeout`
    /// passes; returns whether it held.
    func wait(timeout: Duration, until condition: ([HotplugEvent]) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(events) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition(events)
    }

    /// Waits until the stream finished, or `timeout` passes.
    func waitForFinish(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, !finished { try? await Task.sleep(for: .milliseconds(10)) }
        return finished
    }
}

/// A pseudo-terminal standing in for a USB adapter, behind a symlink at a
/// stable path, as the simulator does: unplugging removes the link and closes
/// the pty; replugging opens a new pty behind the same link.
final class SimulatedPort {
    let linkPath: String
    private(set) var primary: Int32 = -1
    private(set) var secondary: Int32 = -1
    private(set) var nodePath: String?

    init(linkPath: String) { self.linkPath = linkPath }

    func plug() throws {
        var primary: Int32 = -1, secondary: Int32 = -1
        guard openpty(&primary, &secondary, nil, nil, nil) == 0, let name = ttyname(secondary) else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        self.primary = primary
        self.secondary = secondary
        nodePath = String(cString: name)
        unlink(linkPath)
        guard symlink(nodePath!, linkPath) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// Closes the pty (its /dev/pts node disappears) and, unless told
    /// otherwise, removes the link.
    func unplug(removeLink: Bool = true) {
        if removeLink { unlink(linkPath) }
        if secondary >= 0 { close(secondary) }
        if primary >= 0 { close(primary) }
        primary = -1
        secondary = -1
    }

    deinit { unplug() }
}

/// A fresh directory under /tmp for links, removed with its contents by `remove()`.
func makeScratchDirectory(_ name: String) throws -> String {
    let path = "/tmp/hepabus-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    return path
}
