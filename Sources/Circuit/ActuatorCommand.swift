public import CircuitConfiguration
public import HardwareInterfaces

/// A command to an actuator. Only the supervisor issues them during a treatment.
public enum ActuatorCommand: Sendable, Equatable, CustomStringConvertible {
    /// Set the flow, then run (forward).
    case runPump(CircuitRole, FlowRate)
    /// Stop the pump (its control word written as zero: the rotor stops).
    case stopPump(CircuitRole)
    /// Open the return-line clamp (the air detector drives it).
    case openClamp
    /// Close the return-line clamp (S1).
    case closeClamp
    /// Set the set-point, then enable.
    case enableHeater(Temperature)
    /// Switch the heater off (S1, S2, SR-11).
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
