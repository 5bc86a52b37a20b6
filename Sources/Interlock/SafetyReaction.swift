/// What a condition does to the outputs while it is active, from the weakest to the strongest.
///
/// The order is one of inclusion for the output reactions: S1 stops everything S2 stops,
/// and S2 includes heater off. The outputs are derived as the union of the reactions of
/// every active fault (see ``requiredOutputs(activeFaults:phase:hold:setpoints:configuration:)``).
public enum SafetyReaction: Int, Hashable, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// An alarm only: the outputs do not change (SR-9 low, SR-14, SR-17).
    case alarmOnly = 0
    /// Treatment cannot start; the outputs of the fault phase already hold everything off (SR-18).
    case preventTreatmentStart
    /// The heater is switched off; the pumps keep running (SR-11).
    case heaterOff
    /// S2, plasma bypass.
    case plasmaBypass
    /// S1, patient safe.
    case patientSafe

    /// The safe state this reaction demands, if any.
    public var safeState: SafeState? {
        switch self {
        case .plasmaBypass: .s2
        case .patientSafe: .s1
        default: nil
        }
    }

    /// The reaction changes what the actuators do (and so, when latched, holds them until
    /// an explicit resume).
    public var changesOutputs: Bool { self >= .heaterOff }

    /// Orders from the weakest to the strongest.
    public static func < (a: SafetyReaction, b: SafetyReaction) -> Bool { a.rawValue < b.rawValue }

    /// A short name: "alarm", "no treatment start", "heater off", "S2", "S1".
    public var description: String {
        switch self {
        case .alarmOnly: "alarm"
        case .preventTreatmentStart: "no treatment start"
        case .heaterOff: "heater off"
        case .plasmaBypass: "S2"
        case .patientSafe: "S1"
        }
    }
}
