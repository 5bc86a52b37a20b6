/// Fixed-width hexadecimal for error messages ("0x8000"), without Foundation.
func hex(_ value: UInt16) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return "0x" + String(repeating: "0", count: 4 - digits.count) + digits
}

/// Fixed-width hexadecimal of a 32-bit pattern ("0xAABBCCDD").
func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}

/// The words of one register as they came off the wire ("[0x0012, 0xD687]").
func hex(_ words: some Collection<UInt16>) -> String {
    "[" + words.map { hex($0) }.joined(separator: ", ") + "]"
}

/// A caller-supplied quantity for a message ("120.5 rpm", "nan rpm").
///
/// Never the unit types' own `description`: it traps on NaN, infinity and values past
/// Int64, and a refused request must be reported, not crash the process that reports it.
func quantity(_ value: Double, _ unit: String) -> String {
    "\(value) \(unit)"
}
