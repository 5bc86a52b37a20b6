import HardwareInterfaces
import Interlock
import Testing

/// Exhaustive exploration of the machine over a bounded alphabet of events: every fault
/// subset of a representative set of conditions (S1 patient-side, S1 technical, S2
/// latched, S2 non-latching, S2-warm, heater off, alarm only), every lifecycle state, every
/// acknowledgement and resume in any order.
///
/// Breadth-first over states, deduplicated by value: the machine is deterministic and its
/// state is a value, so a state reached again has the same continuations. The search runs
/// to a fixpoint, so every event sequence of ANY length over this alphabet is covered, not
/// only those up to a depth. Time does not advance (every persistence is zero and every
/// reading is sampled at the same instant), which keeps the state space finite; the
/// time-dependent behaviour has its own tests.
struct Exploration {
    /// The representative conditions, each with the events that make it hold and clear.
    struct Toggle {
        let condition: Condition
        let on: InterlockEvent
        let off: InterlockEvent
    }

    /// SR-1: S1, patient side, latched (watched only while the patient is connected).
    static let air = Toggle(
        condition: .airAtReturnLine,
        on: .reading(.airDetector(AirDetectorSample(airDetected: true, clampPosition: .closed)), sampledAt: 0),
        off: .reading(.airDetector(AirDetectorSample(airDetected: false, clampPosition: .closed)), sampledAt: 0))
    /// SR-16: S1, technical, latched, watched in every phase but idle.
    static let arterialLost = Toggle(
        condition: .deviceLost(.arterialPressure),
        on: .deviceLost(.arterialPressure),
        off: .reading(.pressure(.arterial, .mmHg(-100)), sampledAt: 0))
    /// SR-16 on the venous pressure sensor (a circuit without an arterial sensor).
    static let venousLost = Toggle(
        condition: .deviceLost(.venousPressure),
        on: .deviceLost(.venousPressure),
        off: .reading(.pressure(.venous, .mmHg(100)), sampledAt: 0))
    /// SR-7: S2, latched.
    static let bloodLeak = Toggle(
        condition: .bloodLeak,
        on: .reading(.bloodLeak(.ppm(400)), sampledAt: 0),
        off: .reading(.bloodLeak(.ppm(10)), sampledAt: 0))
    /// SR-6: S2, not latching (time never reaches its latch time here).
    static let transmembrane = Toggle(
        condition: .transmembranePressureHigh,
        on: .reading(.pressure(.filtrate, .mmHg(50)), sampledAt: 0),
        off: .reading(.pressure(.filtrate, .mmHg(100)), sampledAt: 0))
    /// SR-11: heater off, latched.
    static let heaterElement = Toggle(
        condition: .heaterElementOverTemperature,
        on: .reading(.heater(HeaterSample(elementTemperature: .celsius(46))), sampledAt: 0),
        off: .reading(.heater(HeaterSample(elementTemperature: .celsius(40))), sampledAt: 0))
    /// SR-9: alarm only, not latching.
    static let coldPlasma = Toggle(
        condition: .plasmaTemperatureLow,
        on: .reading(.plasmaTemperature(.a, .celsius(34)), sampledAt: 0),
        off: .reading(.plasmaTemperature(.a, .celsius(37)), sampledAt: 0))
    /// SR-9's S2 level: S2-warm, not latching (it latches only on recurrence). Probe A at
    /// 32 °C also raises the alarm level; at 37 °C both clear (persistence zero).
    static let veryColdPlasma = Toggle(
        condition: .plasmaTemperatureVeryLow,
        on: .reading(.plasmaTemperature(.a, .celsius(32)), sampledAt: 0),
        off: .reading(.plasmaTemperature(.a, .celsius(37)), sampledAt: 0))

    let toggles: [Toggle]
    let configuration: InterlockConfiguration
    let alphabet: [InterlockEvent]
    let initial: InterlockState

    /// An exploration of `toggles` in a circuit of blood pump, plasma pump and `pumps`,
    /// with one temperature probe (probe A alone moves SR-9 without also moving SR-10), the
    /// operator setting the flows of `flows`.
    init(_ toggles: [Toggle], pumps: [PumpRole] = [], flows: [PumpRole] = [.blood, .plasma], roles circuitRoles: Set<DeviceRole>? = nil) throws {
        self.toggles = toggles
        let roles: Set<DeviceRole> = circuitRoles ?? [
            .bloodPump, .plasmaPump, .arterialPressure, .preFilterPressure, .venousPressure, .filtratePressure,
            .plasmaTemperatureA, .plasmaHeater, .airDetector, .bloodLeakDetector,
        ]
        configuration = try InterlockConfiguration(roles: roles.union(pumps.map(\.deviceRole)), limits: InterlockLimits.standard.tightened {
            $0.persistence = .zero
        })
        let passing = SelfTestCheck.requiredItems(for: configuration).map { SelfTestCheck($0, passed: true) }
        let failing = passing.map { $0.item == .returnClampFeedback ? SelfTestCheck($0.item, passed: false, detail: "stuck") : $0 }
        let nominalFlow: [PumpRole: FlowRate] = [
            .blood: .mLPerMinute(150), .plasma: .mLPerMinute(30), .recirculation: .mLPerMinute(150),
            .plasmaReturn: .mLPerMinute(30), .infusion: .mLPerMinute(2),
        ]
        let commands: [OperatorCommand] = [.startSelfTest, .startPriming, .finishPriming, .startTreatment]
            + flows.map { .setFlow($0, nominalFlow[$0]!) }
            + [.pause, .resume, .endTreatment, .returnToIdle, .acknowledge(.all)]
            + toggles.map { .acknowledge(.fault($0.condition)) } + [.acknowledge(.fault(.selfTestFailed))]
        // The unrecoverable device is the arterial sensor: fault from any phase, on the same
        // knowledge as the SR-16 toggle.
        alphabet = toggles.flatMap { [$0.on, $0.off] }
            + [.selfTestCompleted(passing), .selfTestCompleted(failing),
               .unrecoverableHardware(.arterialPressure, detail: "identity mismatch")]
            + commands.map(InterlockEvent.command)

        // Every device has answered once, with nominal values, at time 0.
        var machine = Interlock(configuration: configuration)
        let nominal: [SensorReading] = [
            .pressure(.arterial, .mmHg(-100)), .pressure(.preFilter, .mmHg(150)),
            .pressure(.venous, .mmHg(100)), .pressure(.filtrate, .mmHg(100)),
            .plasmaTemperature(.a, .celsius(37)), .heater(HeaterSample(elementTemperature: .celsius(40))),
            .airDetector(AirDetectorSample(airDetected: false, clampPosition: .closed)), .bloodLeak(.ppm(10)),
        ] + PumpRole.allCases.map { .pump($0, PumpSample(commandedSpeed: .zero, measuredSpeed: .zero)) }
        for reading in nominal { _ = machine.handle(.reading(reading, sampledAt: 0)) }
        initial = machine.state
    }

    func step(_ state: InterlockState, _ event: InterlockEvent) -> (InterlockState, [InterlockAction]) {
        Interlock.transition(state, event, configuration: configuration)
    }

    func outputs(_ state: InterlockState) -> OutputDemand {
        requiredOutputs(activeFaults: state.faults, phase: state.phase, hold: state.hold,
                        setpoints: state.setpoints, configuration: configuration)
    }

    /// What the phase gives with no fault and no hold.
    func nominal(_ state: InterlockState) -> OutputDemand {
        requiredOutputs(activeFaults: [], phase: state.phase, hold: nil, setpoints: state.setpoints, configuration: configuration)
    }

    /// What the exploration saw.
    struct Report {
        var states = 0
        var transitions = 0
        var depth = 0
        var lifecycles: Set<Lifecycle> = []
        var faultSubsets: [TreatmentPhase: Set<Int>] = [:]
        var violations: [String] = []

        mutating func fail(_ message: @autoclosure () -> String) {
            if violations.count < 20 { violations.append(message()) }
        }
    }

    /// Bit mask of the representative conditions active in `state`.
    func subset(_ state: InterlockState) -> Int {
        var mask = 0
        for (bit, toggle) in toggles.enumerated() where state.fault(toggle.condition) != nil { mask |= 1 << bit }
        return mask
    }

    func run(maximumDepth: Int = 64) -> Report {
        var report = Report()
        var seen: Set<InterlockState> = [initial]
        var frontier = [initial]
        while !frontier.isEmpty && report.depth < maximumDepth {
            var next: [InterlockState] = []
            for state in frontier {
                checkState(state, &report)
                for event in alphabet {
                    let (after, actions) = step(state, event)
                    report.transitions += 1
                    checkTransition(state, event, after, actions, &report)
                    if seen.insert(after).inserted { next.append(after) }
                }
            }
            frontier = next
            if !next.isEmpty { report.depth += 1 }
        }
        if !frontier.isEmpty { report.fail("no fixpoint within depth \(maximumDepth): \(frontier.count) states left") }
        report.states = seen.count
        return report
    }

    // MARK: invariants of one transition

    func checkTransition(_ before: InterlockState, _ event: InterlockEvent, _ after: InterlockState,
                         _ actions: [InterlockAction], _ report: inout Report) {
        let demandBefore = outputs(before)
        let demand = outputs(after)
        let commands = actions.compactMap { $0.outputCommand?.action }

        // No pump command leaves the machine while an S1 fault is active (blood pump included).
        let s1Active = after.faults.contains { $0.reaction == .patientSafe } || after.hold == .patientSafe
        if s1Active || after.phase == .fault {
            if commands.contains(where: { if case .runPump = $0 { true } else { false } }) {
                report.fail("pump command with S1 active: \(event) -> \(commands)")
            }
            if !demand.isPatientSafe { report.fail("S1 active but demand \(demand) after \(event)") }
        }
        // Every trip reaches its safe state: the demand after it is the reaction's.
        for case .alarmRaised(let fault) in actions where !demand.satisfies(fault.reaction) {
            report.fail("\(fault.condition) tripped by \(event) but demand is \(demand)")
        }
        // Every fault raised is unacknowledged: no earlier acknowledgement hides it.
        for case .alarmRaised(let fault) in actions where fault.isAcknowledged {
            report.fail("\(fault.condition) raised acknowledged after \(event)")
        }
        for fault in after.faults where before.fault(fault.condition) == nil && fault.isAcknowledged {
            report.fail("new fault \(fault.condition) acknowledged after \(event)")
        }
        // Acknowledging clears nothing whose condition persists.
        if case .command(.acknowledge) = event {
            for fault in before.faults where fault.isConditionPresent && after.fault(fault.condition) == nil {
                report.fail("acknowledging removed \(fault.condition) while present")
            }
        }
        // A latched fault leaves the set only acknowledged (before or by this very event).
        for fault in before.faults where fault.isLatched && after.fault(fault.condition) == nil {
            let acknowledgedNow = actions.contains(.alarmAcknowledged(fault.condition))
            if !fault.isAcknowledged && !acknowledgedNow {
                report.fail("latched \(fault.condition) left unacknowledged on \(event)")
            }
        }
        // Resuming after a latched fault is an explicit operator command: a latched fault that
        // changed the outputs keeps them safe after it leaves the set, until resume (or idle).
        let explicitExit: Bool = switch event {
        case .command(.resume), .command(.returnToIdle): true
        default: false
        }
        if !explicitExit {
            for fault in before.faults where fault.isLatched && fault.reaction.changesOutputs
                && after.fault(fault.condition) == nil && !demand.satisfies(fault.reaction) {
                report.fail("latched \(fault.condition) left and the outputs came back without resume on \(event): \(demand)")
            }
        }
        // A non-latched fault ends by itself when its condition clears (SR-9's S2-warm bypass
        // and SR-6's S2): no acknowledgement, no resume.
        for toggle in toggles where event == toggle.off {
            if let fault = before.fault(toggle.condition), !fault.isLatched, after.fault(toggle.condition) != nil {
                report.fail("non-latched \(toggle.condition) did not end by itself on \(event)")
            }
        }
        // The commands emitted are exactly the difference, in the safe order.
        if apply(commands, to: demandBefore) != Actuators(demand) {
            report.fail("commands \(commands) do not take \(demandBefore) to \(demand) on \(event)")
        }
        if !isSafeOrder(commands) { report.fail("unsafe order \(commands) on \(event)") }
        // A refused command changes nothing.
        for case .commandResult(_, .refused) in actions where after != before {
            report.fail("refused \(event) changed the state")
        }
    }

    // MARK: invariants of one state

    func checkState(_ state: InterlockState, _ report: inout Report) {
        report.lifecycles.insert(state.lifecycle)
        report.faultSubsets[state.phase, default: []].insert(subset(state))
        let demand = outputs(state)
        for fault in state.faults where !demand.satisfies(fault.reaction) {
            report.fail("\(fault.condition) active but demand \(demand)")
        }
        if let hold = state.hold, !demand.satisfies(hold) { report.fail("hold \(hold) but demand \(demand)") }
        if state.phase.isActive, let safe = state.safeState, state.lifecycle != .safe(safe, during: state.phase) {
            report.fail("safe state \(safe) in force but lifecycle \(state.lifecycle)")
        }
        // Every reduction of the outputs shows in the lifecycle, and nothing else does: with
        // no fault or hold that changes the outputs, the outputs are the phase's own.
        let nominal = nominal(state)
        if state.phase.isActive && demand != nominal && state.lifecycle.safeState == nil {
            report.fail("outputs reduced to \(demand) but lifecycle \(state.lifecycle) shows no hold")
        }
        if !(state.reactionInForce?.changesOutputs ?? false) && demand != nominal {
            report.fail("no reaction in force but demand \(demand), not the phase's \(nominal)")
        }
        // S2-warm alone (SR-9's S2 level, with at most alarms): only the plasma drawn from and
        // returned to the patient stops; the blood pump, the loop and the heater keep what the
        // phase gives them, so the plasma rewarms.
        if state.reactionInForce == .plasmaIsolation {
            if !demand.isPlasmaIsolated { report.fail("S2-warm but plasma not isolated: \(demand)") }
            let keeps = demand.bloodPump == nominal.bloodPump && demand.recirculationPump == nominal.recirculationPump
                && demand.returnClamp == nominal.returnClamp
                && (!nominal.runs(.recirculation) || demand.heater == nominal.heater)
            if !keeps { report.fail("S2-warm stopped more than the plasma: \(demand), phase gives \(nominal)") }
        }

        // No dead end: acknowledge, end the treatment, return to idle.
        var escape = state
        for _ in 0..<4 where escape.phase != .idle {
            let command: OperatorCommand =
                escape.hasUnacknowledgedFault ? .acknowledge(.all)
                : (escape.phase == .treating || escape.phase == .paused) ? .endTreatment : .returnToIdle
            let (next, actions) = step(escape, .command(command))
            if !actions.contains(.commandResult(command, .accepted)) {
                report.fail("dead end: \(command) refused in \(escape.lifecycle): \(actions)")
                break
            }
            escape = next
        }
        if escape.phase != .idle { report.fail("no way back to idle from \(state.lifecycle)") }

        // Acknowledged and cleared always allows resumption.
        var acknowledged = state
        if state.hasUnacknowledgedFault { acknowledged = step(state, .command(.acknowledge(.all))).0 }
        let persisting = acknowledged.faults.first { $0.isConditionPresent && ($0.isLatched || $0.reaction == .patientSafe) }
        let (resumed, actions) = step(acknowledged, .command(.resume))
        let accepted = actions.contains(.commandResult(.resume, .accepted))
        if acknowledged.hold != nil && acknowledged.phase.isActive {
            if persisting == nil && !accepted {
                report.fail("acknowledged and cleared but resume refused in \(acknowledged.lifecycle): \(actions)")
            }
            if persisting != nil && accepted { report.fail("resume accepted while \(persisting!.condition) persists") }
            if accepted {
                let remaining = requiredOutputs(activeFaults: resumed.faults, phase: resumed.phase, hold: nil,
                                                setpoints: resumed.setpoints, configuration: configuration)
                if resumed.hold != nil || outputs(resumed) != remaining {
                    report.fail("resume left a hold in \(resumed.lifecycle)")
                }
            }
        } else if acknowledged.phase == .paused && !accepted {
            report.fail("acknowledged pause cannot resume: \(actions)")
        }
    }

    /// The actuators reached by applying `commands` to actuators at `demand`.
    func apply(_ commands: [OutputAction], to demand: OutputDemand) -> Actuators {
        var actuators = Actuators(demand)
        actuators.apply(commands)
        return actuators
    }
}

/// What the actuators are doing, as a plain value a test can build and compare.
struct Actuators: Equatable, CustomStringConvertible {
    var pumps: [PumpRole: FlowRate] = [:]
    var heater: HeaterDemand
    var clamp: ClampDemand

    init(_ demand: OutputDemand) {
        for pump in PumpRole.allCases { pumps[pump] = demand[pump] }
        heater = demand.heater
        clamp = demand.returnClamp
    }

    mutating func apply(_ commands: [OutputAction]) {
        for command in commands {
            switch command {
            case .stopPump(let pump): pumps[pump] = .zero
            case .runPump(let pump, let flow): pumps[pump] = flow
            case .closeReturnClamp: clamp = .closed
            case .openReturnClamp: clamp = .open
            case .heaterOff: heater = .off
            case .heaterOn(let target): heater = .on(target: target)
            }
        }
    }

    var description: String { "\(pumps), heater \(heater), clamp \(clamp)" }
}

/// Safing commands come before enabling ones; safing in the order blood pump, clamp,
/// plasma-side pumps, heater; enabling in the order clamp, blood pump, plasma-side pumps, heater.
func isSafeOrder(_ commands: [OutputAction]) -> Bool {
    func rank(_ command: OutputAction) -> Int {
        switch command {
        case .stopPump(.blood), .stopPump(.infusion): 0
        case .closeReturnClamp: 1
        case .stopPump: 2
        case .heaterOff: 3
        case .openReturnClamp: 4
        case .runPump(.blood, _), .runPump(.infusion, _): 5
        case .runPump: 6
        case .heaterOn: 7
        }
    }
    let ranks = commands.map(rank)
    return zip(ranks, ranks.dropFirst()).allSatisfy { $0 <= $1 }
}

/// One exhaustive exploration: a representative set of conditions in a circuit.
struct ExplorationCase: Sendable, CustomTestStringConvertible {
    let name: String
    let toggles: [Exploration.Toggle]
    let pumps: [PumpRole]
    let flows: [PumpRole]
    var roles: Set<DeviceRole>? = nil
    /// A guard against the search silently shrinking (an alphabet or circuit edited away).
    var minimumStates = 3000
    var minimumTransitions = 75000

    var testDescription: String { name }

    static let all = [
        // Every reaction but heater off, on a circuit without a bioreactor loop; SR-16 is
        // watched in every phase, so S1 is reachable from the self-test and fault too.
        ExplorationCase(name: "SR-16 S1 technical, SR-7 S2 latched, SR-6 S2 non-latching, SR-9 alarm only",
                        toggles: [Exploration.arterialLost, Exploration.bloodLeak, Exploration.transmembrane,
                                  Exploration.coldPlasma],
                        pumps: [], flows: [.blood, .plasma]),
        // The patient-side S1 (watched only while connected, latched across phases where it
        // is not), heater off and S2 together, on a circuit with a bioreactor loop.
        ExplorationCase(name: "SR-1 S1 patient side, SR-11 heater off, SR-7 S2 latched, with recirculation",
                        toggles: [Exploration.air, Exploration.heaterElement, Exploration.bloodLeak],
                        pumps: [.recirculation], flows: [.blood, .plasma, .recirculation]),
        // SR-9's S2-warm with a heater-off fault (the join is S2) and a latched S2, on a circuit
        // with a bioreactor loop: the heater may run with SR-9 alone, and the bypass ends by itself.
        ExplorationCase(name: "SR-9 S2-warm non-latching, SR-11 heater off, SR-7 S2 latched, with recirculation",
                        toggles: [Exploration.veryColdPlasma, Exploration.heaterElement, Exploration.bloodLeak],
                        pumps: [.recirculation], flows: [.blood, .plasma, .recirculation]),
        // The cell-infusion circuit: the infusion pump is the patient line's pump, stopped by
        // every S1 like the blood pump.
        ExplorationCase(name: "cell infusion: SR-1 S1 patient side, SR-16 S1 technical (venous sensor)",
                        toggles: [Exploration.air, Exploration.venousLost],
                        pumps: [], flows: [.infusion], roles: [.infusionPump, .venousPressure, .airDetector],
                        minimumStates: 100, minimumTransitions: 2000),
    ]
}

@Suite("Exhaustive exploration of event sequences")
struct ExhaustiveExplorationTests {
    @Test("every reachable state keeps the invariants: no pump with S1, trips reach their safe state, no dead end, acknowledged and cleared resumes",
          arguments: ExplorationCase.all)
    func exploreToFixpoint(_ explored: ExplorationCase) throws {
        let exploration = try Exploration(explored.toggles, pumps: explored.pumps, flows: explored.flows, roles: explored.roles)
        let clock = ContinuousClock()
        let start = clock.now
        let report = exploration.run()
        let elapsed = clock.now - start
        let subsets = report.faultSubsets.values.reduce(0) { $0 + $1.count }
        print("exploration [\(explored.name)]: \(report.states) states, \(report.transitions) transitions over an alphabet of "
              + "\(exploration.alphabet.count) events, fixpoint at depth \(report.depth) (every event sequence of any length "
              + "is covered), \(report.lifecycles.count) lifecycle states, \(subsets) (phase, fault subset) pairs, \(elapsed)")
        #expect(report.violations.isEmpty, "\(report.violations.joined(separator: "\n"))")
        // A guard against the search silently shrinking (an alphabet or circuit edited away).
        #expect(report.states >= explored.minimumStates && report.transitions >= explored.minimumTransitions,
                "only \(report.states) states, \(report.transitions) transitions")

        // Actually exhaustive: every lifecycle state, and in every active phase every subset
        // of the conditions that phase watches.
        let active: [TreatmentPhase] = [.selfTest, .priming, .ready, .treating, .paused, .ending]
        var expected: Set<Lifecycle> = [.idle, .fault]
        for phase in active {
            expected.insert(Lifecycle(phase))
            for toggle in explored.toggles where toggle.condition.kind.isMonitored(during: phase) {
                if let safe = toggle.condition.reaction.safeState { expected.insert(.safe(safe, during: phase)) }
            }
        }
        #expect(expected.isSubset(of: report.lifecycles), "never reached: \(expected.subtracting(report.lifecycles))")
        for phase in active {
            let bits = exploration.toggles.enumerated()
                .filter { $0.element.condition.kind.isMonitored(during: phase) }.map { 1 << $0.offset }
            let every = (0..<(1 << bits.count)).map { choice in
                bits.enumerated().reduce(0) { choice & (1 << $1.offset) != 0 ? $0 | $1.element : $0 }
            }
            let missing = every.filter { !(report.faultSubsets[phase] ?? []).contains($0) }
            #expect(missing.isEmpty, "\(phase): fault subsets never reached: \(missing)")
        }
    }
}
