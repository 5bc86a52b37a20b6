import StrictYAML
public import Foundation
import Yams

/// Reads and validates the line-protocol specifications of firmware-protocols/
/// (the files named `line-*.yaml`), as strictly as ``SpecificationLoader`` reads the
/// Modbus families: every key known, every value of its type, every reference
/// resolved, every worked example re-checked; each complaint names the file, line,
/// column and key.
public enum LineProtocolLoader {
    /// The HardwareErrorKind cases a reply code may map to (ProtocolSpec does not link
    /// HardwareInterfaces; the generated code would not compile with any other name).
    static let errorKinds = ["timeout", "corruptFrame", "deviceRefused", "implausibleValue",
                             "deviceFault", "identityMismatch", "disconnected", "invalidRequest"]
    /// Baud rates a line protocol may use (standard rates every UART generates).
    static let baudRates = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200]

    /// Loads every `line-*.yaml` in `directory`, sorted by file name.
    public static func loadAll(directory: URL) throws -> [LineProtocolSpecification] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix("line-") && $0.hasSuffix(".yaml") }
            .sorted()
        var specs: [LineProtocolSpecification] = []
        for file in files {
            let spec = try load(url: directory.appendingPathComponent(file))
            if let clash = specs.first(where: { $0.name == spec.name }) {
                throw SpecificationError(file: spec.sourceFile, line: 1, column: 1,
                                         message: "protocol '\(spec.name)' is already defined by \(clash.sourceFile)")
            }
            specs.append(spec)
        }
        return specs
    }

    /// Loads and validates one file.
    public static func load(url: URL) throws -> LineProtocolSpecification {
        let text = try String(contentsOf: url, encoding: .utf8)
        return try parse(text, file: SpecificationLoader.displayName(url))
    }

    /// Validates `text` as the line protocol of `file` (the name used in messages).
    public static func parse(_ text: String, file: String) throws -> LineProtocolSpecification {
        let root = try NodeReader.root(text, file: file, context: "the line protocol")
        let f = try root.mapping(allowed: ["protocol", "title", "protocolVersion", "description", "serial", "addresses", "framing",
                                           "timing", "watchdog", "safeState", "rotor", "fields", "commands", "replyCodes", "examples"])
        let name = try root.string(try root.required(f, "protocol"), key: "protocol")
        guard let first = name.first, first.isLowercase, name.allSatisfy({ $0.isLetter || $0.isNumber }) else {
            throw root.fail("'protocol' must be a lowerCamelCase word, not '\(name)'", at: f["protocol"])
        }
        let fields = try parseFields(root, try root.required(f, "fields"))
        let replyCodes = try parseReplyCodes(root, try root.required(f, "replyCodes"))
        let commands = try parseCommands(root, try root.required(f, "commands"), fields: fields, codes: replyCodes)
        var spec = LineProtocolSpecification(
            name: name,
            title: try root.string(try root.required(f, "title"), key: "title"),
            description: try root.string(try root.required(f, "description"), key: "description"),
            version: try parseVersion(root, try root.required(f, "protocolVersion")),
            serial: try parseSerial(root, try root.required(f, "serial")),
            addresses: try parseAddresses(root, try root.required(f, "addresses")),
            framing: try parseFraming(root, try root.required(f, "framing")),
            timing: try parseTiming(root, try root.required(f, "timing")),
            watchdog: nil,
            safeState: try f["safeState"].map { try root.string($0, key: "safeState") },
            rotor: try f["rotor"].map { try parseRotor(root, $0) },
            fields: fields, commands: commands, replyCodes: replyCodes, examples: [], sourceFile: file)
        if let node = f["watchdog"] {
            spec.watchdog = try parseWatchdog(root, node, spec: spec)
            guard spec.safeState != nil else { throw root.fail("a protocol with a watchdog must say its 'safeState'") }
        }
        try checkLineLengths(root, spec: spec)
        if let node = f["examples"] {
            spec.examples = try parseExamples(root, node, spec: spec)
        }
        return spec
    }

    // MARK: Sections

    static func parseVersion(_ root: NodeReader, _ node: Node) throws -> LineProtocolVersion {
        let r = root.child(node, "protocolVersion")
        let f = try r.mapping(allowed: ["major", "minor"])
        let major = try r.integer(try r.required(f, "major"), key: "major")
        let minor = try r.integer(try r.required(f, "minor"), key: "minor")
        guard (0...99).contains(major), (0...99).contains(minor) else { throw r.fail("protocolVersion parts must be 0-99 (they are written as major.minor)") }
        return LineProtocolVersion(major: major, minor: minor)
    }

    static func parseSerial(_ root: NodeReader, _ node: Node) throws -> LineSerialSettings {
        let r = root.child(node, "serial")
        let f = try r.mapping(allowed: ["baudRate", "dataBits", "parity", "stopBits", "flowControl"])
        let baud = try r.integer(try r.required(f, "baudRate"), key: "baudRate")
        guard baudRates.contains(baud) else {
            throw r.fail("baudRate \(baud) is not one of: \(baudRates.map(String.init).joined(separator: ", "))", at: f["baudRate"])
        }
        let dataBits = try r.integer(try r.required(f, "dataBits"), key: "dataBits")
        guard (7...8).contains(dataBits) else { throw r.fail("dataBits must be 7 or 8 (ASCII lines)", at: f["dataBits"]) }
        let parity = try r.string(try r.required(f, "parity"), key: "parity")
        guard ["none", "even", "odd"].contains(parity) else { throw r.fail("'parity' in serial is '\(parity)'; expected one of: none, even, odd", at: f["parity"]) }
        let stopBits = try r.integer(try r.required(f, "stopBits"), key: "stopBits")
        guard (1...2).contains(stopBits) else { throw r.fail("stopBits must be 1 or 2", at: f["stopBits"]) }
        let flow = try f["flowControl"].map { try r.string($0, key: "flowControl") } ?? "none"
        guard flow == "none" else { throw r.fail("'flowControl' in serial is '\(flow)'; only 'none' is supported", at: f["flowControl"]) }
        return LineSerialSettings(baudRate: baud, dataBits: dataBits, parity: parity, stopBits: stopBits, flowControl: flow)
    }

    static func parseAddresses(_ root: NodeReader, _ node: Node) throws -> ClosedRange<Int> {
        let r = root.child(node, "addresses")
        let f = try r.mapping(allowed: ["min", "max"])
        let low = try r.integer(try r.required(f, "min"), key: "min")
        let high = try r.integer(try r.required(f, "max"), key: "max")
        guard (0...9).contains(low), (0...9).contains(high) else { throw r.fail("addresses are one decimal digit: 0-9") }
        guard low <= high else { throw r.fail("addresses min \(low) is above max \(high)") }
        return low...high
    }

    static func parseFraming(_ root: NodeReader, _ node: Node) throws -> LineFraming {
        let r = root.child(node, "framing")
        let f = try r.mapping(allowed: ["description", "terminator", "checksumSeparator", "fieldSeparator", "checksum",
                                        "maximumLineLength", "markers", "unverifiedEcho"])
        let terminatorName = try r.string(try r.required(f, "terminator"), key: "terminator")
        let terminators: [String: UInt8] = ["CR": 0x0D, "LF": 0x0A]
        guard let terminator = terminators[terminatorName] else {
            throw r.fail("'terminator' in framing is '\(terminatorName)'; expected one of: CR, LF", at: f["terminator"])
        }
        let checksumReader = r.child(try r.required(f, "checksum"), "the checksum")
        let cf = try checksumReader.mapping(allowed: ["algorithm", "digits"])
        let algorithm = try checksumReader.string(try checksumReader.required(cf, "algorithm"), key: "algorithm")
        guard algorithm == "sum8" else {
            throw checksumReader.fail("'algorithm' in the checksum is '\(algorithm)'; expected one of: sum8", at: cf["algorithm"])
        }
        let digits = try checksumReader.integer(try checksumReader.required(cf, "digits"), key: "digits")
        guard digits == 2 else { throw checksumReader.fail("a sum8 checksum is written as 2 hexadecimal digits, not \(digits)", at: cf["digits"]) }
        let length = try r.integer(try r.required(f, "maximumLineLength"), key: "maximumLineLength")
        guard (8...255).contains(length) else { throw r.fail("maximumLineLength must be 8-255", at: f["maximumLineLength"]) }
        let markersReader = r.child(try r.required(f, "markers"), "the markers")
        let mf = try markersReader.mapping(allowed: ["done", "value", "refused"])
        let done = try punctuation(markersReader, try markersReader.required(mf, "done"), key: "done")
        let value = try punctuation(markersReader, try markersReader.required(mf, "value"), key: "value")
        let refused = try punctuation(markersReader, try markersReader.required(mf, "refused"), key: "refused")
        let checksumSeparator = try punctuation(r, try r.required(f, "checksumSeparator"), key: "checksumSeparator")
        let fieldSeparator = try punctuation(r, try r.required(f, "fieldSeparator"), key: "fieldSeparator")
        let echo = try r.string(try r.required(f, "unverifiedEcho"), key: "unverifiedEcho")
        guard echo.count == 2, echo.utf8.allSatisfy({ isPunctuation($0) }) else {
            throw r.fail("'unverifiedEcho' must be two punctuation characters (it stands where a two-letter command would)", at: f["unverifiedEcho"])
        }
        let special = [done, value, refused, checksumSeparator, fieldSeparator] + Array(echo.utf8)
        guard Set([done, value, refused, checksumSeparator, fieldSeparator]).count == 5,
              !echo.utf8.contains(where: { [done, value, refused, checksumSeparator, fieldSeparator].contains($0) }) else {
            throw r.fail("markers, separators and the unverified echo must all be different characters (got \(String(decoding: special, as: UTF8.self)))")
        }
        return LineFraming(
            description: try r.string(try r.required(f, "description"), key: "description"),
            terminator: terminator, terminatorName: terminatorName,
            checksumSeparator: checksumSeparator, fieldSeparator: fieldSeparator,
            checksumAlgorithm: algorithm, checksumDigits: digits, maximumLineLength: length,
            doneMarker: done, valueMarker: value, refusedMarker: refused, unverifiedEcho: echo)
    }

    static func isPunctuation(_ byte: UInt8) -> Bool {
        (0x21...0x7E).contains(byte) && !(0x30...0x39).contains(byte) && !(0x41...0x5A).contains(byte)
            && !(0x61...0x7A).contains(byte) && byte != UInt8(ascii: "-") && byte != UInt8(ascii: ".")
    }

    /// One printable character that cannot occur in a command, a number or a text field.
    static func punctuation(_ r: NodeReader, _ node: Node, key: String) throws -> UInt8 {
        let text = try r.string(node, key: key)
        guard text.utf8.count == 1, let byte = text.utf8.first, isPunctuation(byte) else {
            throw r.fail("'\(key)' in \(r.context) must be one punctuation character other than '-' and '.', not '\(text)'", at: node)
        }
        return byte
    }

    static func parseTiming(_ root: NodeReader, _ node: Node) throws -> LineTiming {
        let r = root.child(node, "timing")
        let f = try r.mapping(allowed: ["minimumCommandGap", "replyTimeout", "maximumReplyDelay", "description"])
        func milliseconds(_ key: String) throws -> Int {
            let value = try r.integer(try r.required(f, key), key: key)
            guard (1...60_000).contains(value) else { throw r.fail("'\(key)' in timing must be 1-60000 ms", at: f[key]) }
            return value
        }
        let timing = LineTiming(minimumCommandGap: try milliseconds("minimumCommandGap"), replyTimeout: try milliseconds("replyTimeout"),
                                maximumReplyDelay: try milliseconds("maximumReplyDelay"),
                                description: try r.string(try r.required(f, "description"), key: "description"))
        guard timing.maximumReplyDelay < timing.replyTimeout else {
            throw r.fail("maximumReplyDelay \(timing.maximumReplyDelay) ms must be below replyTimeout \(timing.replyTimeout) ms", at: f["maximumReplyDelay"])
        }
        return timing
    }

    static func parseRotor(_ root: NodeReader, _ node: Node) throws -> LineRotor {
        let r = root.child(node, "rotor")
        let f = try r.mapping(allowed: ["acceleration", "description"])
        let acceleration = try r.number(try r.required(f, "acceleration"), key: "acceleration")
        guard acceleration > 0 else { throw r.fail("'acceleration' in rotor must be positive", at: f["acceleration"]) }
        return LineRotor(acceleration: acceleration, description: try r.string(try r.required(f, "description"), key: "description"))
    }

    static func parseWatchdog(_ root: NodeReader, _ node: Node, spec: LineProtocolSpecification) throws -> LineWatchdog {
        let r = root.child(node, "watchdog")
        let f = try r.mapping(allowed: ["heartbeat", "timeout", "flag", "description"])
        let heartbeat = try r.string(try r.required(f, "heartbeat"), key: "heartbeat")
        guard let command = spec.command(named: heartbeat) else {
            throw r.fail("'heartbeat' in watchdog names command '\(heartbeat)', which is not defined", at: f["heartbeat"])
        }
        guard command.argument == nil, command.reply == .done else {
            throw r.fail("the heartbeat command '\(heartbeat)' must take no argument and reply done", at: f["heartbeat"])
        }
        let timeout = try r.string(try r.required(f, "timeout"), key: "timeout")
        guard let field = spec.field(named: timeout), field.kind == .decimal, field.unit == "ms", field.defaultNumber != nil else {
            throw r.fail("'timeout' in watchdog must name a decimal field in ms with a default, not '\(timeout)'", at: f["timeout"])
        }
        let flag = try r.string(try r.required(f, "flag"), key: "flag")
        guard spec.fields.contains(where: { $0.kind == .hexFlags && $0.bits.contains { $0.name == flag } }) else {
            throw r.fail("'flag' in watchdog must name a bit of a hexFlags field, not '\(flag)'", at: f["flag"])
        }
        return LineWatchdog(heartbeat: heartbeat, timeout: timeout, flag: flag,
                            description: try r.string(try r.required(f, "description"), key: "description"))
    }

    // MARK: Fields

    /// Names the generated enum uses for itself; fields become members and types beside them.
    static let reservedMembers: Set<String> = [
        "name", "specificationVersion", "baudRate", "dataBits", "parity", "stopBits", "flowControl", "addresses",
        "terminator", "checksumSeparator", "fieldSeparator", "checksumDigits", "maximumLineLength", "unverifiedEcho",
        "checksum", "minimumCommandGap", "replyTimeout", "maximumReplyDelay", "heartbeatCommand", "watchdogTimeoutField",
        "defaultWatchdogTimeout", "watchdogFlag", "rotorAcceleration", "examples",
    ]
    static let reservedTypes: Set<String> = ["Version", "DecimalField", "FieldFormat", "Field", "Example", "Command", "ReplyCode", "ReplyMarker"]

    /// Keys each kind of field may carry (besides name, kind and description).
    static let fieldKeys: [LineFieldKind: Set<String>] = [
        .decimal: ["unit", "scale", "range", "default"],
        .flag: [],
        .choice: ["values", "default"],
        .hexFlags: ["digits", "bits"],
        .text: ["maxLength"],
        .version: [],
    ]

    static func parseFields(_ root: NodeReader, _ node: Node) throws -> [LineField] {
        var fields: [LineField] = []
        for item in try root.sequence(node, key: "fields") {
            let initial = root.child(item, "a field")
            let nameValue = try initial.namedValue("name").map { try initial.string($0, key: "name") }
            let r = nameValue.map { initial.child(item, "field '\($0)'") } ?? initial
            let all = Set(fieldKeys.values.flatMap { $0 }).union(["name", "kind", "description"])
            let f = try r.mapping(allowed: all)
            guard let name = nameValue else { throw r.fail("missing key 'name' in a field") }
            try lowerCamelCase(r, name, key: "name", at: f["name"])
            guard !fields.contains(where: { $0.name == name }) else { throw r.fail("field name '\(name)' is used twice", at: f["name"]) }
            let typeName = SwiftRenderer.typeName(name)
            guard !reservedMembers.contains(name), !reservedTypes.contains(typeName) else {
                throw r.fail("field name '\(name)' is reserved: the generated code uses it for something else", at: f["name"])
            }
            let kind = try r.oneOf(try r.required(f, "kind"), key: "kind", as: LineFieldKind.self)
            let allowed = fieldKeys[kind]!.union(["name", "kind", "description"])
            if let (key, keyNode) = mappingKeys(item).first(where: { !allowed.contains($0.0) }) {
                throw r.fail("key '\(key)' does not apply to a field of kind '\(kind.rawValue)' (it may carry: \(allowed.sorted().joined(separator: ", ")))", at: keyNode)
            }
            var field = LineField(name: name, kind: kind, unit: nil, scale: 1, range: nil, defaultNumber: nil, defaultChoice: nil,
                                  choices: [], bits: [], digits: nil, maxLength: nil,
                                  description: try r.string(try r.required(f, "description"), key: "description"),
                                  line: (item.mark?.line ?? 0))
            switch kind {
            case .decimal:
                field.unit = try f["unit"].map { try r.string($0, key: "unit") }
                field.scale = try f["scale"].map { try r.number($0, key: "scale") } ?? 1
                guard field.scale > 0 else { throw r.fail("scale of '\(name)' must be positive", at: f["scale"]) }
                let rr = r.child(try r.required(f, "range"), "the range of '\(name)'")
                let rf = try rr.mapping(allowed: ["min", "max"])
                let low = try rr.number(try rr.required(rf, "min"), key: "min")
                let high = try rr.number(try rr.required(rf, "max"), key: "max")
                guard low <= high else { throw rr.fail("range min \(low) is above max \(high)") }
                guard low >= 0 else { throw rr.fail("decimal fields are unsigned: range min \(low) is negative", at: rf["min"]) }
                for (bound, key) in [(low, "min"), (high, "max")] where !onGrid(bound, scale: field.scale) {
                    throw rr.fail("range \(key) \(bound) is not a whole number of steps of \(field.scale)", at: rf[key])
                }
                // Checked as a Double before the raw range is made: a max past an Int's range would trap converting.
                guard (high / field.scale).rounded() <= 999_999_999 else {
                    throw rr.fail("range of '\(name)' needs more than 9 digits (max \(high) at scale \(field.scale))", at: rf["max"])
                }
                field.range = low...high
                if let d = f["default"] {
                    let value = try r.number(d, key: "default")
                    guard low <= value, value <= high, onGrid(value, scale: field.scale) else {
                        throw r.fail("default \(value) of '\(name)' is outside its range \(low)...\(high) or off its \(field.scale) steps", at: d)
                    }
                    field.defaultNumber = value
                }
            case .choice:
                for v in try r.sequence(try r.required(f, "values"), key: "values") {
                    let c = r.child(v, "a value of '\(name)'")
                    let cf = try c.mapping(allowed: ["text", "name", "description"])
                    let text = try c.string(try c.required(cf, "text"), key: "text")
                    guard !text.isEmpty, text.allSatisfy(\.isLineUpperLetter) else { throw c.fail("'text' of a choice must be upper-case letters, not '\(text)'", at: cf["text"]) }
                    let caseName = try c.string(try c.required(cf, "name"), key: "name")
                    try lowerCamelCase(c, caseName, key: "name", at: cf["name"])
                    guard !field.choices.contains(where: { $0.text == text || $0.name == caseName }) else {
                        throw c.fail("choice '\(text)' (\(caseName)) of '\(name)' repeats a text or name", at: v)
                    }
                    field.choices.append(LineChoice(text: text, name: caseName, description: try c.string(try c.required(cf, "description"), key: "description")))
                }
                guard field.choices.count >= 2 else { throw r.fail("choice field '\(name)' needs at least two values", at: f["values"]) }
                if let d = f["default"] {
                    let text = try r.string(d, key: "default")
                    guard field.choices.contains(where: { $0.text == text }) else { throw r.fail("default '\(text)' of '\(name)' is not one of its values", at: d) }
                    field.defaultChoice = text
                }
            case .hexFlags:
                let digits = try r.integer(try r.required(f, "digits"), key: "digits")
                guard (1...4).contains(digits) else { throw r.fail("digits of '\(name)' must be 1-4", at: f["digits"]) }
                field.digits = digits
                for b in try r.sequence(try r.required(f, "bits"), key: "bits") {
                    let c = r.child(b, "a bit of '\(name)'")
                    let bf = try c.mapping(allowed: ["bit", "name", "description"])
                    let bit = try c.integer(try c.required(bf, "bit"), key: "bit")
                    guard (0..<(4 * digits)).contains(bit) else { throw c.fail("bit \(bit) does not fit \(digits) hexadecimal digit(s)", at: bf["bit"]) }
                    let bitName = try c.string(try c.required(bf, "name"), key: "name")
                    try lowerCamelCase(c, bitName, key: "name", at: bf["name"])
                    guard !field.bits.contains(where: { $0.bit == bit || $0.name == bitName }) else {
                        throw c.fail("bit \(bit) '\(bitName)' repeats a bit number or name of '\(name)'", at: b)
                    }
                    field.bits.append(BitSpecification(bit: bit, name: bitName, description: try c.string(try c.required(bf, "description"), key: "description")))
                }
                guard !field.bits.isEmpty else { throw r.fail("hexFlags field '\(name)' must list its bits", at: f["bits"]) }
            case .text:
                let length = try r.integer(try r.required(f, "maxLength"), key: "maxLength")
                guard (1...32).contains(length) else { throw r.fail("maxLength of '\(name)' must be 1-32", at: f["maxLength"]) }
                field.maxLength = length
            case .flag, .version:
                break
            }
            fields.append(field)
        }
        return fields
    }

    /// Whether `value` is a whole number of `scale` steps (within rounding of the decimal literal).
    static func onGrid(_ value: Double, scale: Double) -> Bool {
        let steps = value / scale
        return abs(steps - steps.rounded()) < 1e-6 * max(1, abs(steps))
    }

    static func mappingKeys(_ node: Node) -> [(String, Node)] {
        guard case .mapping(let mapping) = node else { return [] }
        return mapping.compactMap { pair in
            if case .scalar(let s) = pair.key { return (s.string, pair.key) }
            return nil
        }
    }

    static func lowerCamelCase(_ r: NodeReader, _ text: String, key: String, at node: Node?) throws {
        guard let first = text.first, first.isLowercase, first.isASCII, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw r.fail("'\(key)' in \(r.context) must be a lowerCamelCase word, not '\(text)'", at: node)
        }
    }

    // MARK: Commands and reply codes

    static func parseReplyCodes(_ root: NodeReader, _ node: Node) throws -> [LineReplyCode] {
        var codes: [LineReplyCode] = []
        for item in try root.sequence(node, key: "replyCodes") {
            let initial = root.child(item, "a reply code")
            let nameValue = try initial.namedValue("name").map { try initial.string($0, key: "name") }
            let r = nameValue.map { initial.child(item, "reply code '\($0)'") } ?? initial
            let f = try r.mapping(allowed: ["code", "name", "kind", "everyCommand", "description"])
            guard let name = nameValue else { throw r.fail("missing key 'name' in a reply code") }
            try lowerCamelCase(r, name, key: "name", at: f["name"])
            let code = try r.integer(try r.required(f, "code"), key: "code")
            guard (1...99).contains(code) else { throw r.fail("code \(code) of '\(name)' must be 1-99 (two decimal digits)", at: f["code"]) }
            guard !codes.contains(where: { $0.code == code || $0.name == name }) else {
                throw r.fail("reply code \(code) '\(name)' repeats a code or name", at: item)
            }
            let kind = try r.string(try r.required(f, "kind"), key: "kind")
            guard errorKinds.contains(kind) else {
                throw r.fail("'kind' in reply code '\(name)' is '\(kind)'; expected one of: \(errorKinds.joined(separator: ", "))", at: f["kind"])
            }
            let every = try f["everyCommand"].map { try boolean(r, $0, key: "everyCommand") } ?? false
            codes.append(LineReplyCode(code: code, name: name, kind: kind, everyCommand: every,
                                       description: try r.string(try r.required(f, "description"), key: "description")))
        }
        guard !codes.isEmpty else { throw root.fail("'replyCodes' must list at least one code") }
        return codes
    }

    static func boolean(_ r: NodeReader, _ node: Node, key: String) throws -> Bool {
        guard case .scalar(let scalar) = node, ["true", "false"].contains(scalar.string) else {
            throw r.fail("'\(key)' in \(r.context) must be true or false", at: node)
        }
        return scalar.string == "true"
    }

    static func parseCommands(_ root: NodeReader, _ node: Node, fields: [LineField], codes: [LineReplyCode]) throws -> [LineCommand] {
        var commands: [LineCommand] = []
        for item in try root.sequence(node, key: "commands") {
            let initial = root.child(item, "a command")
            let nameValue = try initial.namedValue("name").map { try initial.string($0, key: "name") }
            let r = nameValue.map { initial.child(item, "command '\($0)'") } ?? initial
            let f = try r.mapping(allowed: ["name", "mnemonic", "argument", "reply", "value", "refusals", "safety", "description"])
            guard let name = nameValue else { throw r.fail("missing key 'name' in a command") }
            try lowerCamelCase(r, name, key: "name", at: f["name"])
            let mnemonic = try r.string(try r.required(f, "mnemonic"), key: "mnemonic")
            guard mnemonic.count == 2, mnemonic.allSatisfy(\.isLineUpperLetter) else {
                throw r.fail("'mnemonic' of '\(name)' must be two upper-case letters, not '\(mnemonic)'", at: f["mnemonic"])
            }
            guard !commands.contains(where: { $0.name == name || $0.mnemonic == mnemonic }) else {
                throw r.fail("command '\(name)' (\(mnemonic)) repeats a name or mnemonic", at: item)
            }
            let argument = try f["argument"].map { try r.string($0, key: "argument") }
            if let argument {
                guard let field = fields.first(where: { $0.name == argument }) else {
                    throw r.fail("'argument' of '\(name)' names field '\(argument)', which is not defined", at: f["argument"])
                }
                guard [.decimal, .choice, .flag].contains(field.kind) else {
                    throw r.fail("'argument' of '\(name)' must be a decimal, choice or flag field; '\(argument)' is \(field.kind.rawValue)", at: f["argument"])
                }
            }
            let reply = try r.oneOf(try r.required(f, "reply"), key: "reply", as: LineReplyKind.self)
            var value: [String] = []
            if let valueNode = f["value"] {
                guard reply == .value else { throw r.fail("'value' of '\(name)' is given but its reply is '\(reply.rawValue)'", at: valueNode) }
                for v in try r.sequence(valueNode, key: "value") {
                    let fieldName = try r.string(v, key: "value")
                    guard fields.contains(where: { $0.name == fieldName }) else {
                        throw r.fail("'value' of '\(name)' names field '\(fieldName)', which is not defined", at: v)
                    }
                    guard !value.contains(fieldName) else { throw r.fail("'value' of '\(name)' lists '\(fieldName)' twice", at: v) }
                    value.append(fieldName)
                }
            }
            if reply == .value && value.isEmpty { throw r.fail("command '\(name)' replies with a value: it must list its 'value' fields") }
            var refusals: [String] = []
            if let refusalsNode = f["refusals"] {
                for c in try r.sequence(refusalsNode, key: "refusals") {
                    let codeName = try r.string(c, key: "refusals")
                    guard let code = codes.first(where: { $0.name == codeName }) else {
                        throw r.fail("'refusals' of '\(name)' names reply code '\(codeName)', which is not defined", at: c)
                    }
                    guard !code.everyCommand else {
                        throw r.fail("'refusals' of '\(name)' lists '\(codeName)', which applies to every command already", at: c)
                    }
                    guard !refusals.contains(codeName) else { throw r.fail("'refusals' of '\(name)' lists '\(codeName)' twice", at: c) }
                    refusals.append(codeName)
                }
            }
            commands.append(LineCommand(
                name: name, mnemonic: mnemonic, argument: argument, reply: reply, value: value, refusals: refusals,
                safety: try f["safety"].map { try boolean(r, $0, key: "safety") } ?? false,
                description: try r.string(try r.required(f, "description"), key: "description")))
        }
        guard !commands.isEmpty else { throw root.fail("'commands' must list at least one command") }
        return commands
    }

    /// Every request and reply the specification allows must fit the maximum line length.
    static func checkLineLengths(_ root: NodeReader, spec: LineProtocolSpecification) throws {
        let fr = spec.framing
        let trailer = 1 + fr.checksumDigits + 1
        let refusal = 1 + 1 + 2 + 2 + trailer
        guard refusal <= fr.maximumLineLength else { throw root.fail("a refusal (\(refusal) bytes) exceeds maximumLineLength \(fr.maximumLineLength)") }
        for command in spec.commands {
            let argument = command.argument.flatMap(spec.field(named:))?.maximumWidth ?? 0
            let request = 1 + 2 + argument + trailer
            let values = command.value.compactMap(spec.field(named:))
            let payload = values.map(\.maximumWidth).reduce(0, +) + max(0, values.count - 1)
            let reply = 1 + 1 + 2 + payload + trailer
            guard request <= fr.maximumLineLength, reply <= fr.maximumLineLength else {
                throw root.fail("command '\(command.name)' can need a \(max(request, reply))-byte line, above maximumLineLength \(fr.maximumLineLength)")
            }
        }
    }

    // MARK: Examples

    static func parseExamples(_ root: NodeReader, _ node: Node, spec: LineProtocolSpecification) throws -> [LineExample] {
        var examples: [LineExample] = []
        for item in try root.sequence(node, key: "examples") {
            let r = root.child(item, "an example")
            let f = try r.mapping(allowed: ["request", "reply", "description"])
            let example = LineExample(request: try r.string(try r.required(f, "request"), key: "request"),
                                      reply: try r.string(try r.required(f, "reply"), key: "reply"),
                                      description: try r.string(try r.required(f, "description"), key: "description"))
            if let problem = check(example, spec: spec) { throw r.fail("example '\(example.request)' → '\(example.reply)': \(problem)", at: item) }
            examples.append(example)
        }
        return examples
    }

    /// The body and checksum text of a line without terminator, split at the checksum separator.
    static func split(_ line: String, _ framing: LineFraming) -> (body: Substring, checksum: Substring)? {
        let separator = Character(UnicodeScalar(framing.checksumSeparator))
        guard let index = line.lastIndex(of: separator) else { return nil }
        return (line[..<index], line[line.index(after: index)...])
    }

    /// The checksum a body should carry, as text.
    static func checksum(_ body: Substring, _ framing: LineFraming) -> String {
        let sum = body.utf8.reduce(UInt8(0), &+)
        let digits = String(sum, radix: 16, uppercase: true)
        return String(repeating: "0", count: framing.checksumDigits - digits.count) + digits
    }

    /// Why an example contradicts the specification, or nil when it agrees.
    static func check(_ example: LineExample, spec: LineProtocolSpecification) -> String? {
        let fr = spec.framing
        guard let request = split(example.request, fr), let reply = split(example.reply, fr) else { return "each line needs a checksum separator" }
        guard example.request.utf8.count + 1 <= fr.maximumLineLength, example.reply.utf8.count + 1 <= fr.maximumLineLength else {
            return "a line exceeds maximumLineLength"
        }
        guard reply.checksum == checksum(reply.body, fr) else { return "the reply's checksum should be \(checksum(reply.body, fr))" }
        let r = Array(reply.body)
        guard r.count >= 4 else { return "the reply is too short" }
        let q = Array(request.body)
        guard q.count >= 3, let address = q.first?.wholeNumberValue, spec.addresses.contains(address) else {
            return "the request must start with an address in \(spec.addresses)"
        }
        guard r[0] == q[0] else { return "the reply must carry the request's address" }
        let marker = r[1].asciiValue
        let echo = String(r[2...3])
        let payload = String(r[4...])
        let requestChecksumValid = request.checksum == checksum(request.body, fr)
        if marker == fr.refusedMarker {
            guard payload.count == 2, let code = Int(payload), let replyCode = spec.replyCodes.first(where: { $0.code == code }) else {
                return "a refusal carries a defined two-digit reason code"
            }
            if echo == fr.unverifiedEcho {
                return requestChecksumValid || replyCode.kind != "corruptFrame"
                    ? "only a request with a bad checksum is answered with the unverified echo and a corruptFrame code" : nil
            }
        }
        guard requestChecksumValid else { return "the request's checksum should be \(checksum(request.body, fr))" }
        let mnemonic = String(q[1...2])
        guard let command = spec.command(mnemonic: mnemonic) else { return "'\(mnemonic)' is not a command" }
        guard echo == mnemonic else { return "the reply must echo '\(mnemonic)'" }
        let argument = String(q[3...])
        let argumentValid = command.argument.flatMap(spec.field(named:)).map { $0.accepts(Substring(argument)) } ?? argument.isEmpty
        switch marker {
        case fr.refusedMarker:
            return nil
        case fr.doneMarker:
            guard argumentValid else { return "the argument '\(argument)' is invalid, so the request must be refused" }
            return command.reply == .done && payload.isEmpty ? nil : "'\(command.name)' does not reply done"
        case fr.valueMarker:
            guard argumentValid else { return "the argument '\(argument)' is invalid, so the request must be refused" }
            guard command.reply == .value else { return "'\(command.name)' does not reply with a value" }
            let parts = payload.split(separator: Character(UnicodeScalar(fr.fieldSeparator)), omittingEmptySubsequences: false)
            let fields = command.value.compactMap(spec.field(named:))
            guard parts.count == fields.count else { return "the value needs \(fields.count) field(s), has \(parts.count)" }
            for (part, field) in zip(parts, fields) where !field.accepts(part) {
                return "'\(part)' is not a valid \(field.name)"
            }
            return nil
        default:
            return "unknown reply marker '\(r[1])'"
        }
    }
}
