/// A device family's wire protocol, as its specification file states it.
public struct ProtocolSpecification: Equatable, Sendable {
    /// Swift-style family name, e.g. `peristalticPump`.
    public var family: String
    /// The value of the identity block's familyCode register.
    public var familyCode: Int
    /// Register-set version, major in the high byte.
    public var protocolVersion: Int
    /// A title for people ("Pressure sensor").
    public var title: String
    /// What the device is and does.
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
    /// One block (`identity`, `watchdog`).
    public struct Block: Equatable, Sendable {
        /// The block's name, as families list it in `blocks`.
        public var name: String
        /// What the block is for.
        public var description: String
        /// Its registers.
        public var registers: [RegisterSpecification]
    }
    /// Every block, in the file's order.
    public var blocks: [Block]

    /// The block called `name`, if any.
    public func block(named name: String) -> Block? { blocks.first { $0.name == name } }
}

/// A register's table, as the YAML writes it.
public enum RegisterTable: String, Sendable, CaseIterable {
    /// Holding (read/write) or input (read-only) registers.
    case holding, input
}

/// A register's type, as the YAML writes it.
public enum RegisterType: String, Sendable, CaseIterable {
    /// Unsigned or signed 16-bit, unsigned or signed 32-bit (a register pair), or bit field.
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

/// What the host may do with a register, as the YAML writes it.
public enum RegisterAccess: String, Sendable, CaseIterable {
    /// Read-only, write-only (a command register), or read and write.
    case read, write, readWrite
}

/// One register (or 32-bit register pair).
public struct RegisterSpecification: Equatable, Sendable {
    /// The register's name (a Swift identifier in the generated code).
    public var name: String
    /// Its table.
    public var table: RegisterTable
    /// Its address in the table.
    public var address: Int
    /// Its type.
    public var type: RegisterType
    /// What the host may do with it.
    public var access: RegisterAccess
    /// Its engineering unit, if it carries a quantity.
    public var unit: String?
    /// Engineering value = raw × scale.
    public var scale: Double
    /// Plausible engineering range; a value outside it is an error, not a number.
    public var range: ClosedRange<Double>?
    /// Power-on value, in engineering units.
    public var defaultValue: Double?
    /// Raw value meaning "unavailable" (checked before the range).
    public var sentinel: Int?
    /// What it means (may be empty).
    public var description: String
    /// Its named bits (bit-field registers).
    public var bits: [BitSpecification]
    /// The values it accepts (command registers).
    public var commands: [CommandSpecification]
    /// Line in the source file, for messages.
    public var line: Int
}

/// One named bit of a bit-field register.
public struct BitSpecification: Equatable, Sendable {
    /// Its position, 0-15.
    public var bit: Int
    /// Its name.
    public var name: String
    /// What it means when set.
    public var description: String
}

/// One value a command register accepts.
public struct CommandSpecification: Equatable, Sendable {
    /// Its name.
    public var name: String
    /// The value written.
    public var value: Int
    /// What the device does on it.
    public var description: String
}
