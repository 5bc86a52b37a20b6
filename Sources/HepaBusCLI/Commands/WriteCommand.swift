import ArgumentParser
import BusRuntime
import Modbus

/// `hepabus write`: write coils or holding registers.
struct WriteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write",
        abstract: "Write values to a device.",
        discussion: """
            One 16-bit value is written with FC06 (one coil with FC05); several values, or 32-bit
            and float values, with FC16 (coils with FC15). --multiple forces FC16/FC15 for devices
            that accept nothing else. Unit 0 broadcasts on serial lines (no device answers).
            Coil values: 1/0, on/off, true/false.
            """)

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Unit id (1-247; 0 broadcasts on serial lines).", transform: ArgumentParsing.unit)
    var unit: UInt8

    @Option(help: "Table: holding or coil.")
    var table: ModbusTable = .holding

    @Option(help: "First protocol (0-based) address, decimal or 0x-hex.", transform: ArgumentParsing.address)
    var address: UInt16

    @Option(help: "Value type: u16, s16, u32, s32, f32 or hex.")
    var type: ValueType = .u16

    @Option(name: .customLong("word-order"), help: "32-bit word order: big (high word first) or little.")
    var wordOrder: WordOrder = .big

    @Flag(help: "Use FC16/FC15 even for a single value.")
    var multiple = false

    // Unrecognised words count as values so negative numbers (-100) need no `--`;
    // a `--` before them, the usual convention, is accepted too.
    @Argument(parsing: .allUnrecognized, help: "The values to write (negative numbers allowed).")
    var rawValues: [String]

    /// The values, without a `--` separator.
    var values: [String] {
        guard let separator = rawValues.firstIndex(of: "--") else { return rawValues }
        var result = rawValues
        result.remove(at: separator)
        return result
    }

    func validate() throws {
        try connection.checkUnit(unit, allowBroadcast: true)
        guard table.isWritable else { throw ValidationError("--table \(table.rawValue) is read-only; write to holding or coil") }
        guard !values.isEmpty else { throw ValidationError("give at least one VALUE to write") }
        if table == .coil {
            guard type == .u16 else { throw ValidationError("--type \(type.rawValue) applies to registers; coils take 1/0") }
            guard values.count <= 1968 else { throw ValidationError("at most 1968 coils per write, not \(values.count)") }
            _ = try coilValues()
        } else {
            let registers = try registerValues()
            guard registers.count <= 123 else {
                throw ValidationError("at most 123 registers per write; these values need \(registers.count)")
            }
            guard Int(address) + registers.count <= 65536 else {
                throw ValidationError("--address \(address) with \(registers.count) registers runs past address 65535")
            }
        }
    }

    func coilValues() throws -> [Bool] {
        try values.map { text in
            switch text.lowercased() {
            case "1", "on", "true": return true
            case "0", "off", "false": return false
            default: throw ValidationError("coil value '\(text)' is not 1/0, on/off or true/false")
            }
        }
    }

    func registerValues() throws -> [UInt16] {
        try values.flatMap { try type.encode($0, order: wordOrder) }
    }

    func run() async throws {
        // Writes need the line to themselves: a serial port is opened exclusively (refused, naming
        // the holder, while a treatment, the demo or a monitor has it); TCP cannot be locked.
        if case .tcp = try connection.resolvedEndpoint() {
            Terminal.writeStderr("hepabus: " + ExclusiveAccess.tcpWarning(connection.endpoint) + "\n")
        }
        let bus: ModbusBus
        do {
            bus = try await connection.openBus()
        } catch {
            throw ExclusiveAccess.refusal(error, doing: "write") ?? error
        }
        let what: String
        if table == .coil {
            let bits = try coilValues()
            if bits.count == 1 && !multiple {
                try await bus.writeCoil(unit: unit, address: address, value: bits[0])
            } else {
                try await bus.writeCoils(unit: unit, address: address, values: bits)
            }
            what = bits.count == 1 ? "1 coil" : "\(bits.count) coils"
        } else {
            let registers = try registerValues()
            if registers.count == 1 && !multiple {
                try await bus.writeRegister(unit: unit, address: address, value: registers[0])
            } else {
                try await bus.writeRegisters(unit: unit, address: address, values: registers)
            }
            what = registers.count == 1 ? "1 register" : "\(registers.count) registers"
        }
        Terminal.line(unit == 0 ? "broadcast \(what) at address \(address)" : "wrote \(what) at address \(address) of unit \(unit)")
    }
}
