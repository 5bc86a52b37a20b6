public import CircuitConfiguration
public import HardwareInterfaces
public import Interlock
import Logging

/// What the supervisor tells the treatment controller, as it happens.
public enum SupervisorEvent: Sendable, CustomStringConvertible {
    /// The lifecycle moved (a command, a trip into a safe state, a resume).
    case lifecycleChanged(from: Lifecycle, to: Lifecycle)
    /// A condition tripped after its persistence: a new alarm, unacknowledged.
    case alarmRaised(ActiveFault)
    /// An alarm's priority rose (SR-6 latching after its latch time).
    case alarmEscalated(ActiveFault)
    /// The operator acknowledged the alarm; it stays while its condition holds.
    case alarmAcknowledged(Condition)
    /// A latched alarm's condition cleared; it stays until acknowledged.
    case alarmConditionCleared(Condition)
    /// The alarm left the active set.
    case alarmCleared(Condition)
    /// An actuator command the interlock demanded, and how the device took it.
    case actuatorCommanded(ActuatorCommand, Result<Void, DeviceError>, elapsed: Duration)
    /// An operator command and the interlock's answer.
    case commandResult(OperatorCommand, CommandResult)
    /// The self-test (SR-18) finished, with every check.
    case selfTestEvaluated(passed: Bool, checks: [SelfTestCheck])
    /// A device stopped or resumed answering.
    case deviceProblem(CircuitRole, DeviceError)
    /// A bus's port vanished: its devices are lost (SR-16) until re-identified.
    case portLost(bus: String, detail: String)
    /// A bus's port came back and every device on it was re-identified.
    case portReturned(bus: String, detail: String)
    /// A bus's port came back with a device that is not the one configured.
    case portRejected(bus: String, detail: String)
    /// The cell infusion delivered its dose; the treatment is ending (pumps stopped).
    case doseDelivered(InfusionProgress)
    /// The journal refused an entry (what failed, and the entry lost): the treatment's
    /// record is incomplete from here. Supervision goes on; the host decides what to do
    /// (the entry is also logged at `.critical`, so the host's log keeps it).
    case journalFailed(String)

    public var description: String {
        switch self {
        case .lifecycleChanged(let from, let to): "state \(from) -> \(to)"
        case .alarmRaised(let f): "ALARM \(f)"
        case .alarmEscalated(let f): "ALARM ESCALATED \(f)"
        case .alarmAcknowledged(let c): "acknowledged \(c)"
        case .alarmConditionCleared(let c): "condition cleared \(c) (awaiting acknowledgement)"
        case .alarmCleared(let c): "alarm cleared \(c)"
        case .actuatorCommanded(let c, let r, let elapsed):
            switch r {
            case .success: "\(c): done on the wire in \(elapsed)"
            case .failure(let e): "\(c): FAILED \(e)"
            }
        case .commandResult(let c, let r): "\(c): \(r)"
        case .selfTestEvaluated(let passed, let checks):
            "self-test \(passed ? "passed" : "FAILED") (\(checks.filter(\.passed).count)/\(checks.count) checks)"
        case .deviceProblem(let role, let e): "\(role.rawValue): \(e)"
        case .portLost(let bus, let detail): "bus \(bus) LOST: \(detail)"
        case .portReturned(let bus, let detail): "bus \(bus) back, re-identified: \(detail)"
        case .portRejected(let bus, let detail): "bus \(bus) back but REJECTED: \(detail)"
        case .doseDelivered(let progress): "dose delivered: \(progress)"
        case .journalFailed(let detail): "JOURNAL FAILURE: \(detail)"
        }
    }

    /// How loud the supervisor logs this event: state changes `.info`, alarms `.warning`
    /// (medium) or `.error` (high), device and port trouble `.warning`/`.error`, a journal
    /// failure `.critical`; what the devices acknowledged `.debug`.
    var logLevel: Logger.Level {
        switch self {
        case .lifecycleChanged, .alarmAcknowledged, .alarmConditionCleared, .alarmCleared, .commandResult,
             .selfTestEvaluated(passed: true, _), .portReturned, .doseDelivered:
            .info
        case .alarmRaised(let fault): fault.priority == .high ? .error : .warning
        case .alarmEscalated: .error
        case .actuatorCommanded(_, .success, _): .debug
        case .actuatorCommanded(_, .failure, _), .deviceProblem, .selfTestEvaluated(passed: false, _): .warning
        case .portLost, .portRejected: .error
        case .journalFailed: .critical
        }
    }

    /// What a host filters on: the event's kind, and its role, bus or safety requirement.
    var logMetadata: Logger.Metadata {
        var metadata: Logger.Metadata = ["event": "\(kind)"]
        switch self {
        case .alarmRaised(let fault), .alarmEscalated(let fault):
            metadata["sr"] = "\(fault.requirement)"
            metadata["condition"] = "\(fault.condition)"
            metadata["priority"] = "\(fault.priority)"
        case .alarmAcknowledged(let condition), .alarmConditionCleared(let condition), .alarmCleared(let condition):
            metadata["sr"] = "\(condition.requirement)"
            metadata["condition"] = "\(condition)"
        case .actuatorCommanded(let command, _, _): metadata["role"] = "\(command.role.rawValue)"
        case .deviceProblem(let role, let error):
            metadata["role"] = "\(role.rawValue)"
            metadata["kind"] = "\(error.kind.rawValue)"
        case .portLost(let bus, _), .portReturned(let bus, _), .portRejected(let bus, _): metadata["bus"] = "\(bus)"
        case .lifecycleChanged, .commandResult, .selfTestEvaluated, .doseDelivered, .journalFailed: break
        }
        return metadata
    }

    /// The case's name, for the log's metadata.
    private var kind: String {
        switch self {
        case .lifecycleChanged: "lifecycleChanged"
        case .alarmRaised: "alarmRaised"
        case .alarmEscalated: "alarmEscalated"
        case .alarmAcknowledged: "alarmAcknowledged"
        case .alarmConditionCleared: "alarmConditionCleared"
        case .alarmCleared: "alarmCleared"
        case .actuatorCommanded: "actuatorCommanded"
        case .commandResult: "commandResult"
        case .selfTestEvaluated: "selfTestEvaluated"
        case .deviceProblem: "deviceProblem"
        case .portLost: "portLost"
        case .portReturned: "portReturned"
        case .portRejected: "portRejected"
        case .doseDelivered: "doseDelivered"
        case .journalFailed: "journalFailed"
        }
    }
}
