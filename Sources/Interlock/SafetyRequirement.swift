/// The rows of the safety requirements table (../shared/design/SAFETY.md), by id.
///
/// Every condition the interlock watches names the row it implements, and every test
/// names the row it verifies (the ABZ pattern: requirements carry ids).
public enum SafetyRequirement: Int, Hashable, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// Air detected at the return line.
    case sr1 = 1
    /// Venous (return) pressure high.
    case sr2
    /// Venous pressure low (disconnection).
    case sr3
    /// Arterial (access) pressure low.
    case sr4
    /// Pre-filter pressure high (clotting).
    case sr5
    /// Transmembrane pressure at the plasma separator high.
    case sr6
    /// Blood leak in plasma.
    case sr7
    /// Plasma temperature high (either probe).
    case sr8
    /// Plasma temperature low.
    case sr9
    /// Redundant temperature probes disagree.
    case sr10
    /// Heater element over-temperature.
    case sr11
    /// Pump speed differs from its command (tachometer).
    case sr12
    /// Pump firmware reports door open, occlusion, reversed rotation (or another pump fault).
    case sr13
    /// Blood pump stopped during treatment.
    case sr14
    /// Stale data: a safety-relevant reading older than its deadline.
    case sr15
    /// Device gone: udev remove, port error, repeated failures.
    case sr16
    /// Frozen sensor: bit-identical pressure while the blood pump runs.
    case sr17
    /// Self-test failed.
    case sr18

    /// The id as SAFETY.md writes it: "SR-1" … "SR-18".
    public var id: String { "SR-\(rawValue)" }

    /// The condition as SAFETY.md names it.
    public var title: String {
        switch self {
        case .sr1: "air detected at return line"
        case .sr2: "venous (return) pressure high"
        case .sr3: "venous pressure low (disconnection)"
        case .sr4: "arterial (access) pressure low"
        case .sr5: "pre-filter pressure high (clotting)"
        case .sr6: "transmembrane pressure at plasma separator"
        case .sr7: "blood leak in plasma"
        case .sr8: "plasma temperature high"
        case .sr9: "plasma temperature low"
        case .sr10: "redundant temperature sensors disagree"
        case .sr11: "heater element over-temperature"
        case .sr12: "pump speed differs from command"
        case .sr13: "pump fault reported by firmware"
        case .sr14: "blood pump stopped during treatment"
        case .sr15: "stale data"
        case .sr16: "device gone"
        case .sr17: "frozen sensor"
        case .sr18: "self-test failed"
        }
    }

    /// Orders by row number.
    public static func < (a: SafetyRequirement, b: SafetyRequirement) -> Bool { a.rawValue < b.rawValue }

    /// The id ("SR-6").
    public var description: String { id }
}
