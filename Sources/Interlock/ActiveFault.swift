/// One alarm in the active set, with its two-stage latch.
///
/// A latched fault stays until it is acknowledged AND its condition has cleared;
/// acknowledging while the condition persists clears nothing. A non-latching fault
/// leaves the set when its condition clears, acknowledged or not. Every fault is raised
/// unacknowledged: an earlier acknowledgement never hides a new fault.
public struct ActiveFault: Hashable, Sendable, Identifiable, CustomStringConvertible {
    /// The condition (the alarm's identity).
    public let condition: Condition
    /// When it tripped (monotonic seconds).
    public let trippedAt: Double
    /// The operator has acknowledged it.
    public internal(set) var isAcknowledged: Bool
    /// Its condition still holds (false: cleared, waiting for the acknowledgement).
    public internal(set) var isConditionPresent: Bool
    /// It stays until acknowledged and cleared (SR-6 latches only after its latch time).
    public internal(set) var isLatched: Bool
    /// Its priority now (SR-6 escalates from medium to high when it latches).
    public internal(set) var priority: AlarmPriority
    /// What was seen when it tripped ("venous 320.0 mmHg", "doorOpen", failed self-test checks).
    public let detail: String

    /// The alarm's identity.
    public var id: Condition { condition }
    /// The SAFETY.md row.
    public var requirement: SafetyRequirement { condition.requirement }
    /// What it does to the outputs while active.
    public var reaction: SafetyReaction { condition.reaction }
    /// A technical alarm (SR-15, SR-16, SR-17).
    public var isTechnical: Bool { condition.kind.isTechnical }

    /// "SR-2 venous pressure high [high, latched, unacknowledged, present]: venous 320.0 mmHg".
    public var description: String {
        var flags = [priority.description]
        if isTechnical { flags.append("technical") }
        flags.append(isLatched ? "latched" : "not latched")
        flags.append(isAcknowledged ? "acknowledged" : "unacknowledged")
        flags.append(isConditionPresent ? "present" : "cleared")
        return "\(condition) [\(flags.joined(separator: ", "))]" + (detail.isEmpty ? "" : ": \(detail)")
    }
}
