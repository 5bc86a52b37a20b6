import HardwareInterfaces
import Interlock
import Testing

/// A read-only observer (for monitors): the interlock's own rules, in a phase it was not
/// driven to, with outputs nobody applies.
@Suite struct ObservationTests {
    @Test func anObserverPendsTripsAndLatchesAsTheTreatmentWouldWithoutACommand() {
        var rig = Rig()
        rig.machine = .observer(configuration: .fullCircuit, phase: .treating, startTime: 0)
        #expect(rig.machine.state.phase == .treating)
        rig.run(for: 0.5)
        #expect(rig.machine.pendingConditions.isEmpty)
        rig.plant.pressures[.venous] = 350  // above SR-2's 300 mmHg
        rig.run(for: 0.5)
        #expect(rig.machine.pendingConditions.contains(.venousPressureHigh))  // within its 1 s persistence
        #expect(rig.fault(.venousPressureHigh) == nil)
        rig.run(for: 0.6)
        #expect(rig.fault(.venousPressureHigh)?.isConditionPresent == true)
        #expect(!rig.machine.pendingConditions.contains(.venousPressureHigh))  // tripped, no longer pending
        rig.plant.pressures[.venous] = 100
        rig.run(for: 0.2)
        // SR-2 latches: shown until acknowledged, its condition gone.
        #expect(rig.fault(.venousPressureHigh)?.isConditionPresent == false)
    }

    @Test func anObserverJudgesEachPhasesConditionsOnly() {
        var rig = Rig()
        rig.machine = .observer(configuration: .fullCircuit, phase: .priming, startTime: 0)
        rig.plant.air = true  // SR-1 is a patient condition: not watched while priming
        rig.run(for: 0.5)
        #expect(rig.fault(.airAtReturnLine) == nil)
        #expect(!rig.machine.pendingConditions.contains(.airAtReturnLine))
    }

    @Test func conditionsThatNeedATreatmentsOwnHistoryAreNotForObservers() {
        #expect(!ConditionKind.pumpSpeedDeviation.isJudgedByObservers)
        #expect(!ConditionKind.bloodPumpStopped.isJudgedByObservers)
        #expect(!ConditionKind.selfTestFailed.isJudgedByObservers)
        #expect(ConditionKind.allCases.filter(\.isJudgedByObservers).count == ConditionKind.allCases.count - 3)
    }
}
