public import HardwareInterfaces

/// The flow set-points a pump accepts: zero (stop), or from ``minimum`` to ``maximum``.
///
/// Kept as two bounds rather than a `ClosedRange`, so that a reversed range is a
/// validation error naming the limit instead of a trap.
public struct FlowRange: Hashable, Sendable, CustomStringConvertible {
    /// The smallest non-zero set-point.
    public var minimum: FlowRate
    /// The largest set-point.
    public var maximum: FlowRate

    /// A range from its bounds.
    public init(minimum: FlowRate, maximum: FlowRate) {
        self.minimum = minimum
        self.maximum = maximum
    }

    /// `flow` is zero or within the bounds (and finite).
    public func allows(_ flow: FlowRate) -> Bool {
        let value = flow.millilitersPerMinute
        guard value.isFinite else { return false }
        return value == 0 || (minimum <= flow && flow <= maximum)
    }

    /// "0 or 50.0 mL/min … 400.0 mL/min".
    public var description: String { "0 or \(minimum) … \(maximum)" }
}

/// The flow range of each pump.
public struct FlowRanges: Hashable, Sendable {
    /// Blood pump.
    public var blood = HardBounds.flowRange(for: .blood)
    /// Plasma pump.
    public var plasma = HardBounds.flowRange(for: .plasma)
    /// Recirculation pump.
    public var recirculation = HardBounds.flowRange(for: .recirculation)
    /// Plasma return pump.
    public var plasmaReturn = HardBounds.flowRange(for: .plasmaReturn)
    /// Infusion pump.
    public var infusion = HardBounds.flowRange(for: .infusion)

    /// The widest ranges (the hard bounds).
    public init() {}

    /// The range of `pump`.
    public subscript(pump: PumpRole) -> FlowRange {
        get {
            switch pump {
            case .blood: blood
            case .plasma: plasma
            case .recirculation: recirculation
            case .plasmaReturn: plasmaReturn
            case .infusion: infusion
            }
        }
        set {
            switch pump {
            case .blood: blood = newValue
            case .plasma: plasma = newValue
            case .recirculation: recirculation = newValue
            case .plasmaReturn: plasmaReturn = newValue
            case .infusion: infusion = newValue
            }
        }
    }
}
