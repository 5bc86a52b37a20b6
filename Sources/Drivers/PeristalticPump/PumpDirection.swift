/// Which way the rotor turns.
public enum PumpDirection: Hashable, Sendable, CaseIterable {
    /// Clockwise: the treatment direction.
    case forward
    /// Counter-clockwise: for priming and clearing only (the control word's `reverse` bit).
    case reverse
}
