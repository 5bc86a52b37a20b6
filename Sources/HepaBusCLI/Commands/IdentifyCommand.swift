import ArgumentParser
import BusRuntime
import CircuitConfiguration
import FirmwareProtocols
import Foundation
import HardwareInterfaces
import Modbus

/// `hepabus identify`: who a HepaBus device is, and what it reports, decoded by its family's protocol.
struct IdentifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identify",
        abstract: "Identify a HepaBus device and show its readings decoded by its family's protocol.",
        discussion: """
            Reads the identity block (input registers 0x0000-0x0008, one transaction), checks the \
            word-order probe (0xAABBCCDD), finds the family from its family code, then reads the \
            family's input registers and shows each value in its unit (a value outside the plausible \
            range is shown as "implausible: …", never as a reading) and the status bits by name, \
            and the FC17 server id. Exit status 1 if the device does not answer, is not a HepaBus \
            device, or has a family code this tool does not know.
            """)

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Unit id (1-247 on serial lines).", transform: ArgumentParsing.unit)
    var unit: UInt8

    @Flag(help: "Print JSON: family, identity, registers {name: {raw, value, unit}}, status, serverID.")
    var json = false

    func validate() throws {
        try connection.checkUnit(unit, allowBroadcast: false)
    }

    func run() async throws {
        let bus = try await connection.openBus()
        let identity = try await readIdentity(bus)
        let family = identity.family
        // A different major version is a different register map: decoding it with ours would mislead.
        guard identity.protocolVersion >> 8 == family.protocolVersion >> 8 else {
            throw CommandFailure.device("unit \(unit) is a \(family.family) speaking protocol \(Self.version(identity.protocolVersion)); "
                + "this tool knows \(Self.version(family.protocolVersion)) (major versions differ, registers not decoded)")
        }
        let serverID: Result<ServerIDReport, ModbusError>
        do {
            serverID = .success(ServerIDReport(bytes: try await bus.reportServerID(unit: unit)))
        } catch {
            serverID = .failure(error)
        }
        let registers = try await readRegisters(bus, family: family)
        let status = registers.filter { $0.definition.type == .bits }.flatMap { Self.bitNames($0, familyCode: family.familyCode) }
        if json {
            printJSON(identity, registers: registers, status: status, serverID: serverID)
        } else {
            printTable(identity, registers: registers, status: status, serverID: serverID)
        }
    }

    // MARK: Reading

    /// The identity block, checked: word-order probe first (with the wrong order
    /// every 32-bit field is garbage), then a family this tool knows.
    private func readIdentity(_ bus: ModbusBus) async throws -> Identity {
        let words = try await bus.readInputRegisters(unit: unit, address: 0, count: 9)
        let probe = UInt32(words[7]) << 16 | UInt32(words[8])
        let expectedProbe = UInt32(IdentityBlock.wordOrderProbe.range?.lowerBound ?? 0xAABB_CCDD)
        guard probe == expectedProbe else {
            let why = probe == (expectedProbe << 16 | expectedProbe >> 16)
                ? "the device sends 32-bit values low word first, not the HepaBus order"
                : "not a HepaBus device, or not at these line settings"
            throw CommandFailure.device("unit \(unit) on \(connection.endpoint): word-order probe reads \(Self.hex(probe)), "
                + "expected \(Self.hex(expectedProbe)): \(why)")
        }
        guard let family = FamilyCatalog.family(code: words[0]) else {
            let known = FamilyCatalog.families.map { "\($0.familyCode) \($0.family)" }.joined(separator: ", ")
            throw CommandFailure.device("unit \(unit) on \(connection.endpoint) reports family code \(words[0]), "
                + "which this tool does not know (known: \(known))")
        }
        return Identity(family: family, protocolVersion: words[1], vendorID: words[2], modelCode: words[3],
                        firmwareVersion: words[4], serialNumber: UInt32(words[5]) << 16 | UInt32(words[6]))
    }

    /// The family's input registers, in one read spanning them all.
    private func readRegisters(_ bus: ModbusBus, family: FamilyProtocol) async throws -> [DecodedRegister] {
        let inputs = family.registers.filter { $0.table == .input }.sorted { $0.address < $1.address }
        guard let first = inputs.first?.address,
              let end = inputs.map({ Int($0.address) + $0.width }).max()
        else { return [] }
        let words = try await bus.readInputRegisters(unit: unit, address: first, count: end - Int(first))
        return inputs.map { definition in
            let offset = Int(definition.address - first)
            return DecodedRegister(definition: definition, words: Array(words[offset..<(offset + definition.width)]))
        }
    }

    /// The names of the bits set in a bits register, by the family's generated OptionSet;
    /// bits the specification does not define are named as such.
    static func bitNames(_ register: DecodedRegister, familyCode: UInt16) -> [String] {
        let raw = register.words[0]
        let named = register.definition.name == "status" ? statusBits(familyCode: familyCode) : []
        var names = named.filter { raw & $0.bit == $0.bit }.map(\.name)
        let known = named.reduce(UInt16(0)) { $0 | $1.bit }
        for bit in 0..<16 where raw & ~known & (1 << bit) != 0 {
            names.append("undefined bit \(bit)")
        }
        return names
    }

    /// Each family's status bits, from the generated OptionSets.
    static func statusBits(familyCode: UInt16) -> [(bit: UInt16, name: String)] {
        DeviceFamily.family(code: familyCode)?.statusBits.map { ($0.mask, $0.name) } ?? []
    }

    // MARK: Output

    private func printTable(_ identity: Identity, registers: [DecodedRegister], status: [String],
                            serverID: Result<ServerIDReport, ModbusError>) {
        let family = identity.family
        var rows: [(String, String)] = [
            ("family", "\(family.family) (code \(family.familyCode), \(family.title))"),
            ("protocolVersion", Self.version(identity.protocolVersion)),
            ("vendorID", Self.hex(identity.vendorID)),
            ("modelCode", "\(identity.modelCode)"),
            ("firmwareVersion", Self.version(identity.firmwareVersion)),
            ("serialNumber", "\(identity.serialNumber)"),
        ]
        switch serverID {
        case .success(let report): rows.append(("serverID", report.description))
        case .failure(let error): rows.append(("serverID", "not available (\(error))"))
        }
        Terminal.line("unit \(unit) on \(connection.endpoint)")
        let width = rows.map(\.0.count).max() ?? 0
        for (name, value) in rows { Terminal.line("  \(name.padding(toLength: width, withPad: " ", startingAt: 0))  \(value)") }
        Terminal.line("input registers")
        let nameWidth = registers.map(\.definition.name.count).max() ?? 0
        for register in registers {
            let name = register.definition.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            Terminal.line("  \(Self.hex(register.definition.address))  \(name)  \(register.text(familyCode: family.familyCode))")
        }
        Terminal.line("status: \(status.isEmpty ? "(no bits set)" : status.joined(separator: ", "))")
    }

    private func printJSON(_ identity: Identity, registers: [DecodedRegister], status: [String],
                           serverID: Result<ServerIDReport, ModbusError>) {
        let family = identity.family
        var fields = [
            "\"unit\":\(unit)",
            "\"family\":\"\(jsonEscaped(family.family))\"",
            "\"familyCode\":\(family.familyCode)",
            "\"protocolVersion\":\"\(Self.version(identity.protocolVersion))\"",
            "\"vendorID\":\"\(Self.hex(identity.vendorID))\"",
            "\"modelCode\":\(identity.modelCode)",
            "\"firmwareVersion\":\"\(Self.version(identity.firmwareVersion))\"",
            "\"serialNumber\":\(identity.serialNumber)",
        ]
        let entries = registers.map { "\"\(jsonEscaped($0.definition.name))\":\($0.json)" }
        fields.append("\"registers\":{\(entries.joined(separator: ","))}")
        fields.append("\"status\":[\(status.map { "\"\(jsonEscaped($0))\"" }.joined(separator: ","))]")
        switch serverID {
        case .success(let report):
            fields.append("\"serverID\":\"\(jsonEscaped(report.description))\"")
        case .failure(let error):
            fields.append("\"serverID\":null")
            fields.append("\"serverIDError\":\"\(jsonEscaped(error.description))\"")
        }
        Terminal.line("{\(fields.joined(separator: ","))}")
    }

    /// "1.0": major in the high byte, minor in the low byte.
    static func version(_ raw: UInt16) -> String { "\(raw >> 8).\(raw & 0xFF)" }

    static func hex(_ value: UInt16) -> String { "0x" + String(value, radix: 16, uppercase: true).leftPadded(to: 4) }
    static func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16, uppercase: true).leftPadded(to: 8) }
}

extension IdentifyCommand {
    /// The identity block, as read.
    struct Identity {
        var family: FamilyProtocol
        var protocolVersion: UInt16
        var vendorID: UInt16
        var modelCode: UInt16
        var firmwareVersion: UInt16
        var serialNumber: UInt32
    }

    /// One register's words and what its definition makes of them.
    struct DecodedRegister {
        var definition: RegisterDefinition
        var words: [UInt16]

        var raw: Int64 { definition.raw(from: words) ?? 0 }

        /// The engineering value, or why there is none (unavailable, implausible).
        var value: Result<Double, RegisterValueError> {
            do throws(RegisterValueError) {
                return .success(try definition.decode(words))
            } catch {
                return .failure(error)
            }
        }

        /// Decimals the register's scale carries (0.1 → 1, 0.01 → 2).
        var decimals: Int {
            definition.scale >= 1 ? 0 : Int((-log10(definition.scale)).rounded(.up))
        }

        func number(_ value: Double) -> String { String(format: "%.\(decimals)f", value) }

        /// What a technician reads: "18.8 rpm", "implausible: 812.0 mmHg (plausible -700.0…700.0)",
        /// "0x0005 running, doorOpen".
        func text(familyCode: UInt16) -> String {
            if definition.type == .bits {
                let names = IdentifyCommand.bitNames(self, familyCode: familyCode)
                return IdentifyCommand.hex(words[0]) + (names.isEmpty ? "" : "  " + names.joined(separator: ", "))
            }
            let unit = definition.unit.map { " " + $0 } ?? ""
            switch value {
            case .success(let value):
                return number(value) + unit + "  (raw \(raw))"
            case .failure(let error):
                return describe(error, unit: unit) + "  (raw \(raw))"
            }
        }

        /// `{"raw":188,"value":18.8,"unit":"rpm"}`; the value is a string when there is no number to give.
        var json: String {
            let unit = definition.unit.map { "\"\(jsonEscaped($0))\"" } ?? "null"
            let valueText: String
            if definition.type == .bits {
                valueText = "\"\(IdentifyCommand.hex(words[0]))\""
            } else {
                switch value {
                case .success(let value): valueText = number(value)
                case .failure(let error): valueText = "\"\(jsonEscaped(describe(error, unit: definition.unit.map { " " + $0 } ?? "")))\""
                }
            }
            return "{\"raw\":\(raw),\"value\":\(valueText),\"unit\":\(unit)}"
        }

        private func describe(_ error: RegisterValueError, unit: String) -> String {
            switch error {
            case .outOfRange(_, let value, let range):
                "implausible: \(number(value))\(unit) (plausible \(number(range.lowerBound))…\(number(range.upperBound)))"
            case .unavailable:
                "unavailable (the device reports no value)"
            case .notRepresentable, .wrongWidth:
                "undecodable: \(error)"
            }
        }
    }
}
