public import HardwareInterfaces

/// What the operator (through the treatment controller) asks of the machine. Every command
/// gets a ``CommandResult``: accepted, or refused with its reason.
public enum OperatorCommand: Hashable, Sendable, CustomStringConvertible {
    /// Start the self-test of the protective system (idle → selfTest).
    case startSelfTest
    /// Start priming once the self-test passed (selfTest → priming).
    case startPriming
    /// Priming done, the circuit is air-free (priming → ready).
    case finishPriming
    /// Start the treatment (ready → treating).
    case startTreatment
    /// Set one pump's flow (priming, treating, paused; zero or within its configured range).
    case setFlow(PumpRole, FlowRate)
    /// Pause the treatment (treating → paused).
    case pause
    /// Lift the safety hold after a latched trip (once its faults are acknowledged and
    /// cleared); without a hold, leave the pause (paused → treating).
    case resume
    /// Acknowledge alarms. Acknowledging never clears a condition that persists.
    case acknowledge(AcknowledgeTarget)
    /// End the treatment (treating or paused → ending), allowed in any safe state.
    case endTreatment
    /// Back to idle (from selfTest, priming, ready, ending or fault) once every alarm is acknowledged.
    case returnToIdle

    /// "setFlow(bloodPump, 150.0 mL/min)".
    public var description: String {
        switch self {
        case .startSelfTest: "startSelfTest"
        case .startPriming: "startPriming"
        case .finishPriming: "finishPriming"
        case .startTreatment: "startTreatment"
        case .setFlow(let pump, let flow): "setFlow(\(pump), \(flow))"
        case .pause: "pause"
        case .resume: "resume"
        case .acknowledge(let target): "acknowledge(\(target))"
        case .endTreatment: "endTreatment"
        case .returnToIdle: "returnToIdle"
        }
    }
}

/// Which alarms an acknowledgement is for.
public enum AcknowledgeTarget: Hashable, Sendable, CustomStringConvertible {
    /// Every active alarm.
    case all
    /// One alarm.
    case fault(Condition)

    /// "all" or the condition.
    public var description: String {
        switch self {
        case .all: "all"
        case .fault(let condition): condition.description
        }
    }
}
