/// Alarm priority (IEC 60601-1-8). SAFETY.md uses medium and high only.
public enum AlarmPriority: Int, Hashable, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// Medium priority: prompt operator response.
    case medium = 1
    /// High priority: immediate operator response.
    case high = 2

    /// Orders medium before high.
    public static func < (a: AlarmPriority, b: AlarmPriority) -> Bool { a.rawValue < b.rawValue }

    /// "medium" or "high".
    public var description: String { self == .high ? "high" : "medium" }
}
