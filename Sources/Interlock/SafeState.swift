/// The reduced-output states the lifecycle shows (SAFETY.md, "Safe states"), from the
/// weakest to the strongest: every reaction that changes the outputs, so a controller
/// following the lifecycle sees every hold.
public enum SafeState: Hashable, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// Heater held off (SR-11): the pumps keep their set flows, only the heater is off.
    case heaterOff
    /// S2-warm — plasma isolated while it is rewarmed (SR-9's S2 level): plasma and
    /// plasma-return pumps stopped; blood pump, recirculation loop and heater running.
    case s2Warm
    /// S2 — plasma bypass: plasma, recirculation and return pumps stopped and heater off;
    /// the blood pump keeps its set flow so the separator does not clot; the bioreactor
    /// is isolated (its pumps stopped). For faults on the plasma side.
    case s2
    /// S1 — patient safe: every pump stopped, heater off, return-line clamp closed.
    /// For any fault on the blood side or any loss of knowledge.
    case s1

    /// Orders from the weakest to the strongest (S1 includes everything S2 stops, S2 includes
    /// S2-warm and heater off; S2-warm and heater off reduce different outputs).
    public static func < (a: SafeState, b: SafeState) -> Bool { a.rank < b.rank }

    private var rank: Int {
        switch self {
        case .heaterOff: 0
        case .s2Warm: 1
        case .s2: 2
        case .s1: 3
        }
    }

    /// "S1", "S2", "S2-warm" or "heater off".
    public var description: String {
        switch self {
        case .heaterOff: "heater off"
        case .s2Warm: "S2-warm"
        case .s2: "S2"
        case .s1: "S1"
        }
    }
}
