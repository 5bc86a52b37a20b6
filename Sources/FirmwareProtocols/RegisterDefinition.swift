public import HardwareInterfaces

/// How a register's raw words are read.
public enum RegisterValueType: String, Sendable, Hashable, CaseIterable {
    /// Unsigned or signed 16-bit, unsigned or signed 32-bit (two registers, high word first),
    /// or a 16-bit field of status or control bits.
    case u16, s16, u32, s32, bits

    /// 16-bit registers one value occupies.
    public var width: Int { self == .u32 || self == .s32 ? 2 : 1 }
}

/// Who may do what with a register.
public enum RegisterAccess: String, Sendable, Hashable, CaseIterable {
    /// Read-only, write-only (reads as 0: command registers), or read and write.
    case read, write, readWrite
}

/// One register of a firmware protocol, as generated from firmware-protocols/:
/// where it is, how its raw value maps to engineering units, and what values are plausible.
public struct RegisterDefinition: Sendable, Hashable, CustomStringConvertible {
    /// The register's name in its specification (`pressure`).
    public let name: String
    /// Holding (read/write) or input (read-only) register.
    public let table: RegisterTable
    /// Its address in the table (protocol address, from 0).
    public let address: UInt16
    /// How its raw words are read.
    public let type: RegisterValueType
    /// What the host may do with it.
    public let access: RegisterAccess
    /// The engineering unit (`mmHg`, `rpm`, `degC`), nil for bits and commands.
    public let unit: String?
    /// Engineering value = raw × scale.
    public let scale: Double
    /// Plausible engineering range; anything outside it is a device fault, not a number.
    public let range: ClosedRange<Double>?
    /// Power-on value, in engineering units.
    public let defaultValue: Double?
    /// Raw value that means "unavailable".
    public let sentinel: UInt32?

    /// A register as its specification describes it (the generated code is the only caller).
    public init(name: String, table: RegisterTable, address: UInt16, type: RegisterValueType, access: RegisterAccess,
                unit: String?, scale: Double, range: ClosedRange<Double>?, defaultValue: Double?, sentinel: UInt32?) {
        self.name = name
        self.table = table
        self.address = address
        self.type = type
        self.access = access
        self.unit = unit
        self.scale = scale
        self.range = range
        self.defaultValue = defaultValue
        self.sentinel = sentinel
    }

    /// Registers one value occupies (2 for 32-bit types).
    public var width: Int { type.width }
    public var description: String { "\(name) (\(table.rawValue) \(address))" }

    /// The raw integer in `words` (big-endian word order, as every HepaBus device uses).
    public func raw(from words: some Collection<UInt16>) -> Int64? {
        guard words.count == width else { return nil }
        let w = Array(words)
        switch type {
        case .u16, .bits: return Int64(w[0])
        case .s16: return Int64(Int16(bitPattern: w[0]))
        case .u32: return Int64(UInt32(w[0]) << 16 | UInt32(w[1]))
        case .s32: return Int64(Int32(bitPattern: UInt32(w[0]) << 16 | UInt32(w[1])))
        }
    }

    /// The raw bit pattern, as the sentinel is written.
    func pattern(from words: [UInt16]) -> UInt32 {
        width == 2 ? UInt32(words[0]) << 16 | UInt32(words[1]) : UInt32(words[0])
    }

    /// raw × scale, exact for decimal scales: 0.1 is not exact in binary, so dividing
    /// by 10 gives 123456.7 where multiplying by 0.1 gives 123456.70000000001.
    func engineering(_ raw: Int64) -> Double {
        let inverse = (1 / scale).rounded()
        if scale < 1, abs(1 / scale - inverse) < 1e-9 { return Double(raw) / inverse }
        return Double(raw) * scale
    }

    /// Decodes an engineering value, refusing the sentinel and anything outside the range.
    public func decode(_ words: some Collection<UInt16>) throws(RegisterValueError) -> Double {
        let w = Array(words)
        guard let raw = raw(from: w) else { throw .wrongWidth(register: name, expected: width, got: w.count) }
        if let sentinel, pattern(from: w) == sentinel { throw .unavailable(register: name) }
        let value = engineering(raw)
        if let range, !range.contains(value) { throw .outOfRange(register: name, value: value, range: range) }
        return value
    }

    /// Encodes an engineering value, refusing values outside the range or the type.
    public func encode(_ value: Double) throws(RegisterValueError) -> [UInt16] {
        guard value.isFinite else { throw .notRepresentable(register: name, value: value) }
        if let range, !range.contains(value) { throw .outOfRange(register: name, value: value, range: range) }
        let raw = (value / scale).rounded()
        switch type {
        case .u16, .bits:
            guard raw >= 0, raw <= 65535 else { throw .notRepresentable(register: name, value: value) }
            return [UInt16(raw)]
        case .s16:
            guard raw >= -32768, raw <= 32767 else { throw .notRepresentable(register: name, value: value) }
            return [UInt16(bitPattern: Int16(raw))]
        case .u32:
            guard raw >= 0, raw <= 4_294_967_295 else { throw .notRepresentable(register: name, value: value) }
            let v = UInt32(raw)
            return [UInt16(v >> 16), UInt16(v & 0xFFFF)]
        case .s32:
            guard raw >= -2_147_483_648, raw <= 2_147_483_647 else { throw .notRepresentable(register: name, value: value) }
            let v = UInt32(bitPattern: Int32(raw))
            return [UInt16(v >> 16), UInt16(v & 0xFFFF)]
        }
    }
}

/// Why a register value was refused.
public enum RegisterValueError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The device sent the register's sentinel: no value now.
    case unavailable(register: String)
    /// A value outside the register's plausible range: a device fault, or a refused write.
    case outOfRange(register: String, value: Double, range: ClosedRange<Double>)
    /// A value the register's type and scale cannot encode.
    case notRepresentable(register: String, value: Double)
    /// The wrong number of words for the register's type.
    case wrongWidth(register: String, expected: Int, got: Int)

    public var description: String {
        switch self {
        case .unavailable(let r): "\(r): the device reports the value as unavailable"
        case .outOfRange(let r, let v, let range): "\(r): \(v) is outside the plausible range \(range.lowerBound)...\(range.upperBound)"
        case .notRepresentable(let r, let v): "\(r): \(v) cannot be encoded"
        case .wrongWidth(let r, let e, let g): "\(r): expected \(e) registers, got \(g)"
        }
    }
}

/// A device family's protocol, for code that works with any family (identify, docs, the simulator).
public struct FamilyProtocol: Sendable {
    /// The family's name (`pressureSensor`).
    public let family: String
    /// The code its devices' familyCode register reads.
    public let familyCode: UInt16
    /// The register-set version (major in the high byte, minor in the low byte).
    public let protocolVersion: UInt16
    /// A title for people.
    public let title: String
    /// The common blocks it carries (`identity`, `watchdog`).
    public let blocks: [String]
    /// The family's own registers; the blocks' are in their own enums.
    public let registers: [RegisterDefinition]

    /// A family as its specification describes it (the generated code is the only caller).
    public init(family: String, familyCode: UInt16, protocolVersion: UInt16, title: String, blocks: [String], registers: [RegisterDefinition]) {
        self.family = family
        self.familyCode = familyCode
        self.protocolVersion = protocolVersion
        self.title = title
        self.blocks = blocks
        self.registers = registers
    }

    /// The family's own register called `name`, if any (blocks' registers are not searched).
    public func register(named name: String) -> RegisterDefinition? { registers.first { $0.name == name } }
}
