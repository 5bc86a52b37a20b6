public import HardwareInterfaces

/// The answer to an ``OperatorCommand``.
public enum CommandResult: Hashable, Sendable, CustomStringConvertible {
    /// The command took effect.
    case accepted
    /// The command was refused and changed nothing.
    case refused(CommandRefusal)

    /// The command took effect.
    public var isAccepted: Bool { self == .accepted }

    /// "accepted" or "refused: …".
    public var description: String {
        switch self {
        case .accepted: "accepted"
        case .refused(let reason): "refused: \(reason)"
        }
    }
}

/// Why a command was refused.
public enum CommandRefusal: Hashable, Sendable, CustomStringConvertible {
    /// The command is not allowed in this lifecycle state.
    case notAllowed(in: Lifecycle)
    /// An alarm has not been acknowledged.
    case unacknowledgedFault(Condition)
    /// A fault whose reaction is S1 is still active (its condition persists).
    case s1FaultActive(Condition)
    /// A latched fault's condition persists (acknowledged, not cleared).
    case faultConditionPersists(Condition)
    /// A fault with a safe-state reaction is active: treatment cannot start.
    case safetyFaultActive(Condition)
    /// A safety hold is in force; resume it first.
    case safetyHold(SafetyReaction)
    /// The self-test has not passed.
    case selfTestNotPassed
    /// The set-point is outside the pump's configured range (or not a finite, non-negative flow).
    case flowOutOfRange(PumpRole, FlowRate, allowed: FlowRange)
    /// The circuit has no such device.
    case roleAbsent(DeviceRole)
    /// The air detector reports air (priming cannot finish, treatment cannot start).
    case airDetected
    /// The return-line clamp's feedback reports a fault.
    case returnClampFault
    /// There is no unacknowledged alarm.
    case nothingToAcknowledge
    /// The alarm named is not active.
    case noSuchFault(Condition)
    /// There is neither a hold to lift nor a pause to leave.
    case nothingToResume

    /// Why, in words.
    public var description: String {
        switch self {
        case .notAllowed(let lifecycle): "not allowed in \(lifecycle)"
        case .unacknowledgedFault(let condition): "\(condition) is not acknowledged"
        case .s1FaultActive(let condition): "\(condition) (S1) is still active"
        case .faultConditionPersists(let condition): "\(condition) persists"
        case .safetyFaultActive(let condition): "\(condition) is active"
        case .safetyHold(let reaction): "a safety hold (\(reaction)) is in force: resume first"
        case .selfTestNotPassed: "the self-test has not passed"
        case .flowOutOfRange(let pump, let flow, let range): "\(flow) for \(pump) is outside \(range)"
        case .roleAbsent(let role): "the circuit has no \(role)"
        case .airDetected: "the air detector reports air"
        case .returnClampFault: "the return clamp reports a fault"
        case .nothingToAcknowledge: "no alarm to acknowledge"
        case .noSuchFault(let condition): "\(condition) is not active"
        case .nothingToResume: "nothing to resume"
        }
    }
}
