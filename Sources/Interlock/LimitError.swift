/// Why a set of limits was refused. The error names the limit and, for a loosening, the
/// hard bound it went past.
public enum LimitError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The limit was loosened past its hard bound (a constant in code: operators may only tighten).
    case pastHardBound(InterlockLimit, value: Double, hardBound: Double)
    /// The limit would make no sense: not a finite number, negative where only positive
    /// makes sense, or in the wrong order against a related limit.
    case nonsensical(InterlockLimit, value: Double, reason: String)

    /// The limit at fault.
    public var limit: InterlockLimit {
        switch self {
        case .pastHardBound(let limit, _, _), .nonsensical(let limit, _, _): limit
        }
    }

    /// "SR-2 venous pressure high limit: 500 mmHg is past its hard bound 450 mmHg".
    public var description: String {
        switch self {
        case .pastHardBound(let limit, let value, let bound):
            "\(limit): \(number(value)) \(limit.unit) is past its hard bound \(number(bound)) \(limit.unit)"
                + " (operators may only tighten)"
        case .nonsensical(let limit, let value, let reason):
            "\(limit): \(number(value)) \(limit.unit) makes no sense: \(reason)"
        }
    }
}

/// A number for people: whole numbers without ".0", others to at most six decimals
/// (3 × 0.15 reads "0.45", not "0.44999999999999996"). No Foundation formatting here.
func number(_ value: Double) -> String {
    guard value.isFinite, abs(value) < 1e12 else { return String(value) }
    let rounded = (value * 1_000_000).rounded() / 1_000_000
    if rounded == rounded.rounded() { return String(Int64(rounded)) }
    return String(rounded)
}
