import Circuit
import CircuitConfiguration
import Foundation
import HardwareInterfaces
import Interlock
import Journal
import Simulator
import Testing

/// Ports vanishing and returning mid-treatment, against the simulated bal circuit over
/// real ptys: the loss trips SR-16 at once, and a returned port is re-identified before
/// anything on it is believed again.
@Suite(.serialized) struct PortLossTests {
    func eventually(within: Duration = .seconds(10), _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + within
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return await condition()
    }

    /// Everything the supervisor reports, collected for assertions.
    final class EventLog: @unchecked Sendable {
        private let lock = NSLock()
        private var events: [SupervisorEvent] = []
        private var task: Task<Void, Never>?
        init(_ stream: AsyncStream<SupervisorEvent>) {
            task = Task { [weak self] in
                for await event in stream {
                    guard let self else { return }
                    self.lock.withLock { self.events.append(event) }
                }
            }
        }
        var all: [SupervisorEvent] { lock.withLock { events } }
        func contains(_ predicate: (SupervisorEvent) -> Bool) -> Bool { all.contains(where: predicate) }
        deinit { task?.cancel() }
    }

    func treating(_ bal: SimulatedBal, journal: EventJournal?) async throws -> (Supervisor, EventLog) {
        let runtime = try await CircuitRuntime(configuration: bal.configuration, endpoints: bal.endpoints)
        let supervisor = try Supervisor(runtime: runtime, journal: journal)
        let log = EventLog(await supervisor.events())
        await supervisor.start()
        try await Task.sleep(for: .milliseconds(600))
        #expect(await supervisor.runSelfTest().passed)
        #expect(await supervisor.perform(.startPriming).isAccepted)
        #expect(await supervisor.perform(.setFlow(.blood, .mLPerMinute(100))).isAccepted)
        #expect(await supervisor.perform(.finishPriming).isAccepted)
        #expect(await supervisor.perform(.startTreatment).isAccepted)
        #expect(await supervisor.perform(.setFlow(.plasma, .mLPerMinute(30))).isAccepted)
        try await Task.sleep(for: .milliseconds(300))
        return (supervisor, log)
    }

    /// The plasma bus's port is pulled: lost at once (SR-16, S1), its samples ignored; plugged
    /// back: every device re-identified, the demand re-sent, and after acknowledgement the
    /// treatment resumes with the plasma pump running again.
    @Test func aReturnedPortIsReidentifiedBeforeUse() async throws {
        let bal = try SimulatedBal()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hepabus-portloss-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let journalPath = directory.appendingPathComponent("journal.log").path
        let journal = try EventJournal(path: journalPath)
        let (supervisor, log) = try await treating(bal, journal: journal)

        try bal.simulator.unplug(bus: "plasma")
        #expect(await eventually(within: .seconds(3)) { log.contains { if case .portLost(bus: "plasma", _) = $0 { true } else { false } } })
        #expect(await eventually { await supervisor.lifecycle.safeState == .s1 })
        #expect(await supervisor.activeFaults.contains { $0.requirement == .sr16 })
        #expect(await supervisor.lostBuses["plasma"] != nil)
        let bloodPump = bal.simulator.device(role: "bloodPump") as? SimulatedPump
        #expect(await eventually { bloodPump?.rotorSpeed == 0 })

        try bal.simulator.replug(bus: "plasma")
        #expect(await eventually(within: .seconds(5)) { log.contains { if case .portReturned(bus: "plasma", _) = $0 { true } else { false } } },
                "events: \(log.all.map(\.description))")
        #expect(await supervisor.lostBuses.isEmpty)
        var resumed = false
        let deadline = ContinuousClock.now + .seconds(10)
        while !resumed && ContinuousClock.now < deadline {
            _ = await supervisor.perform(.acknowledge(.all))
            resumed = await supervisor.perform(.resume).isAccepted
            if !resumed { try await Task.sleep(for: .milliseconds(100)) }
        }
        let faults = await supervisor.activeFaults
        #expect(resumed, "faults: \(faults)")
        let plasmaPump = bal.simulator.device(role: "plasmaPump") as? SimulatedPump
        #expect(await eventually { (plasmaPump?.trueFlowRate ?? 0) > 25 })
        await supervisor.stop()

        let entries = try EventJournal.read(path: journalPath).entries
        let lost = entries.firstIndex { $0.message.contains("port lost") && $0.source == "bus plasma" }
        let back = entries.firstIndex { $0.message.contains("every device re-identified") && $0.source == "bus plasma" }
        #expect(lost != nil && back != nil && lost! < back!)
    }

    /// A different device answers at a role's address after the replug: the bus stays out
    /// of use, the interlock declares the role gone for good (fault), and the reason names
    /// the device and both identities.
    @Test func aSwappedDeviceIsRejected() async throws {
        let bal = try SimulatedBal()
        let (supervisor, log) = try await treating(bal, journal: nil)

        try bal.simulator.unplug(bus: "plasma")
        #expect(await eventually(within: .seconds(3)) { await supervisor.lostBuses["plasma"] != nil })
        try bal.simulator.substitute(role: "filtratePressure", serialNumber: 99_000_001)
        try bal.simulator.replug(bus: "plasma")
        #expect(await eventually(within: .seconds(5)) {
            log.contains { if case .portRejected(bus: "plasma", let detail) = $0 { detail.contains("filtratePressure") } else { false } }
        }, "events: \(log.all.map(\.description))")
        #expect(await eventually { await supervisor.lifecycle == .fault })
        #expect(await supervisor.lostBuses["plasma"] != nil)
        // Nothing the stranger says is believed: no resume.
        _ = await supervisor.perform(.acknowledge(.all))
        #expect(await supervisor.perform(.resume).isAccepted == false)
        await supervisor.stop()
    }
}
