import Foundation

/// Durations as scenarios write them: "500ms", "2s", "1.5 s", "2min". A bare number is
/// refused: a deadline without a unit is a deadline nobody can read.
public enum DurationText {
    /// The duration `text` writes (a number and one of ms, s, min); nil without a unit or
    /// with an unknown one.
    public static func parse(_ text: String) -> Duration? {
        let t = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ms", 0.001), ("min", 60), ("s", 1)]
        for (suffix, scale) in units where t.hasSuffix(suffix) {
            let number = t.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
            guard let value = Double(number), value.isFinite, value >= 0, value * scale <= 3600 else { return nil }
            return .milliseconds(Int64((value * scale * 1000).rounded()))
        }
        return nil
    }
}
