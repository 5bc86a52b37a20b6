import DeviceDiscovery
import Foundation
internal import SystemCalls
import Synchronization

/// Watches a circuit's serial ports come and go, and says which bus each change is.
///
/// Two sources: the udev daemon's events where one runs (immediate, with the links our
/// rules make), and the port paths themselves, polled every 100 ms (works everywhere,
/// including containers and CI where no udev daemon runs, and for the simulator's ports,
/// which are links to pseudo-terminals). TCP buses have no port to watch: their loss
/// shows on the line itself.
final class PortWatch: Sendable {
    enum Change: Sendable {
        case removed(bus: String, reason: String)
        case added(bus: String)
    }

    /// How the ports are watched, in words (journalled when supervision starts).
    let notice: String
    private let paths: [String: String]
    private let presence: PortPresenceWatcher?
    private let monitor: HotplugMonitor?
    private let tasks = Mutex<[Task<Void, Never>]>([])
    /// Each bus port's device node when watching started (udev reports nodes, not our links).
    private let nodes: [String: String]

    init(endpoints: [String: BusEndpoint]) {
        var paths: [String: String] = [:]
        for (bus, endpoint) in endpoints {
            if case .serial(let path) = endpoint { paths[bus] = path }
        }
        self.paths = paths
        nodes = paths.compactMapValues { Self.resolve($0) }
        presence = paths.isEmpty ? nil : PortPresenceWatcher(
            ports: paths.map { PortPresenceWatcher.Port(path: $0.value, role: $0.key) }, period: .milliseconds(100))
        if !paths.isEmpty, SerialPortInfo.udevDaemonRunning, let monitor = try? HotplugMonitor(source: .udev) {
            self.monitor = monitor
            notice = "watching the ports of \(paths.keys.sorted().joined(separator: ", ")) through udev events and their paths (every 100 ms)"
        } else {
            monitor = nil
            notice = paths.isEmpty
                ? "no serial ports to watch: losses show on the lines themselves"
                : "no udev daemon runs: watching the port paths of \(paths.keys.sorted().joined(separator: ", ")) every 100 ms, and the lines themselves"
        }
    }

    deinit { stop() }

    /// Starts delivering changes to `handle`, one at a time in arrival order per source.
    func start(_ handle: @escaping @Sendable (Change) async -> Void) {
        var started: [Task<Void, Never>] = []
        if let presence {
            started.append(Task {
                for await event in presence.events {
                    guard let bus = event.role else { continue }
                    switch event.action {
                    case .remove: await handle(.removed(bus: bus, reason: "port \(self.paths[bus] ?? bus) gone"))
                    case .add: await handle(.added(bus: bus))
                    default: break
                    }
                }
            })
        }
        if let monitor {
            started.append(Task {
                for await event in monitor.events {
                    guard let bus = self.bus(of: event) else { continue }
                    switch event.action {
                    case .remove: await handle(.removed(bus: bus, reason: "udev: \(event.devicePath ?? bus) removed"))
                    case .add: await handle(.added(bus: bus))
                    default: break
                    }
                }
            })
        }
        tasks.withLock { $0 += started }
    }

    func stop() {
        presence?.stop()
        monitor?.stop()
        for task in tasks.withLock({ $0 }) { task.cancel() }
    }

    /// Whether a bus's port leads to a character device now (TCP buses: always).
    func isPresent(bus: String) -> Bool {
        guard let path = paths[bus] else { return true }
        return Self.resolve(path) != nil
    }

    /// The bus a udev event is about: by one of our links, or by the node it had at start.
    private func bus(of event: HotplugEvent) -> String? {
        for (bus, path) in paths {
            if event.symlinks.contains(path) || event.devicePath == path { return bus }
            if let node = nodes[bus], event.devicePath == node { return bus }
        }
        return nil
    }

    /// The character device a path leads to, nil if none.
    private static func resolve(_ path: String) -> String? {
        guard let resolved = FileSystem.resolvedPath(path), FileSystem.isCharacterDevice(resolved) else { return nil }
        return resolved
    }
}
