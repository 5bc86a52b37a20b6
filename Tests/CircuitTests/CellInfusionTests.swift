import Circuit
import CircuitConfiguration
import Foundation
import HardwareInterfaces
import Interlock
import Simulator
import Testing

/// The cell-infusion circuit supervised over real ptys: the infusion pump is on the
/// patient's line (S1 stops it), and the supervisor stops the infusion at dose.
@Suite(.serialized) struct CellInfusionTests {
    /// The cell-infusion preset with a dose small enough to deliver in seconds:
    /// 1e5 cells/kg × 10 kg ÷ 2e6 cells/mL = 0.5 mL (6 s at 5 mL/min).
    static let smallDose = """
        circuit: cell-infusion-test
        title: Cell infusion, small dose
        buses:
          - {name: infusion, udevRole: infusion, baud: 115200, parity: even}
        devices:
          - {role: infusionPump, family: peristalticPump, bus: infusion, unit: 1, tubingMlPerRev: 0.2}
          - {role: venousPressure, family: pressureSensor, bus: infusion, unit: 4}
          - {role: airDetector, family: airDetector, bus: infusion, unit: 5}
        flows:
          infusionPump: {min: 0.5, max: 5}
        infusion:
          targetCellsPerKilogram: 1.0e5
          patientWeightKilograms: 10
          cellsPerMilliliter: 2.0e6
          rate: {min: 0.5, max: 5}
        """

    func eventually(within: Duration = .seconds(10), _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + within
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return await condition()
    }

    struct Rig {
        let simulator: CircuitSimulator
        let supervisor: Supervisor
        var pump: SimulatedPump? { simulator.device(role: "infusionPump") as? SimulatedPump }
    }

    func infusing(_ text: String = smallDose) async throws -> Rig {
        let configuration = try CircuitConfigurationLoader.parse(text, file: "cell-infusion-test.yaml")
        let simulator = try CircuitSimulator(layout: SimulatedCircuitLayout(configuration: configuration))
        try simulator.start()
        let endpoints = Dictionary(uniqueKeysWithValues: simulator.manifest.buses.map { ($0.name, BusEndpoint.serial(path: $0.endpoint)) })
        let runtime = try await CircuitRuntime(configuration: configuration, endpoints: endpoints)
        let supervisor = try Supervisor(runtime: runtime)
        await supervisor.start()
        try await Task.sleep(for: .milliseconds(600))
        let selfTest = await supervisor.runSelfTest()
        #expect(selfTest.passed, "\(selfTest.checks.filter { !$0.passed })")
        #expect(await supervisor.perform(.startPriming).isAccepted)
        #expect(await supervisor.perform(.setFlow(.infusion, .mLPerMinute(1))).isAccepted)
        try await Task.sleep(for: .milliseconds(500))
        #expect(await supervisor.perform(.finishPriming).isAccepted)
        return Rig(simulator: simulator, supervisor: supervisor)
    }

    /// The dose is counted from the treatment's start and the infusion stops at it: the
    /// pump stopped, the lifecycle ending, the delivered volume at the target (plus at
    /// most what flows during one poll and the stop).
    @Test func theInfusionStopsAtDose() async throws {
        let rig = try await infusing()
        defer { rig.simulator.stop() }
        let progressBefore = await rig.supervisor.infusion
        #expect(progressBefore?.targetMilliliters == 0.5)
        #expect(progressBefore?.deliveredMilliliters == 0, "priming does not count toward the dose")
        let events = await rig.supervisor.events()
        #expect(await rig.supervisor.perform(.startTreatment).isAccepted)
        #expect(await rig.supervisor.perform(.setFlow(.infusion, .mLPerMinute(5))).isAccepted)
        // A rate outside the plan's limits is refused, and changes nothing.
        let tooFast = await rig.supervisor.perform(.setFlow(.infusion, .mLPerMinute(8)))
        #expect(!tooFast.isAccepted)

        // The stream finishes when the supervisor stops.
        let delivered = Task { () -> InfusionProgress? in
            for await event in events { if case .doseDelivered(let progress) = event { return progress } }
            return nil
        }
        #expect(await eventually(within: .seconds(20)) { await rig.supervisor.lifecycle == .ending })
        #expect(await eventually { rig.pump?.rotorSpeed == 0 }, "the infusion pump must stop at dose")
        try await Task.sleep(for: .milliseconds(300))
        let final = try #require(await rig.supervisor.infusion)
        #expect(final.deliveredMilliliters >= 0.5)
        // 5 mL/min is 0.0083 mL per 100 ms poll; allow the stop's coast and one poll more.
        #expect(final.deliveredMilliliters < 0.53, "overshoot: \(final)")
        #expect(abs(final.cellsPerKilogramDelivered - 1e5) / 1e5 < 0.06)
        await rig.supervisor.stop()
        let announced = await delivered.value
        #expect(announced?.isComplete == true, "the controller hears that the dose was delivered")
    }

    /// Air in the line during an infusion stops the infusion pump and closes the clamp (S1):
    /// the infusion pump is on the patient's line.
    @Test func airStopsTheInfusionPump() async throws {
        let rig = try await infusing()
        defer { rig.simulator.stop() }
        #expect(await rig.supervisor.perform(.startTreatment).isAccepted)
        #expect(await rig.supervisor.perform(.setFlow(.infusion, .mLPerMinute(2))).isAccepted)
        #expect(await eventually { (rig.pump?.rotorSpeed ?? 0) > 0 })
        rig.simulator.conditions.airInReturnLine = true
        #expect(await eventually { await rig.supervisor.lifecycle.safeState == .s1 })
        #expect(await eventually { rig.pump?.rotorSpeed == 0 })
        let clamp = rig.simulator.device(role: "airDetector") as? SimulatedAirDetector
        #expect(await eventually { clamp?.isClampClosed == true })
        await rig.supervisor.stop()
    }
}
