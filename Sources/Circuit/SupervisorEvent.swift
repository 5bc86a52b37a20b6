public import CircuitConfiguration
public import HardwareInterfaces
public import Interlock

/// What the supervisor tells the treatment controller, as it happens.
public enum SupervisorEvent: Sendable, CustomStringConvertible {
    case lifecycleChanged(from: Lifecycle, to: Lifecycle)
    case alarmRaised(ActiveFault)
    case alarmEscalated(ActiveFault)
    case alarmAcknowledged(Condition)
    case alarmConditionCleared(Condition)
    case alarmCleared(Condition)
    /// An actuator command the interlock demanded, and how the device took it.
    case actuatorCommanded(ActuatorCommand, Result<Void, DeviceError>, elapsed: Duration)
    case commandResult(OperatorCommand, CommandResult)
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
        }
    }
}
