/// What a condition does to the outputs while it is active, from the weakest to the strongest.
///
/// The order is one of inclusion for the output reactions, with one exception: heater off
/// and plasma isolation (S2-warm) constrain different outputs, so neither includes the
/// other; S2 includes both. Reactions are combined with ``joined(with:)`` (the weakest
/// reaction that includes both), never with `max`: the outputs are derived from the join of
/// every active fault's reaction and the hold (see
/// ``requiredOutputs(activeFaults:phase:hold:setpoints:configuration:)``).
public enum SafetyReaction: Int, Hashable, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// An alarm only: the outputs do not change (SR-9 low, SR-14, SR-17).
    case alarmOnly = 0
    /// Treatment cannot start; the outputs of the fault phase already hold everything off (SR-18).
    case preventTreatmentStart
    /// The heater is switched off; the pumps keep running (SR-11).
    case heaterOff
    /// S2-warm, plasma isolated from the patient while it is rewarmed (SR-9's S2 level): the
    /// pumps that draw plasma from the separator and return it to the blood line (plasma and
    /// plasma-return pumps) stop; the blood pump, the recirculation loop and the heater keep
    /// running, so the plasma in the loop warms back.
    case plasmaIsolation
    /// S2, plasma bypass.
    case plasmaBypass
    /// S1, patient safe.
    case patientSafe

    /// The safe state this reaction demands, if any: every reaction that changes the outputs
    /// is shown in the lifecycle.
    public var safeState: SafeState? {
        switch self {
        case .heaterOff: .heaterOff
        case .plasmaIsolation: .s2Warm
        case .plasmaBypass: .s2
        case .patientSafe: .s1
        case .alarmOnly, .preventTreatmentStart: nil
        }
    }

    /// The reaction changes what the actuators do (and so, when latched, holds them until
    /// an explicit resume).
    public var changesOutputs: Bool { self >= .heaterOff }

    /// The weakest reaction that includes both: the larger, except that heater off and
    /// plasma isolation together are S2 (the plasma cannot be rewarmed with the heater held
    /// off, so the loop stops too, as in plain S2).
    public func joined(with other: SafetyReaction) -> SafetyReaction {
        if Set([self, other]) == [.heaterOff, .plasmaIsolation] { return .plasmaBypass }
        return max(self, other)
    }

    /// The join of `reactions` (nil for none).
    public static func joined(_ reactions: some Sequence<SafetyReaction>) -> SafetyReaction? {
        reactions.reduce(nil) { (joined: SafetyReaction?, next: SafetyReaction) in joined?.joined(with: next) ?? next }
    }

    /// Orders from the weakest to the strongest (a total order for sorting and display;
    /// combine with ``joined(with:)``).
    public static func < (a: SafetyReaction, b: SafetyReaction) -> Bool { a.rawValue < b.rawValue }

    /// A short name: "alarm", "no treatment start", "heater off", "S2-warm", "S2", "S1".
    public var description: String {
        switch self {
        case .alarmOnly: "alarm"
        case .preventTreatmentStart: "no treatment start"
        case .heaterOff: "heater off"
        case .plasmaIsolation: "S2-warm"
        case .plasmaBypass: "S2"
        case .patientSafe: "S1"
        }
    }
}
