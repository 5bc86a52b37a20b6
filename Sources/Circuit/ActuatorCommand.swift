public import CircuitConfiguration
public import HardwareInterfaces

/// A command to an actuator. Only the supervisor issues them during a treatment.
public enum ActuatorCommand: Sendable, Equatable, CustomStringConvertible {
    /// Set the flow, then run (forward).
    case runPump(CircuitRole, FlowRate)
    case stopPump(CircuitRole)
    case openClamp
    case closeClamp
    /// Set the set-point, then enable.
    case enableHeater(Temperature)
    case disableHeater
    /// Clear the device's latched faults whose causes have gone.
    case faultReset(CircuitRole)

    /// The role the command goes to.
    public var role: CircuitRole {
        switch self {
        case .runPump(let r, _), .stopPump(let r), .faultReset(let r): r
        case .openClamp, .closeClamp: .airDetector
        case .enableHeater, .disableHeater: .plasmaHeater
        }
    }

    /// Commands that make the circuit safer jump every queue.
    public var isSafetyCommand: Bool {
        switch self {
        case .stopPump, .closeClamp, .disableHeater: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .runPump(let r, let f): "run \(r.rawValue) at \(f)"
        case .stopPump(let r): "stop \(r.rawValue)"
        case .openClamp: "open the return clamp"
        case .closeClamp: "close the return clamp"
        case .enableHeater(let t): "heater on at \(t)"
        case .disableHeater: "heater off"
        case .faultReset(let r): "fault reset \(r.rawValue)"
        }
    }
}
