/// How a 32-bit value is split over two 16-bit registers.
/// Encoded in Swift: Debian's libmodbus 3.1.6 float helpers are broken by a packaging patch.
public enum WordOrder: String, Sendable, CaseIterable, Codable {
    /// High word first (ABCD): the Modbus convention and our default.
    case big
    /// Low word first (CDAB).
    case little
}

/// Typed interpretations of register contents.
public enum RegisterCodec {
    /// Two registers from a 32-bit pattern.
    public static func encode(_ value: UInt32, order: WordOrder) -> [UInt16] {
        let high = UInt16(truncatingIfNeeded: value >> 16)
        let low = UInt16(truncatingIfNeeded: value)
        return order == .big ? [high, low] : [low, high]
    }

    /// A 32-bit pattern from two registers.
    public static func decodeUInt32(_ registers: some Collection<UInt16>, order: WordOrder) -> UInt32? {
        guard registers.count == 2 else { return nil }
        let first = UInt32(registers[registers.startIndex])
        let second = UInt32(registers[registers.index(after: registers.startIndex)])
        return order == .big ? (first << 16 | second) : (second << 16 | first)
    }

    /// A signed 32-bit value over two registers, in `order`.
    public static func encode(_ value: Int32, order: WordOrder) -> [UInt16] {
        encode(UInt32(bitPattern: value), order: order)
    }

    /// The signed 32-bit value of two registers in `order`; nil unless exactly two are given.
    public static func decodeInt32(_ registers: some Collection<UInt16>, order: WordOrder) -> Int32? {
        decodeUInt32(registers, order: order).map { Int32(bitPattern: $0) }
    }

    /// IEEE-754 single precision over two registers.
    public static func encode(_ value: Float, order: WordOrder) -> [UInt16] {
        encode(value.bitPattern, order: order)
    }

    /// The IEEE-754 single-precision value of two registers in `order`; nil unless exactly two are given.
    public static func decodeFloat(_ registers: some Collection<UInt16>, order: WordOrder) -> Float? {
        decodeUInt32(registers, order: order).map { Float(bitPattern: $0) }
    }
}
