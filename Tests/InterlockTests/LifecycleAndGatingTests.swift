import HardwareInterfaces
import Interlock
import Testing

/// The treatment lifecycle and the typed gating of every operator command.
@Suite("Lifecycle and command gating")
struct LifecycleAndGatingTests {
    @Test("idle → selfTest → priming → ready → treating ⇄ paused → ending → idle, each change reported")
    func happyPath() {
        var rig = Rig()
        #expect(rig.lifecycle == .idle)
        #expect(rig.command(.startSelfTest) == .accepted)
        #expect(rig.log.contains(.lifecycleChanged(from: .idle, to: .selfTest)))
        rig.run(for: 0.1)
        let evaluated = rig.send(.selfTestCompleted(rig.passingSelfTest))
        #expect(evaluated.contains(.selfTestEvaluated(passed: true, failures: [])))
        #expect(rig.state.selfTestPassed)
        #expect(rig.command(.startPriming) == .accepted)
        #expect(rig.lifecycle == .priming)
        #expect(rig.command(.setFlow(.blood, .mLPerMinute(150))) == .accepted)
        #expect(rig.outputs.bloodPump == .mLPerMinute(150))
        #expect(rig.outputs.returnClamp == .open)
        #expect(rig.command(.finishPriming) == .accepted)
        #expect(rig.lifecycle == .ready)
        #expect(rig.command(.startTreatment) == .accepted)
        #expect(rig.lifecycle == .treating)
        #expect(rig.command(.pause) == .accepted)
        #expect(rig.lifecycle == .paused)
        #expect(rig.command(.resume) == .accepted)
        #expect(rig.lifecycle == .treating)
        #expect(rig.command(.endTreatment) == .accepted)
        #expect(rig.lifecycle == .ending)
        #expect(rig.outputs.isPatientSafe)
        #expect(rig.command(.returnToIdle) == .accepted)
        #expect(rig.lifecycle == .idle)
        #expect(rig.state.setpoints == FlowSetpoints())
        let changes = rig.log.compactMap { action -> Lifecycle? in
            if case .lifecycleChanged(_, let to) = action { return to }
            return nil
        }
        #expect(changes == [.selfTest, .priming, .ready, .treating, .paused, .treating, .ending, .idle])
    }

    /// Drives a rig into `phase` (no faults).
    static func rig(in phase: TreatmentPhase) -> Rig {
        var rig = Rig()
        switch phase {
        case .idle: break
        case .selfTest: rig.command(.startSelfTest); rig.run(for: 0.1)
        case .priming: rig.toReady(); rig.command(.returnToIdle); rig.command(.startSelfTest); rig.run(for: 0.1)
            rig.send(.selfTestCompleted(rig.passingSelfTest)); rig.command(.startPriming)
        case .ready: rig.toReady()
        case .treating: rig.toTreating()
        case .paused: rig.toTreating(); rig.command(.pause)
        case .ending: rig.toTreating(); rig.command(.endTreatment)
        case .fault: rig.command(.startSelfTest); rig.send(.selfTestCompleted([])); rig.command(.acknowledge(.all))
        }
        #expect(rig.state.phase == phase)
        return rig
    }

    /// Which phases accept each lifecycle command (no fault active, self-test passed where relevant).
    static let allowed: [(OperatorCommand, Set<TreatmentPhase>)] = [
        (.startSelfTest, [.idle]),
        (.finishPriming, [.priming]),
        (.startTreatment, [.ready]),
        (.pause, [.treating]),
        (.endTreatment, [.treating, .paused]),
        (.returnToIdle, [.selfTest, .priming, .ready, .ending, .fault]),
        (.setFlow(.blood, .mLPerMinute(100)), [.priming, .treating, .paused]),
        (.resume, [.paused]),
    ]

    @Test("every command is accepted only in the states that allow it; refused ones change nothing",
          arguments: TreatmentPhase.allCases)
    func gatingByState(_ phase: TreatmentPhase) {
        for (command, phases) in Self.allowed {
            var rig = Self.rig(in: phase)
            let before = rig.machine.state
            let result = rig.command(command)
            if phases.contains(phase) {
                #expect(result == .accepted, "\(command) in \(phase): \(result)")
            } else {
                let expected: CommandRefusal = command == .resume && phase.isActive
                    ? .nothingToResume : .notAllowed(in: rig.lifecycle)
                #expect(result == .refused(expected), "\(command) in \(phase)")
                #expect(rig.machine.state == before, "refused \(command) changed the state in \(phase)")
            }
        }
    }

    @Test("priming starts only after a passed self-test (SR-18)")
    func primingNeedsSelfTest() {
        var rig = Rig()
        rig.command(.startSelfTest)
        #expect(rig.command(.startPriming) == .refused(.selfTestNotPassed))
        rig.send(.selfTestCompleted(rig.passingSelfTest))
        #expect(rig.command(.startPriming) == .accepted)
    }

    @Test("flow set-points: zero or within the configured range, finite, for a pump the circuit has")
    func flowSetpoints() throws {
        var rig = Self.rig(in: .treating)
        let range = rig.machine.configuration.limits.flowRanges.blood
        for flow in [40.0, 401, -10, .nan, .infinity] {
            #expect(rig.command(.setFlow(.blood, .mLPerMinute(flow))) == .refused(.flowOutOfRange(.blood, .mLPerMinute(flow), allowed: range))
                    || flow.isNaN)
        }
        #expect(!rig.command(.setFlow(.blood, .mLPerMinute(.nan))).isAccepted)
        for flow in [0.0, 50, 250, 400] {
            #expect(rig.command(.setFlow(.blood, .mLPerMinute(flow))) == .accepted)
            #expect(rig.outputs.bloodPump == .mLPerMinute(flow))
        }

        // Operators may tighten the range.
        var tight = Rig(try configuration { $0.flowRanges.blood = FlowRange(minimum: .mLPerMinute(100), maximum: .mLPerMinute(200)) })
        tight.toTreating()
        #expect(!tight.command(.setFlow(.blood, .mLPerMinute(250))).isAccepted)

        // A circuit without a recirculation pump.
        var roles = Set(DeviceRole.allCases)
        roles.remove(.recirculationPump)
        var small = Rig(try InterlockConfiguration(roles: roles))
        small.toTreating()
        #expect(small.command(.setFlow(.recirculation, .mLPerMinute(150))) == .refused(.roleAbsent(.recirculationPump)))
        #expect(small.outputs.recirculationPump == nil)
    }

    @Test("priming cannot finish and treatment cannot start with air in the return line or a faulty clamp (SR-1)")
    func returnLineMustBeClear() {
        var rig = Self.rig(in: .priming)
        rig.plant.air = true
        rig.run(for: 0.1)
        #expect(rig.fault(.airAtReturnLine) == nil, "SR-1 is not watched while priming")
        #expect(rig.command(.finishPriming) == .refused(.airDetected))
        rig.plant.air = false
        rig.plant.clampOverride = .fault
        rig.run(for: 0.1)
        #expect(rig.command(.finishPriming) == .refused(.returnClampFault))
        rig.plant.clampOverride = nil
        rig.run(for: 0.1)
        #expect(rig.command(.finishPriming) == .accepted)
        rig.plant.air = true
        rig.run(for: 0.1)
        #expect(rig.command(.startTreatment) == .refused(.airDetected))
        rig.plant.air = false
        rig.run(for: 0.1)
        #expect(rig.command(.startTreatment) == .accepted)
    }

    @Test("treatment cannot start with an unacknowledged alarm or an active safety fault")
    func startNeedsAClearMachine() {
        var rig = Self.rig(in: .ready)
        rig.plant.bloodLeak = 400 // SR-7, 5 s
        rig.run(for: 5.2)
        #expect(rig.fault(.bloodLeak) != nil)
        #expect(rig.command(.startTreatment) == .refused(.safetyHold(.plasmaBypass)))
        rig.plant.bloodLeak = 10
        rig.run(for: 0.1)
        #expect(rig.command(.resume) == .refused(.unacknowledgedFault(.bloodLeak)))
        #expect(rig.command(.startTreatment) == .refused(.safetyHold(.plasmaBypass)))
        rig.command(.acknowledge(.all))
        #expect(rig.command(.resume) == .accepted)
        #expect(rig.command(.startTreatment) == .accepted)

        // A non-latching S2 (SR-6) holds no resume, but still blocks the start.
        var other = Self.rig(in: .ready)
        other.plant.pressures[.filtrate] = 50
        other.run(for: 2.2)
        #expect(other.command(.startTreatment) == .refused(.unacknowledgedFault(.transmembranePressureHigh)))
        other.command(.acknowledge(.all))
        #expect(other.command(.startTreatment) == .refused(.safetyFaultActive(.transmembranePressureHigh)))
    }

    @Test("return to idle: not while the patient is connected, and only with every alarm acknowledged")
    func returnToIdle() {
        var rig = Self.rig(in: .treating)
        #expect(rig.command(.returnToIdle) == .refused(.notAllowed(in: .treating)))
        rig.plant.air = true
        rig.run(for: 0.1)
        #expect(rig.command(.endTreatment) == .accepted, "ending is always allowed, even in S1")
        #expect(rig.command(.returnToIdle) == .refused(.unacknowledgedFault(.airAtReturnLine)))
        #expect(rig.command(.acknowledge(.all)) == .accepted)
        #expect(rig.command(.returnToIdle) == .accepted)
        #expect(rig.lifecycle == .idle)
        #expect(rig.state.faults.isEmpty)
        #expect(rig.outputs.isPatientSafe)
    }

    @Test("acknowledge: refused with nothing to acknowledge or an alarm that is not active")
    func acknowledgeRefusals() {
        var rig = Self.rig(in: .treating)
        #expect(rig.command(.acknowledge(.all)) == .refused(.nothingToAcknowledge))
        #expect(rig.command(.acknowledge(.fault(.bloodLeak))) == .refused(.noSuchFault(.bloodLeak)))
    }

    @Test("resume: nothing to resume while treating; leaves a pause; lifts a hold only")
    func resumeMeanings() {
        var rig = Self.rig(in: .treating)
        #expect(rig.command(.resume) == .refused(.nothingToResume))
        rig.command(.pause)
        rig.plant.heaterElement = 46 // SR-11 while paused
        rig.run(for: 0.1)
        rig.plant.heaterElement = 40
        rig.run(for: 0.1)
        rig.command(.acknowledge(.all))
        #expect(rig.state.hold == .heaterOff)
        #expect(rig.command(.resume) == .accepted)
        #expect(rig.state.hold == nil)
        #expect(rig.lifecycle == .paused, "lifting a hold does not also leave the pause")
        #expect(rig.command(.resume) == .accepted)
        #expect(rig.lifecycle == .treating)
    }

    @Test("fault is reachable from every phase (unrecoverable hardware) and only returns to idle")
    func faultFromEverywhere() {
        for phase in TreatmentPhase.allCases where phase != .fault {
            var rig = Self.rig(in: phase)
            rig.send(.unrecoverableHardware(.bloodPump, detail: "watchdog cannot be armed"))
            #expect(rig.lifecycle == .fault)
            #expect(rig.outputs.isPatientSafe)
            #expect(rig.fault(.deviceLost(.bloodPump))?.detail == "watchdog cannot be armed")
            #expect(rig.state.setpoints == FlowSetpoints() && rig.state.hold == nil)
            #expect(rig.command(.resume) == .refused(.notAllowed(in: .fault)))
            #expect(rig.command(.startSelfTest) == .refused(.notAllowed(in: .fault)))
            #expect(rig.command(.returnToIdle) == .refused(.unacknowledgedFault(.deviceLost(.bloodPump))))
            rig.command(.acknowledge(.all))
            #expect(rig.command(.returnToIdle) == .accepted)
            #expect(rig.lifecycle == .idle)
        }
    }

    @Test("safe(S1|S2) is reachable from every active phase and resumes to the same phase")
    func safeFromEveryActivePhase() {
        for phase in [TreatmentPhase.selfTest, .priming, .ready, .treating, .paused, .ending] {
            var rig = Self.rig(in: phase)
            rig.send(.deviceLost(.venousPressure)) // SR-16, S1, watched in every active phase
            #expect(rig.lifecycle == .safe(.s1, during: phase))
            #expect(rig.outputs.isPatientSafe)
            rig.run(for: 0.1) // the sensor answers again
            rig.command(.acknowledge(.all))
            #expect(rig.command(.resume) == .accepted)
            #expect(rig.lifecycle == Lifecycle(phase))
        }
        for phase in [TreatmentPhase.priming, .ready, .treating, .paused, .ending] {
            var rig = Self.rig(in: phase)
            rig.plant.bloodLeak = 400
            rig.run(for: 5.2)
            #expect(rig.lifecycle == .safe(.s2, during: phase), "\(phase)")
        }
    }

    @Test("diagnostics writes are allowed only in idle")
    func diagnosticsOnlyInIdle() {
        for phase in TreatmentPhase.allCases {
            #expect(Self.rig(in: phase).state.permitsDiagnostics == (phase == .idle), "\(phase)")
        }
    }

    @Test("time is monotonic: a tick back in time and an out-of-order sample are ignored")
    func timeIsMonotonic() {
        var rig = Rig()
        rig.send(.tick(at: 10))
        #expect(rig.send(.tick(at: 5)).contains(.eventIgnored(.timeWentBackwards(5))))
        #expect(rig.state.now == 10)
        rig.send(.reading(.bloodLeak(.ppm(10)), sampledAt: 9))
        #expect(rig.send(.reading(.bloodLeak(.ppm(500)), sampledAt: 8)).contains(.eventIgnored(.sampleOutOfOrder(.bloodLeakDetector))))
    }

    @Test("the machine is deterministic: the same events give the same states and actions; transition() is handle()")
    func deterministic() {
        var first = Rig()
        first.toTreating()
        first.plant.pressures[.venous] = 350
        first.run(for: 2)
        var second = Rig()
        second.toTreating()
        second.plant.pressures[.venous] = 350
        second.run(for: 2)
        #expect(first.machine == second.machine)
        #expect(first.log == second.log)

        let (state, actions) = Interlock.transition(first.machine.state, .command(.acknowledge(.all)),
                                                    configuration: first.machine.configuration)
        let handled = first.send(.command(.acknowledge(.all)))
        #expect(state == first.machine.state)
        #expect(actions == handled)
    }
}
