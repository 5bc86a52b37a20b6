/// The safety interlock: a pure, deterministic state machine,
/// `(state, event) -> (state, [action])`. No clock, no I/O, no concurrency: time and
/// readings arrive as events, and the actions say what the actuators must do.
///
/// Each event is handled in three steps:
/// 1. the event updates knowledge (readings, failures), or is gated and executed (commands);
/// 2. every condition of SAFETY.md (SR-1…SR-17) is evaluated on that knowledge, in the
///    current phase, through its persistence timer and two-stage latch, into the set of
///    active faults (SR-18 comes from the self-test result);
/// 3. the outputs are derived from the active set, the phase, the hold and the set-points
///    (``requiredOutputs(activeFaults:phase:hold:setpoints:configuration:)``), and the
///    difference from the previous demand is emitted in the safe order.
public struct Interlock: Hashable, Sendable {
    /// The circuit and its validated limits.
    public let configuration: InterlockConfiguration
    /// The machine's state.
    public internal(set) var state: InterlockState

    /// A machine in idle, its clock at `startTime` (the supervisor's monotonic seconds now),
    /// every output off.
    public init(configuration: InterlockConfiguration, startTime: Double = 0) {
        self.configuration = configuration
        self.state = InterlockState(startTime: startTime)
    }

    /// The outputs demanded now (see ``requiredOutputs(activeFaults:phase:hold:setpoints:configuration:)``).
    public var outputs: OutputDemand {
        requiredOutputs(activeFaults: state.faults, phase: state.phase, hold: state.hold,
                        setpoints: state.setpoints, configuration: configuration)
    }

    /// The lifecycle as SAFETY.md draws it.
    public var lifecycle: Lifecycle { state.lifecycle }

    /// The commands that bring actuators in an unknown state to the current demand: for
    /// the supervisor to apply once at start, before the first event.
    public var initialCommands: [OutputCommand] { outputs.commands(from: nil) }

    /// The whole present demand as commands, in the safe order: re-sent to devices that
    /// may have lost it (a port that vanished and came back).
    public var demandCommands: [OutputCommand] { outputs.commands(from: nil) }

    /// Handles one event: updates the state and returns the actions — output commands first
    /// (in the safe order), then the command's result, the alarms, and the lifecycle change.
    public mutating func handle(_ event: InterlockEvent) -> [InterlockAction] {
        let demandBefore = outputs
        let lifecycleBefore = lifecycle
        var notes: [InterlockAction] = []

        switch event {
        case .tick(let time):
            if time < state.now { notes.append(.eventIgnored(.timeWentBackwards(time))) }
            advanceClock(to: time)
        case .reading(let reading, let time):
            record(reading, sampledAt: time, notes: &notes)
        case .readingFailed(let role, let kind):
            recordFailure(of: role, kind: kind, notes: &notes)
        case .deviceLost(let role):
            recordLoss(of: role, detail: "device removed or port error", notes: &notes)
        case .unrecoverableHardware(let role, let detail):
            declareUnrecoverable(role, detail: detail, notes: &notes)
        case .selfTestCompleted(let checks):
            evaluateSelfTest(checks, notes: &notes)
        case .command(let command):
            let result = execute(command, notes: &notes)
            notes.insert(.commandResult(command, result), at: 0)
        }

        evaluateConditions(notes: &notes)

        let demand = outputs
        for pump in PumpRole.allCases {
            if demand.runs(pump) {
                state.knowledge.pumpStopDemandedSince[pump.index] = nil
            } else if state.knowledge.pumpStopDemandedSince[pump.index] == nil {
                state.knowledge.pumpStopDemandedSince[pump.index] = state.now
            }
        }
        var actions = demand.commands(from: demandBefore).map(InterlockAction.output)
        actions += notes
        let lifecycleAfter = lifecycle
        if lifecycleAfter != lifecycleBefore {
            actions.append(.lifecycleChanged(from: lifecycleBefore, to: lifecycleAfter))
        }
        return actions
    }

    /// The transition function itself: the state after `event`, and the actions.
    public static func transition(_ state: InterlockState, _ event: InterlockEvent,
                                  configuration: InterlockConfiguration) -> (InterlockState, [InterlockAction]) {
        var machine = Interlock(configuration: configuration, state: state)
        let actions = machine.handle(event)
        return (machine.state, actions)
    }

    init(configuration: InterlockConfiguration, state: InterlockState) {
        self.configuration = configuration
        self.state = state
    }

    /// Time only moves forward.
    mutating func advanceClock(to time: Double) {
        if time > state.now { state.now = time }
    }
}
