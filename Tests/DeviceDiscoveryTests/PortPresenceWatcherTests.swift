import Foundation
import Testing
@testable import DeviceDiscovery

/// The line-level fallback: a pty behind a symlink, unplugged and replugged
/// as the simulator does it. Every wait is bounded.
@Suite("Port presence watcher")
struct PortPresenceWatcherTests {
    @Test("unplug and replug of a pty behind a stable link arrive as remove then add, with the role")
    func unplugAndReplug() async throws {
        let directory = try makeScratchDirectory("presence")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = SimulatedPort(linkPath: directory + "/blood")
        try port.plug()
        let firstNode = try #require(port.nodePath)

        let watcher = PortPresenceWatcher(ports: [.init(path: port.linkPath, role: "blood")], period: .milliseconds(20))
        let collector = EventCollector(watcher.events)
        #expect(watcher.presentPaths == [port.linkPath])

        port.unplug()
        let removed = await collector.wait(timeout: .seconds(15)) { $0.contains { $0.action == .remove } }
        #expect(removed, "no remove within 15 s: \(collector.events)")
        let remove = try #require(collector.events.first)
        #expect(remove == HotplugEvent(action: .remove, origin: .presenceWatcher, devicePath: firstNode,
                                       symlinks: [port.linkPath], role: "blood"))
        #expect(watcher.presentPaths.isEmpty)

        try port.plug()
        let added = await collector.wait(timeout: .seconds(15)) { $0.contains { $0.action == .add } }
        #expect(added, "no add within 15 s: \(collector.events)")
        let add = try #require(collector.events.last)
        #expect(add.action == .add && add.role == "blood" && add.devicePath == port.nodePath)
        #expect(add.symlinks == [port.linkPath])
        #expect(collector.events.map(\.action) == [.remove, .add])

        watcher.stop()
        #expect(await collector.waitForFinish(timeout: .seconds(2)), "stream did not finish after stop()")
        watcher.stop()  // idempotent
    }

    @Test("a link left dangling (pty closed, link kept) is a remove; a link to a regular file is never present")
    func danglingAndWrongTargets() throws {
        let directory = try makeScratchDirectory("presence")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = SimulatedPort(linkPath: directory + "/plasma")
        try port.plug()
        let fileLink = directory + "/notATTY"
        #expect(FileManager.default.createFile(atPath: directory + "/file", contents: Data()))
        #expect(symlink(directory + "/file", fileLink) == 0)

        let watcher = PortPresenceWatcher(ports: [.init(path: port.linkPath, role: "plasma"), .init(path: fileLink)],
                                          period: .seconds(3600))
        defer { watcher.stop() }
        #expect(watcher.presentPaths == [port.linkPath])
        #expect(watcher.check().isEmpty, "nothing changed yet")

        port.unplug(removeLink: false)
        #expect(FileManager.default.fileExists(atPath: port.linkPath) == false)  // dangling now
        let events = watcher.check()
        #expect(events.map(\.action) == [.remove])
        #expect(events.first?.role == "plasma")
        #expect(watcher.check().isEmpty, "a remove is reported once")
    }

    @Test("a replug between two polls is seen as remove then add, not as continuity")
    func quickReplug() throws {
        let directory = try makeScratchDirectory("presence")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = SimulatedPort(linkPath: directory + "/heparin")
        try port.plug()
        let watcher = PortPresenceWatcher(ports: [.init(path: port.linkPath, role: "heparin")], period: .seconds(3600))
        defer { watcher.stop() }

        // The new pty may well get the same /dev/pts number; the new link is
        // still a new file. (The pause keeps the kernel's coarse timestamps apart.)
        let before = port.nodePath
        port.unplug()
        usleep(30_000)
        try port.plug()
        let events = watcher.check()
        #expect(events.map(\.action) == [.remove, .add], "\(events)")
        #expect(events.first?.devicePath == before)
        #expect(events.last?.devicePath == port.nodePath)

        // The link retargeted in place to another pty while the first still exists.
        let other = SimulatedPort(linkPath: directory + "/spare")
        try other.plug()
        unlink(port.linkPath)
        #expect(symlink(other.nodePath!, port.linkPath) == 0)
        #expect(watcher.check().map(\.action) == [.remove, .add])
    }

    @Test("a path absent at start produces no event until it appears")
    func absentAtStart() async throws {
        let directory = try makeScratchDirectory("presence")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = SimulatedPort(linkPath: directory + "/blood")
        let watcher = PortPresenceWatcher(ports: [.init(path: port.linkPath, role: "blood")], period: .milliseconds(20))
        let collector = EventCollector(watcher.events)
        #expect(watcher.presentPaths.isEmpty)
        try await Task.sleep(for: .milliseconds(100))
        #expect(collector.events.isEmpty)
        try port.plug()
        #expect(await collector.wait(timeout: .seconds(3)) { $0.map(\.action) == [.add] }, "\(collector.events)")
        watcher.stop()
    }

    @Test("releasing the watcher finishes its stream")
    func releaseFinishes() async throws {
        var watcher: PortPresenceWatcher? = PortPresenceWatcher(ports: [.init(role: "blood")], period: .milliseconds(10))
        let collector = EventCollector(watcher!.events)
        watcher = nil
        #expect(await collector.waitForFinish(timeout: .seconds(2)))
    }

    @Test("ports named by role watch the udev link /dev/hepabus/<role>")
    func rolePath() {
        #expect(PortPresenceWatcher.Port(role: "bloodPump") == .init(path: "/dev/hepabus/bloodPump", role: "bloodPump"))
    }
}
