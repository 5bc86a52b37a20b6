import StrictYAML
public import Foundation
import Yams

/// Reads and validates the specification files of firmware-protocols/.
public enum SpecificationLoader {
    /// Loads common.yaml and every family file in `directory`, validating each
    /// strictly and all of them together (distinct family codes).
    public static func loadAll(directory: URL) throws -> (common: CommonBlocks, families: [ProtocolSpecification]) {
        let common = try loadCommon(url: directory.appendingPathComponent("common.yaml"))
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".yaml") && $0 != "common.yaml" && !$0.hasPrefix("line-") }
            .sorted()
        var families: [ProtocolSpecification] = []
        for file in files {
            let spec = try loadFamily(url: directory.appendingPathComponent(file), common: common)
            if let clash = families.first(where: { $0.familyCode == spec.familyCode }) {
                throw SpecificationError(file: spec.sourceFile, line: 1, column: 1,
                                         message: "familyCode \(spec.familyCode) is already used by \(clash.family) (\(clash.sourceFile))")
            }
            families.append(spec)
        }
        return (common, families)
    }

    static func displayName(_ url: URL) -> String { "firmware-protocols/" + url.lastPathComponent }

    /// Reads and checks common.yaml at `url`.
    ///
    /// - Throws: `YAMLError` naming the file, line, column and key of what is wrong (an unknown
    ///   key, a wrong type, overlapping registers, a range that does not fit its type…). A file that cannot
    ///   be read throws its reading error.
    public static func loadCommon(url: URL) throws -> CommonBlocks {
        let text = try String(contentsOf: url, encoding: .utf8)
        return try parseCommon(text, file: displayName(url))
    }

    /// Checks common.yaml's `text`; `file` names it in messages.
    ///
    /// - Throws: `YAMLError` naming the file, line, column and key of what is wrong (an unknown
    ///   key, a wrong type, overlapping registers, a range that does not fit its type…).
    public static func parseCommon(_ text: String, file: String) throws -> CommonBlocks {
        let root = try NodeReader.root(text, file: file, context: "the file")
        let fields = try root.mapping(allowed: ["blocks"])
        let blocksNode = root.child(try root.required(fields, "blocks"), "blocks")
        guard case .mapping(let mapping) = blocksNode.node else { throw blocksNode.fail("'blocks' must be a mapping of block names") }
        var blocks: [CommonBlocks.Block] = []
        for (key, value) in mapping {
            let name = try blocksNode.string(key, key: "block name")
            let reader = blocksNode.child(value, "block '\(name)'")
            let blockFields = try reader.mapping(allowed: ["description", "registers"])
            let registers = try parseRegisters(reader, blockFields)
            blocks.append(CommonBlocks.Block(name: name,
                                             description: try reader.string(try reader.required(blockFields, "description"), key: "description"),
                                             registers: registers))
        }
        let all = blocks.flatMap(\.registers)
        try checkOverlaps(all, reader: root)
        return CommonBlocks(blocks: blocks)
    }

    /// Reads and checks one family's specification at `url`, whose blocks come from `common`.
    ///
    /// - Throws: `YAMLError` naming the file, line, column and key of what is wrong (an unknown
    ///   key, a wrong type, overlapping registers, a range that does not fit its type…).
    ///   A file that cannot be read throws its reading error.
    public static func loadFamily(url: URL, common: CommonBlocks) throws -> ProtocolSpecification {
        let text = try String(contentsOf: url, encoding: .utf8)
        return try parseFamily(text, file: displayName(url), common: common)
    }

    /// Checks one family's specification `text`, whose blocks come from `common`; `file` names it
    /// in messages.
    ///
    /// - Throws: `YAMLError` naming the file, line, column and key of what is wrong (an unknown
    ///   key, a wrong type, overlapping registers, a range that does not fit its type…).
    public static func parseFamily(_ text: String, file: String, common: CommonBlocks) throws -> ProtocolSpecification {
        let root = try NodeReader.root(text, file: file, context: "the family")
        let fields = try root.mapping(allowed: ["family", "familyCode", "protocolVersion", "title", "description", "blocks", "safeState", "registers"])
        let family = try root.string(try root.required(fields, "family"), key: "family")
        guard let first = family.first, first.isLowercase, family.allSatisfy({ $0.isLetter || $0.isNumber }) else {
            throw root.fail("'family' must be a lowerCamelCase word, not '\(family)'", at: fields["family"])
        }
        let code = try root.integer(try root.required(fields, "familyCode"), key: "familyCode")
        guard (1...0xFFFF).contains(code) else { throw root.fail("familyCode \(code) is out of range 1-65535", at: fields["familyCode"]) }
        let version = try root.integer(try root.required(fields, "protocolVersion"), key: "protocolVersion")
        guard (0...0xFFFF).contains(version) else { throw root.fail("protocolVersion must fit 16 bits", at: fields["protocolVersion"]) }
        var blocks: [String] = []
        if let blocksNode = fields["blocks"] {
            for node in try root.sequence(blocksNode, key: "blocks") {
                let name = try root.string(node, key: "blocks")
                guard common.block(named: name) != nil else {
                    throw root.fail("unknown block '\(name)' (common.yaml defines: \(common.blocks.map(\.name).joined(separator: ", ")))", at: node)
                }
                blocks.append(name)
            }
        }
        guard blocks.contains("identity") else { throw root.fail("every family carries the 'identity' block", at: fields["blocks"]) }
        let safeState = try fields["safeState"].map { try root.string($0, key: "safeState") }
        if blocks.contains("watchdog") && safeState == nil {
            throw root.fail("a family with a watchdog must say its 'safeState'")
        }
        let registers = try parseRegisters(root, fields)
        let blockRegisters = blocks.compactMap { common.block(named: $0) }.flatMap(\.registers)
        try checkOverlaps(blockRegisters + registers, reader: root)
        if blocks.contains("watchdog"), !registers.contains(where: { $0.name == "status" && $0.bits.contains { $0.name == "watchdogExpired" } }) {
            throw root.fail("a family with a watchdog must report it: a 'status' register with a 'watchdogExpired' bit")
        }
        return ProtocolSpecification(
            family: family, familyCode: code, protocolVersion: version,
            title: try root.string(try root.required(fields, "title"), key: "title"),
            description: try root.string(try root.required(fields, "description"), key: "description"),
            blocks: blocks, safeState: safeState, registers: registers, sourceFile: file)
    }

    static func parseRegisters(_ reader: NodeReader, _ fields: [String: Node]) throws -> [RegisterSpecification] {
        var registers: [RegisterSpecification] = []
        for node in try reader.sequence(try reader.required(fields, "registers"), key: "registers") {
            let register = try parseRegister(reader.child(node, "a register"))
            if registers.contains(where: { $0.name == register.name }) {
                throw reader.fail("register name '\(register.name)' is used twice", at: node)
            }
            registers.append(register)
        }
        return registers
    }

    static func parseRegister(_ initial: NodeReader) throws -> RegisterSpecification {
        let keys: Set<String> = ["name", "table", "address", "type", "access", "unit", "scale", "range", "default", "sentinel", "description", "bits", "commands"]
        // The name first, so every later complaint can say which register it is about.
        let nameNode = initial.namedValue("name")
        let name = try nameNode.map { try initial.string($0, key: "name") }
        let reader = name.map { initial.child(initial.node, "register '\($0)'") } ?? initial
        let fields = try reader.mapping(allowed: keys)
        guard let name else { throw reader.fail("missing key 'name' in a register") }
        let table = try reader.oneOf(try reader.required(fields, "table"), key: "table", as: RegisterTable.self)
        let address = try reader.integer(try reader.required(fields, "address"), key: "address")
        let type = try reader.oneOf(try reader.required(fields, "type"), key: "type", as: RegisterType.self)
        let access = try reader.oneOf(try reader.required(fields, "access"), key: "access", as: RegisterAccess.self)
        guard address >= 0, address + type.width <= 0x10000 else {
            throw reader.fail("address \(address) of register '\(name)' is out of range 0-65535", at: fields["address"])
        }
        if table == .input && access != .read {
            throw reader.fail("register '\(name)' is an input register: its access must be 'read'", at: fields["access"])
        }
        let scale = try fields["scale"].map { try reader.number($0, key: "scale") } ?? 1
        guard scale > 0 else { throw reader.fail("scale of '\(name)' must be positive", at: fields["scale"]) }
        var range: ClosedRange<Double>? = nil
        if let rangeNode = fields["range"] {
            let r = reader.child(rangeNode, "the range of '\(name)'")
            let rf = try r.mapping(allowed: ["min", "max"])
            let low = try r.number(try r.required(rf, "min"), key: "min")
            let high = try r.number(try r.required(rf, "max"), key: "max")
            guard low <= high else { throw r.fail("range min \(low) is above max \(high)") }
            let rawLow = low / scale, rawHigh = high / scale
            guard Double(type.rawRange.lowerBound) <= rawLow.rounded(), rawHigh.rounded() <= Double(type.rawRange.upperBound) else {
                throw r.fail("range \(low)...\(high) at scale \(scale) does not fit a \(type.rawValue)")
            }
            range = low...high
        }
        let defaultValue = try fields["default"].map { try reader.number($0, key: "default") }
        if let defaultValue, let range, !range.contains(defaultValue) {
            throw reader.fail("default \(defaultValue) of '\(name)' is outside its range \(range)", at: fields["default"])
        }
        let sentinel = try fields["sentinel"].map { try reader.integer($0, key: "sentinel") }
        var bits: [BitSpecification] = []
        if let bitsNode = fields["bits"] {
            guard type == .bits else { throw reader.fail("only type 'bits' registers list bits", at: bitsNode) }
            for node in try reader.sequence(bitsNode, key: "bits") {
                let b = reader.child(node, "a bit of '\(name)'")
                let bf = try b.mapping(allowed: ["bit", "name", "description"])
                let bit = try b.integer(try b.required(bf, "bit"), key: "bit")
                guard (0...15).contains(bit) else { throw b.fail("bit \(bit) is out of range 0-15") }
                let bitName = try b.string(try b.required(bf, "name"), key: "name")
                guard !bits.contains(where: { $0.bit == bit || $0.name == bitName }) else {
                    throw b.fail("bit \(bit) '\(bitName)' repeats a bit number or name of '\(name)'")
                }
                bits.append(BitSpecification(bit: bit, name: bitName, description: try b.string(try b.required(bf, "description"), key: "description")))
            }
        } else if type == .bits {
            throw reader.fail("register '\(name)' of type bits must list its bits")
        }
        var commands: [CommandSpecification] = []
        if let commandsNode = fields["commands"] {
            guard access == .write else { throw reader.fail("only write-only registers list commands", at: commandsNode) }
            for node in try reader.sequence(commandsNode, key: "commands") {
                let c = reader.child(node, "a command of '\(name)'")
                let cf = try c.mapping(allowed: ["name", "value", "description"])
                let value = try c.integer(try c.required(cf, "value"), key: "value")
                guard type.rawRange.contains(Int64(value)) else { throw c.fail("command value \(value) does not fit a \(type.rawValue)") }
                let commandName = try c.string(try c.required(cf, "name"), key: "name")
                guard !commands.contains(where: { $0.value == value || $0.name == commandName }) else {
                    throw c.fail("command '\(commandName)' repeats a value or name")
                }
                commands.append(CommandSpecification(name: commandName, value: value, description: try c.string(try c.required(cf, "description"), key: "description")))
            }
        }
        return RegisterSpecification(
            name: name, table: table, address: address, type: type, access: access,
            unit: try fields["unit"].map { try reader.string($0, key: "unit") }, scale: scale, range: range,
            defaultValue: defaultValue, sentinel: sentinel,
            description: try fields["description"].map { try reader.string($0, key: "description") } ?? "",
            bits: bits, commands: commands, line: reader.node.mark?.line ?? 0)
    }

    /// No two registers of one table may share an address.
    static func checkOverlaps(_ registers: [RegisterSpecification], reader: NodeReader) throws {
        var owner: [String: String] = [:]
        for r in registers {
            for offset in 0..<r.type.width {
                let key = "\(r.table.rawValue):\(r.address + offset)"
                if let other = owner[key] {
                    throw SpecificationError(file: reader.file, line: r.line, column: 1,
                                             message: "register '\(r.name)' overlaps '\(other)' at \(r.table.rawValue) address \(r.address + offset)")
                }
                owner[key] = r.name
            }
        }
    }
}
