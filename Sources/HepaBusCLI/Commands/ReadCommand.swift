import ArgumentParser
import BusRuntime
import Foundation
import Modbus

/// `hepabus read`: read coils, discrete inputs, holding or input registers, once or polled.
struct ReadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Read values from a device.",
        discussion: """
            COUNT is the number of values: with --type u32, s32 or f32 each value spans two registers.
            Plain output is one line per value: ADDRESS VALUE. With --poll, each round starts with a
            '# TIMESTAMP' line (JSON: one object per round, with a "time" field); errors during polling
            are reported and polling goes on, and the exit status is 1 if any round failed.
            """)

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Unit id (1-247 on serial lines).", transform: ArgumentParsing.unit)
    var unit: UInt8

    @Option(help: "Table: holding, input, coil or discrete.")
    var table: ModbusTable = .holding

    @Option(help: "First protocol (0-based) address, decimal or 0x-hex.", transform: ArgumentParsing.address)
    var address: UInt16

    @Option(help: "Number of values to read.")
    var count: Int = 1

    @Option(help: "Value type: u16, s16, u32, s32, f32 or hex.")
    var type: ValueType = .u16

    @Option(name: .customLong("word-order"), help: "32-bit word order: big (high word first) or little.")
    var wordOrder: WordOrder = .big

    @Flag(help: "Print JSON: {unit, table, address, type, values}.")
    var json = false

    @Option(name: .customLong("poll"), help: "Read again every MS milliseconds (10-3600000) until interrupted.")
    var pollMilliseconds: Int?

    @Option(help: "With --poll: stop after this many rounds.")
    var times: Int?

    var registerCount: Int { count * type.registerCount }

    func validate() throws {
        try connection.checkUnit(unit, allowBroadcast: false)
        if table.isBit {
            guard type == .u16 else { throw ValidationError("--type \(type.rawValue) applies to registers; \(table.rawValue) values are bits") }
            guard (1...2000).contains(count) else { throw ValidationError("--count \(count) is out of range 1-2000 for \(table.rawValue)s") }
        } else {
            let maxValues = 125 / type.registerCount
            guard (1...maxValues).contains(count) else {
                throw ValidationError("--count \(count) is out of range 1-\(maxValues) for --type \(type.rawValue) (125 registers per read)")
            }
        }
        guard Int(address) + registerCount <= 65536 else {
            throw ValidationError("--address \(address) with \(registerCount) registers runs past address 65535")
        }
        if let pollMilliseconds, !(10...3_600_000).contains(pollMilliseconds) {
            throw ValidationError("--poll \(pollMilliseconds) is out of range 10-3600000 ms")
        }
        if let times {
            guard pollMilliseconds != nil else { throw ValidationError("--times needs --poll") }
            guard times >= 1 else { throw ValidationError("--times \(times) must be at least 1") }
        }
    }

    func run() async throws {
        let bus = try await connection.openBus()
        guard let pollMilliseconds else {
            let values = try await readOnce(bus)
            output(values, time: nil)
            return
        }
        InterruptFlag.install()
        var failures = 0
        var round = 0
        while !InterruptFlag.isRaised {
            let started = ContinuousClock.now
            do {
                output(try await readOnce(bus), time: Terminal.now())
            } catch let error as ModbusError {
                failures += 1
                Terminal.error(error.description)
            }
            round += 1
            if let times, round >= times { break }
            // Sleep in small steps so Ctrl-C is prompt.
            let next = started + .milliseconds(pollMilliseconds)
            while ContinuousClock.now < next && !InterruptFlag.isRaised {
                try? await Task.sleep(for: min(.milliseconds(50), next - ContinuousClock.now))
            }
        }
        if failures > 0 {
            throw CommandFailure.device("\(failures) of \(round) polls failed")
        }
    }

    private func readOnce(_ bus: ModbusBus) async throws -> [ValueText] {
        let raw = try await bus.read(table, unit: unit, address: address, count: table.isBit ? count : registerCount)
        return table.isBit ? raw.map { .number(String($0)) } : type.decode(raw, order: wordOrder)
    }

    private func output(_ values: [ValueText], time: Double?) {
        if json {
            var fields = ["\"unit\":\(unit)", "\"table\":\"\(table.rawValue)\"", "\"address\":\(address)",
                          "\"type\":\"\(table.isBit ? "bit" : type.rawValue)\""]
            if type.registerCount == 2 { fields.append("\"word_order\":\"\(wordOrder.rawValue)\"") }
            if let time { fields.append("\"time\":\"\(Terminal.timestamp(time))\"") }
            fields.append("\"values\":[\(values.map(\.json).joined(separator: ","))]")
            Terminal.line("{\(fields.joined(separator: ","))}")
            return
        }
        if let time { Terminal.line("# \(Terminal.timestamp(time))") }
        let step = table.isBit ? 1 : type.registerCount
        for (i, value) in values.enumerated() {
            Terminal.line("\(Int(address) + i * step) \(value.plain)")
        }
    }
}
