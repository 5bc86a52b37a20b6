/// The two safe states of SAFETY.md.
public enum SafeState: Hashable, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// S2 — plasma bypass: plasma, recirculation and return pumps stopped and heater off;
    /// the blood pump keeps its set flow so the separator does not clot; the bioreactor
    /// is isolated (its pumps stopped). For faults on the plasma side.
    case s2
    /// S1 — patient safe: every pump stopped, heater off, return-line clamp closed.
    /// For any fault on the blood side or any loss of knowledge.
    case s1

    /// S1 is the stronger state: it includes everything S2 stops.
    public static func < (a: SafeState, b: SafeState) -> Bool { a == .s2 && b == .s1 }

    /// "S1" or "S2".
    public var description: String { self == .s1 ? "S1" : "S2" }
}
