import FirmwareProtocols
import HardwareInterfaces

/// Reads the fields of a value reply, each range-checked against the specification:
/// anything outside it is an `implausibleValue`, never a number passed on.
enum AsciiPumpFieldParsing {
    typealias Spec = AsciiPumpLineProtocol
    typealias Problem = AsciiPumpFraming.Problem

    static func nonsense(_ field: String, _ text: Substring, _ expected: String) -> Problem {
        Problem(.implausibleValue, "\(field) \(AsciiPumpFraming.show(Array(text.utf8))) is not \(expected)")
    }

    /// A decimal field's engineering value.
    static func decimal(_ field: Spec.DecimalField, _ text: Substring) throws(Problem) -> Double {
        let range = "\(field.rawRange.lowerBound)…\(field.rawRange.upperBound)"
        guard !text.isEmpty, text.count <= field.maximumDigits, text.utf8.allSatisfy(AsciiPumpFraming.isDigit), let raw = Int(text) else {
            throw nonsense(field.name, text, "1 to \(field.maximumDigits) decimal digits")
        }
        guard field.rawRange.contains(raw) else { throw nonsense(field.name, text, "within \(range)") }
        return field.value(raw: raw)
    }

    /// `0` or `1`.
    static func flag(_ name: String, _ text: Substring) throws(Problem) -> Bool {
        switch text {
        case "0": return false
        case "1": return true
        default: throw nonsense(name, text, "0 or 1")
        }
    }

    /// The rotor direction.
    static func direction(_ text: Substring) throws(Problem) -> Spec.Direction {
        guard let direction = Spec.Direction(rawValue: String(text)) else {
            throw nonsense("direction", text, Spec.Direction.allCases.map(\.rawValue).joined(separator: " or "))
        }
        return direction
    }

    /// The fault flags: exactly the specified digits, no undefined bit.
    static func faults(_ text: Substring) throws(Problem) -> Spec.Faults {
        guard text.count == Spec.Faults.digits, text.utf8.allSatisfy(AsciiPumpFraming.isUpperHexDigit), let raw = UInt8(text, radix: 16) else {
            throw nonsense("faults", text, "\(Spec.Faults.digits) upper-case hexadecimal digits")
        }
        let faults = Spec.Faults(rawValue: raw)
        guard faults.isSubset(of: Spec.Faults.defined) else { throw nonsense("faults", text, "made of defined fault bits only") }
        return faults
    }

    /// Upper-case letters, digits and '-', 1…maximumLength of them.
    static func text(_ field: Spec.Field, _ text: Substring) throws(Problem) -> String {
        guard case .text(let maximumLength) = field.format else { return String(text) }
        let allowed = text.utf8.allSatisfy { AsciiPumpFraming.isDigit($0) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || $0 == UInt8(ascii: "-") }
        guard !text.isEmpty, text.count <= maximumLength, allowed else {
            throw nonsense(field.name, text, "1 to \(maximumLength) of A-Z, 0-9 and -")
        }
        return String(text)
    }

    /// major.minor, each one or two digits.
    static func version(_ name: String, _ text: Substring) throws(Problem) -> Spec.Version {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ (1...2).contains($0.count) && $0.utf8.allSatisfy(AsciiPumpFraming.isDigit) }),
              let major = Int(parts[0]), let minor = Int(parts[1]) else {
            throw nonsense(name, text, "a major.minor version")
        }
        return Spec.Version(major: major, minor: minor)
    }
}
