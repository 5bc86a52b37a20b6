import BusRuntime
import Circuit
import CircuitConfiguration
import FirmwareProtocols
import Foundation
import Interlock
import Simulator
import Synchronization
import Testing

/// The read-only view `hepabus monitor` builds on: a runtime that feeds no watchdog, and
/// an observer judging samples with the interlock's own rules.
@Suite(.serialized) struct CircuitObserverTests {
    /// Polls `body` until it holds (bounded; never a fixed wait).
    func eventually(within: Duration = .seconds(20), _ body: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + within
        while ContinuousClock.now < deadline {
            if body() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return body()
    }

    @Test func aReadOnlyRuntimeFeedsNoWatchdogSoAPumpLeftRunningStopsByItself() async throws {
        let bal = try SimulatedBal()
        let pump = try #require(bal.simulator.device(role: "bloodPump") as? SimulatedPump)
        // Someone left the pump running with a plain write (a heartbeat of its own); a 3 s watchdog
        // leaves this test time to see it turn, even on a loaded machine.
        try pump.write(.holding, address: WatchdogBlock.watchdogTimeout.address, values: [3000])
        try pump.write(.holding, address: PeristalticPumpProtocol.speedSetpoint.address, values: [300])
        try pump.write(.holding, address: PeristalticPumpProtocol.controlWord.address, values: [PeristalticPumpProtocol.ControlWord.run.rawValue])
        try pump.write(.holding, address: WatchdogBlock.hostHeartbeat.address, values: [4242])
        #expect(await eventually(within: .seconds(3)) { pump.rotorSpeed > 1 })
        let runtime = try await CircuitRuntime(configuration: bal.configuration, endpoints: bal.endpoints)
        runtime.start(feedingWatchdogs: false) { _ in }
        // Polled for a while (pumps at 10 Hz), never written: the heartbeat register keeps our mark.
        #expect(await eventually { (runtime.pollReports["blood"]?.first { $0.name == "bloodPump" }?.runs ?? 0) >= 5 })
        #expect(try pump.read(.holding, address: WatchdogBlock.hostHeartbeat.address, count: 1) == [4242])
        // The watchdog lapses: nothing the runtime does counts as a heartbeat.
        #expect(await eventually { pump.rotorSpeed == 0 })
        let latched = await eventually {
            if case .pump(let r)? = runtime.snapshot[.bloodPump]?.reading { return r.status.contains(.watchdogExpired) }
            return false
        }
        #expect(latched)
        await runtime.stop()
    }

    @Test func theObserverRaisesPendsAndLatchesByTheInterlocksRulesAndShowsTheCircuitsLimits() async throws {
        let bal = try SimulatedBal()
        let runtime = try await CircuitRuntime(configuration: bal.configuration, endpoints: bal.endpoints)
        let observer = Mutex(try CircuitObserver(circuit: bal.configuration, phase: .treating))
        runtime.start(feedingWatchdogs: false) { sample in observer.withLock { $0.observe(sample) } }
        func alarms() -> [RoleAlarm] {
            observer.withLock { o in
                o.tick()
                return o.alarms(for: .venousPressure)
            }
        }
        let limits = observer.withLock { $0.limits(for: .venousPressure) }
        #expect(limits.map(\.description).starts(with: ["SR-3 < 10 mmHg", "SR-2 > 300 mmHg"]), "\(limits)")
        #expect(await eventually { runtime.snapshot[.venousPressure]?.reading != nil })
        #expect(alarms().isEmpty)  // 15 mmHg at rest: between the limits

        let venous = try #require(bal.simulator.device(role: "venousPressure"))
        try venous.setMeasurementFault(.drift(perSecond: 400))
        // Above 300 mmHg: pending for SR-2's 1 s persistence, then active.
        #expect(await eventually { alarms().contains { $0.requirement == "SR-2" && $0.state == .pending } })
        #expect(await eventually { alarms().contains { $0.requirement == "SR-2" && $0.state == .active } })
        venous.clearInjectedFaults()
        // Back at 15 mmHg: SR-2 latches until an acknowledgement, which an observer never gives.
        #expect(await eventually { alarms().contains { $0.requirement == "SR-2" && $0.state == .latched } })
        // An observer commands nothing, so the stopped pumps raise no SR-12 or SR-14.
        #expect(observer.withLock { $0.alarms(for: .bloodPump) }.isEmpty)
        await runtime.stop()
    }
}
