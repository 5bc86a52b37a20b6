public import HardwareInterfaces

/// One thing an actuator must do.
public enum OutputAction: Hashable, Sendable, CustomStringConvertible {
    /// Stop the pump.
    case stopPump(PumpRole)
    /// Run the pump at this flow (always above zero).
    case runPump(PumpRole, FlowRate)
    /// Close the return-line clamp.
    case closeReturnClamp
    /// Open the return-line clamp.
    case openReturnClamp
    /// Switch the heater off.
    case heaterOff
    /// Switch the heater on, regulating to this plasma target.
    case heaterOn(target: Temperature)

    /// The action moves toward a safe state (stop, close, off) rather than away from it.
    public var isSafing: Bool {
        switch self {
        case .stopPump, .closeReturnClamp, .heaterOff: true
        case .runPump, .openReturnClamp, .heaterOn: false
        }
    }

    /// "stopPump(bloodPump)".
    public var description: String {
        switch self {
        case .stopPump(let pump): "stopPump(\(pump))"
        case .runPump(let pump, let flow): "runPump(\(pump), \(flow))"
        case .closeReturnClamp: "closeReturnClamp"
        case .openReturnClamp: "openReturnClamp"
        case .heaterOff: "heaterOff"
        case .heaterOn(let target): "heaterOn(\(target))"
        }
    }
}

/// An actuator command issued by the interlock.
///
/// Only this module can create one (its initializer is internal): the actuator path of the
/// supervisor should accept nothing else, so nothing can command an actuator except
/// through the machine's outputs.
public struct OutputCommand: Hashable, Sendable, CustomStringConvertible {
    /// What to do.
    public let action: OutputAction

    init(_ action: OutputAction) { self.action = action }

    /// The action's description.
    public var description: String { action.description }
}
