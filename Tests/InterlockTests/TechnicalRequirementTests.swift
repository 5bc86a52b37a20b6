import HardwareInterfaces
import Interlock
import Testing

/// SR-15…SR-18 details.
@Suite("Technical (SR-15…SR-18)")
struct TechnicalRequirementTests {
    @Test("SR-15: every device has a deadline; a device silent past it trips S1", arguments: DeviceRole.allCases)
    func sr15EveryRole(_ role: DeviceRole) {
        var rig = Rig()
        rig.toTreating()
        let deadline = rig.machine.configuration.limits.staleDeadlines[role]
        rig.plant.silent = [role]
        rig.run(for: deadline - 0.05)
        #expect(rig.fault(.staleData(role)) == nil)
        rig.run(for: 0.1)
        #expect(rig.fault(.staleData(role))?.isTechnical == true)
        #expect(rig.outputs.isPatientSafe)
    }

    @Test("SR-15: a device that never answers after the self-test starts is stale after its deadline")
    func sr15NeverAnswered() {
        var rig = Rig()
        rig.command(.startSelfTest)
        rig.plant.silent = [.airDetector]
        rig.run(for: 0.25)
        #expect(rig.fault(.staleData(.airDetector)) == nil)
        rig.run(for: 0.1)
        #expect(rig.fault(.staleData(.airDetector)) != nil)
        #expect(rig.lifecycle == .safe(.s1, during: .selfTest))
    }

    @Test("SR-16: udev remove and a port error are immediate; a gone device is not also stale")
    func sr16Immediate() {
        var rig = Rig()
        rig.toTreating()
        rig.send(.deviceLost(.venousPressure))
        #expect(rig.fault(.deviceLost(.venousPressure))?.detail == "device removed or port error")
        rig.send(.readingFailed(.bloodLeakDetector, .disconnected))
        #expect(rig.fault(.deviceLost(.bloodLeakDetector))?.detail == "disconnected")
        rig.plant.silent = [.venousPressure, .bloodLeakDetector]
        rig.run(for: 5)
        #expect(rig.fault(.staleData(.venousPressure)) == nil)
        #expect(rig.fault(.staleData(.bloodLeakDetector)) == nil)
    }

    @Test("SR-16: consecutive means consecutive — a good reading resets the count; NaN values count as failures")
    func sr16Consecutive() {
        var rig = Rig()
        rig.toTreating()
        for _ in 0..<5 {
            rig.send(.readingFailed(.venousPressure, .timeout))
            rig.send(.readingFailed(.venousPressure, .corruptFrame))
            rig.run(for: 0.05)
        }
        #expect(rig.fault(.deviceLost(.venousPressure)) == nil)
        rig.send(.reading(.pressure(.venous, .mmHg(.nan)), sampledAt: rig.now))
        rig.send(.reading(.pressure(.venous, .mmHg(.infinity)), sampledAt: rig.now))
        rig.send(.readingFailed(.venousPressure, .implausibleValue))
        #expect(rig.fault(.deviceLost(.venousPressure))?.detail == "3 consecutive failures (last: implausibleValue)")
    }

    @Test("SR-15: entering fault straight from a long idle starts the deadlines afresh")
    func sr15FaultFromIdle() {
        var rig = Rig()
        rig.send(.tick(at: 3600))
        rig.send(.unrecoverableHardware(.plasmaHeater, detail: "watchdog cannot be armed"))
        #expect(rig.activeConditions == [.deviceLost(.plasmaHeater)])
    }

    @Test("SR-16: a wrong identity is unrecoverable: fault")
    func sr16Identity() {
        var rig = Rig()
        rig.toTreating()
        rig.send(.readingFailed(.plasmaPump, .identityMismatch))
        #expect(rig.lifecycle == .fault)
        #expect(rig.fault(.deviceLost(.plasmaPump)) != nil)
        #expect(rig.outputs.isPatientSafe)
    }

    @Test("SR-17: bit-identical, not merely equal (0.0 and −0.0 alternate: not frozen); only while the blood pump runs")
    func sr17() {
        var rig = Rig()
        rig.toTreating()
        rig.plant.frozen = [.venous]
        rig.run(for: 9.9)
        #expect(rig.fault(.frozenSensor(.venous)) == nil)
        rig.run(for: 0.2)
        #expect(rig.fault(.frozenSensor(.venous))?.isTechnical == true)
        #expect(rig.outputs == rig.nominalOutputs(.treating), "an alarm only")

        var signs = Rig()
        signs.toTreating()
        signs.plant.frozen = [.arterial]
        signs.plant.silent = [.arterialPressure]
        for step in 0..<300 { // 15 s of 0.0, −0.0, 0.0…
            signs.send(.reading(.pressure(.arterial, .mmHg(step % 2 == 0 ? 0.0 : -0.0)), sampledAt: signs.now + 0.05))
            signs.run(for: 0.05)
        }
        #expect(signs.fault(.frozenSensor(.arterial)) == nil)

        var stopped = Rig()
        stopped.toReady()
        stopped.plant.frozen = [.venous]
        stopped.run(for: 15)
        #expect(stopped.fault(.frozenSensor(.venous)) == nil, "blood pump stopped: a steady pressure is normal")
    }

    @Test("SR-18: a failed check fails the self-test: fault, alarm, no priming")
    func sr18Failed() {
        var rig = Rig()
        rig.command(.startSelfTest)
        var checks = rig.passingSelfTest
        checks[0] = SelfTestCheck(checks[0].item, passed: false, detail: "no answer")
        let actions = rig.send(.selfTestCompleted(checks))
        #expect(actions.contains(.selfTestEvaluated(passed: false, failures: ["devicePresent(bloodPump): failed (no answer)"])))
        #expect(rig.lifecycle == .fault)
        #expect(rig.fault(.selfTestFailed)?.detail == "devicePresent(bloodPump): failed (no answer)")
        #expect(rig.command(.startPriming) == .refused(.notAllowed(in: .fault)))
        rig.command(.acknowledge(.all))
        #expect(rig.fault(.selfTestFailed) != nil, "acknowledged, but the self-test still failed")
        #expect(rig.command(.returnToIdle) == .accepted)
        rig.command(.startSelfTest)
        rig.send(.selfTestCompleted(rig.passingSelfTest))
        #expect(rig.command(.startPriming) == .accepted)
    }

    @Test("SR-18: a self-test that leaves a required check out has failed (watchdog not armed, clamp feedback…)")
    func sr18Incomplete() {
        var rig = Rig()
        rig.command(.startSelfTest)
        let checks = rig.passingSelfTest.filter { $0.item != .watchdogArmed(.plasmaHeater) && $0.item != .returnClampFeedback }
        let actions = rig.send(.selfTestCompleted(checks))
        #expect(actions.contains(.selfTestEvaluated(passed: false, failures: [
            "watchdogArmed(plasmaHeater): not checked", "returnClampFeedback: not checked",
        ])))
        #expect(rig.lifecycle == .fault)
    }

    @Test("SR-18: a self-test result outside the self-test is ignored")
    func sr18OutsideSelfTest() {
        var rig = Rig()
        rig.toTreating()
        #expect(rig.send(.selfTestCompleted([])).contains(.eventIgnored(.selfTestResultOutsideSelfTest)))
        #expect(rig.lifecycle == .treating)
    }
}
