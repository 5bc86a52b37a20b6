import Foundation
import Testing
@testable import DeviceDiscovery

/// The libudev monitor on this machine. A real uevent is provoked by writing
/// a synthetic `change` with a UUID to a real tty's `uevent` file (root only;
/// with a daemon, it merely re-runs the rules for that tty), so each test
/// recognises its own event. Every wait is bounded.
@Suite("Hotplug monitor", .serialized)
struct HotplugMonitorTests {
    /// The first real tty (ttyS0 here) and its uevent file.
    static func realTTY() throws -> (name: String, uevent: String) {
        let syspath = try #require(try UdevadmRulesTests.realTTYs().first)
        return ((syspath as NSString).lastPathComponent, syspath + "/uevent")
    }

    /// Asks the kernel to send a `change` uevent for the tty carrying `uuid`
    /// (it arrives as the property `SYNTH_UUID`).
    static func provokeChange(_ uevent: String, uuid: UUID) throws {
        try #require(geteuid() == 0, "writing \(uevent) needs root")
        try "change \(uuid.uuidString.lowercased())".write(toFile: uevent, atomically: false, encoding: .utf8)
    }

    @Test("availability states plainly whether a udev daemon runs and what the fallback is")
    func availabilityHere() throws {
        let availability = HotplugMonitor.availability
        #expect(availability.udevDaemonRunning == (access("/run/udev/control", F_OK) == 0))
        if !availability.udevDaemonRunning {
            #expect(availability.description.contains("no udev daemon runs (/run/udev/control is absent"))
            #expect(availability.description.contains("never arrive"))
            #expect(availability.description.contains("PortPresenceWatcher"))
        }
        // Binding the kernel's uevent group needs no privilege on Linux.
        #expect(availability.kernelSourceUsable, "\(availability.kernelSourceProblem ?? "")")
        #expect(availability.recommendedSource == (availability.udevDaemonRunning ? .udev : .kernel))
        print("note: \(availability)")
    }

    @Test("availability wording for each situation", arguments: [
        (true, true, HotplugMonitor.Source?.some(.udev), "udev daemon running"),
        (false, true, .some(.kernel), "Degraded alternative: the \"kernel\" netlink source"),
        (false, false, nil, "cannot be opened here either (EPERM)"),
    ])
    func availabilityWording(daemon: Bool, kernel: Bool, source: HotplugMonitor.Source?, phrase: String) {
        let availability = HotplugAvailability(udevDaemonRunning: daemon, kernelSourceUsable: kernel,
                                               kernelSourceProblem: kernel ? nil : "EPERM")
        #expect(availability.recommendedSource == source)
        #expect(availability.description.contains(phrase), "\(availability)")
    }

    @Test("the kernel source delivers a real uevent for a real tty, with its node and no role")
    func kernelSourceDelivers() async throws {
        let (name, uevent) = try Self.realTTY()
        let monitor = try HotplugMonitor(source: .kernel)
        defer { monitor.stop() }
        #expect(monitor.notice == nil)
        let collector = EventCollector(monitor.events)
        let uuid = UUID()
        try Self.provokeChange(uevent, uuid: uuid)
        let ours: ([HotplugEvent]) -> HotplugEvent? = { events in
            events.first { $0.properties["SYNTH_UUID"] == uuid.uuidString.lowercased() }
        }
        #expect(await collector.wait(timeout: .seconds(5)) { ours($0) != nil }, "no uevent within 5 s: \(collector.events)")
        let event = try #require(ours(collector.events))
        #expect(event.action == .change)
        #expect(event.origin == .kernel)
        #expect(event.devicePath == "/dev/" + name)
        #expect(event.sysPath?.hasSuffix("/" + name) == true)
        #expect(event.sequenceNumber != nil)
        #expect(event.symlinks.isEmpty, "the kernel makes no links")
        #expect(event.port?.name == name)
    }

    @Test("the kernel source needs no privilege: a process running as nobody receives the kernel's uevents")
    func kernelSourceUnprivileged() async throws {
        let (_, uevent) = try Self.realTTY()
        let setpriv = try #require(ToolRunning.locate("setpriv"), "setpriv not found: install util-linux")
        let udevadm = try #require(ToolRunning.locate("udevadm"), "udevadm not found: install the udev package")
        let directory = try makeScratchDirectory("unprivileged")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outputPath = directory + "/monitor.out"
        #expect(FileManager.default.createFile(atPath: outputPath, contents: nil))
        let output = try #require(FileHandle(forWritingAtPath: outputPath))
        defer { try? output.close() }

        // udevadm monitor opens the same libudev/sd-device netlink socket; as uid 65534 with no groups.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: setpriv)
        process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", udevadm,
                             "monitor", "--kernel", "--property", "--subsystem-match=tty"]
        process.standardOutput = output
        process.standardError = output
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) }; process.waitUntilExit() }

        // Provoke until one arrives: the monitor binds some time after it starts.
        var sent: [String] = []
        let deadline = ContinuousClock.now + .seconds(5)
        var received = false
        while !received, ContinuousClock.now < deadline {
            let uuid = UUID()
            sent.append(uuid.uuidString.lowercased())
            try Self.provokeChange(uevent, uuid: uuid)
            try await Task.sleep(for: .milliseconds(100))
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            received = sent.contains { text.contains("SYNTH_UUID=" + $0) }
        }
        #expect(received, "nothing reached the unprivileged monitor: \((try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "")")
    }

    @Test("the udev source: events after rules with a daemon; without one, nothing ever arrives and the monitor says so")
    func udevSourceWithoutDaemon() async throws {
        let (_, uevent) = try Self.realTTY()
        let udevMonitor = try HotplugMonitor(source: .udev)
        let kernelMonitor = try HotplugMonitor(source: .kernel)  // the control: proves the event happened
        defer { udevMonitor.stop(); kernelMonitor.stop() }
        let fromUdev = EventCollector(udevMonitor.events)
        let fromKernel = EventCollector(kernelMonitor.events)
        let uuid = UUID().uuidString.lowercased()
        try Self.provokeChange(uevent, uuid: UUID(uuidString: uuid)!)
        let ours: ([HotplugEvent]) -> Bool = { $0.contains { $0.properties["SYNTH_UUID"] == uuid } }
        #expect(await fromKernel.wait(timeout: .seconds(5), until: ours), "the kernel sent no uevent")

        if SerialPortInfo.udevDaemonRunning {
            #expect(udevMonitor.notice == nil)
            #expect(await fromUdev.wait(timeout: .seconds(5), until: ours), "udev did not pass the event on")
        } else {
            #expect(udevMonitor.notice?.contains("no udev daemon runs") == true)
            // The kernel's copy is here; udev's would follow within milliseconds if anyone sent it.
            let arrived = await fromUdev.wait(timeout: .seconds(1), until: ours)
            #expect(!arrived, "an event came from the udev source without a daemon")
            #expect(fromUdev.events.isEmpty)
        }
    }

    @Test("stop() ends the stream at once and can be repeated; releasing the monitor ends it too")
    func stopping() async throws {
        let monitor = try HotplugMonitor(source: .kernel)
        let collector = EventCollector(monitor.events)
        let started = ContinuousClock.now
        monitor.stop()
        #expect(await collector.waitForFinish(timeout: .seconds(2)), "stream still open after stop()")
        #expect(await Self.threadEnds(monitor), "polling thread still running after stop()")
        #expect(ContinuousClock.now - started < .seconds(2))
        monitor.stop()

        var released: HotplugMonitor? = try HotplugMonitor(source: .udev)
        let second = EventCollector(released!.events)
        released = nil
        #expect(await second.waitForFinish(timeout: .seconds(2)), "stream still open after the monitor was released")
    }

    @Test("a consumer that stops listening stops the monitor's thread")
    func consumerCancels() async throws {
        let monitor = try HotplugMonitor(source: .kernel)
        let consumer = Task { for await _ in monitor.events {} }
        try await Task.sleep(for: .milliseconds(50))
        consumer.cancel()
        // Cancelling the iterating task terminates the stream, which requests the stop.
        let finished = await withTaskGroup(of: Bool.self) { group in
            group.addTask { await consumer.value; return true }
            group.addTask { try? await Task.sleep(for: .seconds(2)); return false }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        #expect(finished)
        #expect(await Self.threadEnds(monitor), "polling thread still running after the consumer left")
    }

    /// Waits up to 2 s for the monitor's thread to end.
    static func threadEnds(_ monitor: HotplugMonitor) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(2)
        while monitor.isPolling, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        return !monitor.isPolling
    }

    @Test("actions map from the kernel's words")
    func actions() {
        #expect(HotplugEvent.Action("add") == .add)
        #expect(HotplugEvent.Action("remove") == .remove)
        #expect(HotplugEvent.Action("change") == .change)
        #expect(HotplugEvent.Action("unbind") == .other("unbind"))
        #expect(HotplugEvent(action: .remove, origin: .udev, devicePath: "/dev/ttyUSB0", role: "blood",
                             serialNumber: "A1").description == "remove blood /dev/ttyUSB0 serial A1 (udev)")
    }
}
