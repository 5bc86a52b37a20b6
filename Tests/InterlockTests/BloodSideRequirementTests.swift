import HardwareInterfaces
import Interlock
import Testing

/// SR-1…SR-5 details, and the two-stage latch as SAFETY.md states it.
@Suite("Blood side (SR-1…SR-5) and the two-stage latch")
struct BloodSideRequirementTests {
    @Test("SR-1: a single air sample trips S1 in the same event, with the stop commands in that event's actions")
    func sr1Immediate() {
        var rig = Rig()
        rig.toTreating()
        let actions = rig.send(.reading(.airDetector(AirDetectorSample(airDetected: true, clampPosition: .open)), sampledAt: rig.now))
        let commands = actions.compactMap { $0.outputCommand?.action }
        #expect(commands.first == .stopPump(.blood))
        #expect(commands.contains(.closeReturnClamp))
        #expect(actions.contains { if case .alarmRaised(let fault) = $0 { fault.condition == .airAtReturnLine } else { false } })
        #expect(actions.last == .lifecycleChanged(from: .treating, to: .safe(.s1, during: .treating)))
    }

    @Test("SR-2, SR-3, SR-4, SR-5: limits are strict (at the limit is no alarm) and follow tightened limits")
    func pressureLimits() throws {
        var rig = Rig(try configuration { $0.persistence = .zero })
        rig.toTreating()
        rig.plant.frozen = [.venous, .arterial] // exact values, no ripple
        rig.plant.pressures[.venous] = 300
        rig.plant.pressures[.filtrate] = 200 // keeps TMP normal
        rig.plant.pressures[.arterial] = -250
        rig.run(for: 0.2)
        #expect(rig.state.faults.isEmpty, "\(rig.state.faults)")
        rig.plant.pressures[.venous] = 10
        rig.plant.pressures[.filtrate] = 100
        rig.run(for: 0.2)
        #expect(rig.state.faults.isEmpty)

        var tight = Rig(try configuration {
            $0.venousPressureHigh = .mmHg(200)
            $0.preFilterPressureHigh = .mmHg(300)
            $0.persistence = .zero
        })
        tight.toTreating()
        tight.plant.frozen = [.venous]
        tight.plant.pressures[.venous] = 210
        tight.plant.pressures[.filtrate] = 150
        tight.run(for: 0.1)
        #expect(tight.activeConditions == [.venousPressureHigh])
        var clotting = Rig(try configuration { $0.preFilterPressureHigh = .mmHg(300); $0.persistence = .zero })
        clotting.toTreating()
        clotting.plant.pressures[.preFilter] = 310
        clotting.plant.pressures[.filtrate] = 200 // keeps TMP normal
        clotting.run(for: 0.1)
        #expect(clotting.activeConditions == [.preFilterPressureHigh])
    }

    @Test("SR-2: persistence restarts when the condition lapses before it elapses")
    func persistenceRestarts() {
        var rig = Rig()
        rig.toTreating()
        rig.plant.pressures[.venous] = 320
        rig.run(for: 0.8)
        rig.plant.pressures[.venous] = 100
        rig.run(for: 0.1)
        rig.plant.pressures[.venous] = 320
        rig.run(for: 0.8)
        #expect(rig.fault(.venousPressureHigh) == nil)
        rig.run(for: 0.3)
        #expect(rig.fault(.venousPressureHigh) != nil)
    }

    @Test("SR-3: disconnection is watched only while the patient is connected (treating, paused)")
    func sr3WhileConnected() {
        var rig = Rig(try! configuration { $0.persistence = .zero })
        rig.toReady()
        rig.plant.pressures[.venous] = 0
        rig.run(for: 0.2)
        #expect(rig.fault(.venousPressureLow) == nil)
        rig.plant.pressures[.venous] = 100
        rig.run(for: 0.1)
        rig.command(.startTreatment)
        rig.plant.pressures[.venous] = 0
        rig.run(for: 0.1)
        #expect(rig.fault(.venousPressureLow) != nil)
    }

    /// Latched rows, to check "clear before acknowledge".
    static let latched: [RequirementRow] = RequirementRow.all.filter { $0.latched && $0.reaction.changesOutputs }

    @Test("two-stage latch: a condition that clears first keeps its alarm and its safe state until acknowledged, then until resumed",
          arguments: latched)
    func clearBeforeAcknowledge(_ row: RequirementRow) {
        var rig = Rig()
        rig.toTreating()
        let nominal = rig.outputs
        row.provoke(&rig)
        rig.run(for: row.delay + 0.2)
        let tripped = rig.outputs
        row.restore(&rig)
        rig.run(for: 0.5)
        #expect(rig.fault(row.condition)?.isConditionPresent == false)
        #expect(rig.fault(row.condition)?.isAcknowledged == false)
        #expect(rig.log.contains(.alarmConditionCleared(row.condition)))
        #expect(rig.outputs == tripped)
        #expect(rig.command(.resume) == .refused(.unacknowledgedFault(row.condition)))
        rig.command(.acknowledge(.fault(row.condition)))
        #expect(rig.fault(row.condition) == nil)
        #expect(rig.outputs == tripped, "acknowledged and cleared, but resuming is an explicit command")
        #expect(rig.command(.resume) == .accepted)
        rig.run(for: 0.5)
        #expect(rig.outputs == nominal)
    }

    @Test("a new fault is never hidden by an earlier acknowledgement; a recurring one is new")
    func newFaultsAreNew() {
        var rig = Rig()
        rig.toTreating()
        rig.plant.bloodLeak = 400
        rig.run(for: 5.2)
        rig.command(.acknowledge(.all))
        #expect(rig.fault(.bloodLeak)?.isAcknowledged == true)
        rig.plant.air = true
        rig.run(for: 0.1)
        #expect(rig.fault(.airAtReturnLine)?.isAcknowledged == false)
        #expect(rig.lifecycle == .safe(.s1, during: .treating))
        // SR-1 clears and is acknowledged, then recurs: a new, unacknowledged alarm.
        rig.plant.air = false
        rig.run(for: 0.1)
        rig.command(.acknowledge(.fault(.airAtReturnLine)))
        #expect(rig.fault(.airAtReturnLine) == nil)
        rig.plant.air = true
        rig.run(for: 0.1)
        #expect(rig.fault(.airAtReturnLine)?.isAcknowledged == false)
    }

    @Test("overlapping faults: S1 over S2; S1 acknowledged and cleared leaves S2 in force; the hold stays S1 until resume")
    func overlapping() {
        var rig = Rig()
        rig.toTreating()
        rig.plant.bloodLeak = 400
        rig.run(for: 5.2)
        #expect(rig.lifecycle == .safe(.s2, during: .treating))
        rig.plant.air = true
        rig.run(for: 0.1)
        #expect(rig.lifecycle == .safe(.s1, during: .treating))
        #expect(rig.outputs.isPatientSafe)
        rig.plant.air = false
        rig.run(for: 0.1)
        rig.command(.acknowledge(.all))
        #expect(rig.activeConditions == [.bloodLeak])
        #expect(rig.state.hold == .patientSafe)
        #expect(rig.outputs.isPatientSafe, "the S1 hold keeps everything stopped")
        #expect(rig.command(.resume) == .refused(.faultConditionPersists(.bloodLeak)))
        rig.plant.bloodLeak = 10
        rig.run(for: 0.1)
        #expect(rig.state.faults.isEmpty)
        #expect(rig.command(.resume) == .accepted)
        #expect(rig.outputs == rig.nominalOutputs(.treating))
    }
}
