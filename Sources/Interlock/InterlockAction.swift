/// What the interlock tells its supervisor after an event. Output commands come first (in
/// the safe order, so they can be applied at once), then the command's result, the alarms,
/// and the lifecycle change.
public enum InterlockAction: Hashable, Sendable, CustomStringConvertible {
    /// An actuator must change: the difference between the previous and the new demand.
    case output(OutputCommand)
    /// A fault tripped (always unacknowledged).
    case alarmRaised(ActiveFault)
    /// A fault latched and rose in priority (SR-6 persisting past its latch time); it needs
    /// a new acknowledgement.
    case alarmEscalated(ActiveFault)
    /// The operator acknowledged an alarm.
    case alarmAcknowledged(Condition)
    /// A latched fault's condition cleared; the alarm stays until acknowledged.
    case alarmConditionCleared(Condition)
    /// A fault left the active set.
    case alarmCleared(Condition)
    /// The lifecycle changed.
    case lifecycleChanged(from: Lifecycle, to: Lifecycle)
    /// The self-test result was evaluated (SR-18); `failures` names what failed or was not checked.
    case selfTestEvaluated(passed: Bool, failures: [String])
    /// The answer to an operator command.
    case commandResult(OperatorCommand, CommandResult)
    /// The event changed nothing, for this reason.
    case eventIgnored(IgnoredEvent)

    /// The output command, if this is one.
    public var outputCommand: OutputCommand? {
        if case .output(let command) = self { return command }
        return nil
    }

    /// A line for logs.
    public var description: String {
        switch self {
        case .output(let command): "output \(command)"
        case .alarmRaised(let fault): "alarm raised \(fault)"
        case .alarmEscalated(let fault): "alarm escalated \(fault)"
        case .alarmAcknowledged(let condition): "alarm acknowledged \(condition)"
        case .alarmConditionCleared(let condition): "alarm condition cleared \(condition) (awaiting acknowledgement)"
        case .alarmCleared(let condition): "alarm cleared \(condition)"
        case .lifecycleChanged(let from, let to): "lifecycle \(from) -> \(to)"
        case .selfTestEvaluated(let passed, let failures):
            "self-test \(passed ? "passed" : "failed")" + (failures.isEmpty ? "" : ": " + failures.joined(separator: "; "))
        case .commandResult(let command, let result): "\(command): \(result)"
        case .eventIgnored(let reason): "ignored: \(reason)"
        }
    }
}

/// Why an event changed nothing.
public enum IgnoredEvent: Hashable, Sendable, CustomStringConvertible {
    /// The circuit has no such device.
    case roleAbsent(DeviceRole)
    /// The reading is older than the device's latest.
    case sampleOutOfOrder(DeviceRole)
    /// A tick earlier than the clock (time is monotonic).
    case timeWentBackwards(Double)
    /// A self-test result outside the self-test.
    case selfTestResultOutsideSelfTest

    /// Why, in words.
    public var description: String {
        switch self {
        case .roleAbsent(let role): "the circuit has no \(role)"
        case .sampleOutOfOrder(let role): "a \(role) sample older than its latest"
        case .timeWentBackwards(let time): "tick at \(time) is before the clock"
        case .selfTestResultOutsideSelfTest: "a self-test result outside the self-test"
        }
    }
}
