/// A device family's wire protocol, as its specification file states it.
public struct ProtocolSpecification: Equatable, Sendable {
    /// Swift-style family name, e.g. `peristalticPump`.
    public var family: String
    /// The value of the identity block's familyCode register.
    public var familyCode: Int
    /// Register-set version, major in the high byte.
    public var protocolVersion: Int
    public var title: String
    public var description: String
    /// Common blocks this family carries (identity, watchdog).
    public var blocks: [String]
    /// What the device does by itself when its watchdog lapses (actuators only).
    public var safeState: String?
    /// The family's own registers (blocks' registers are in ``CommonBlocks``).
    public var registers: [RegisterSpecification]
    /// The file it came from, for messages.
    public var sourceFile: String
}

/// The blocks every family may carry (common.yaml).
public struct CommonBlocks: Equatable, Sendable {
    public struct Block: Equatable, Sendable {
        public var name: String
        public var description: String
        public var registers: [RegisterSpecification]
    }
    public var blocks: [Block]

    public func block(named name: String) -> Block? { blocks.first { $0.name == name } }
}

public enum RegisterTable: String, Sendable, CaseIterable {
    case holding, input
}

public enum RegisterType: String, Sendable, CaseIterable {
    case u16, s16, u32, s32, bits

    /// 16-bit registers a value occupies.
    public var width: Int { self == .u32 || self == .s32 ? 2 : 1 }

    /// The raw integer range the type can carry.
    public var rawRange: ClosedRange<Int64> {
        switch self {
        case .u16, .bits: 0...0xFFFF
        case .s16: -32768...32767
        case .u32: 0...0xFFFF_FFFF
        case .s32: -2_147_483_648...2_147_483_647
        }
    }
}

public enum RegisterAccess: String, Sendable, CaseIterable {
    case read, write, readWrite
}

/// One register (or 32-bit register pair).
public struct RegisterSpecification: Equatable, Sendable {
    public var name: String
    public var table: RegisterTable
    public var address: Int
    public var type: RegisterType
    public var access: RegisterAccess
    public var unit: String?
    /// Engineering value = raw × scale.
    public var scale: Double
    /// Plausible engineering range; a value outside it is an error, not a number.
    public var range: ClosedRange<Double>?
    /// Power-on value, in engineering units.
    public var defaultValue: Double?
    /// Raw value meaning "unavailable" (checked before the range).
    public var sentinel: Int?
    public var description: String
    public var bits: [BitSpecification]
    public var commands: [CommandSpecification]
    /// Line in the source file, for messages.
    public var line: Int
}

public struct BitSpecification: Equatable, Sendable {
    public var bit: Int
    public var name: String
    public var description: String
}

public struct CommandSpecification: Equatable, Sendable {
    public var name: String
    public var value: Int
    public var description: String
}
