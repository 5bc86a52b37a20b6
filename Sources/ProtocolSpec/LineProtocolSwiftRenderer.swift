/// Renders a line-protocol specification as Swift constants for the FirmwareProtocols
/// module: the mnemonics, field ranges and scales, reply codes, framing bytes, line
/// settings and timing the driver and the simulated firmware both use. Framing and
/// parsing themselves stay in the driver and the firmware, written independently, so
/// that tests of one against the other can catch a mistake in either.
public enum LineProtocolSwiftRenderer {
    /// File name (in Sources/FirmwareProtocols/Generated/) → contents.
    public static func render(_ specs: [LineProtocolSpecification]) -> [String: String] {
        var files: [String: String] = [:]
        for spec in specs { files["\(typeName(spec)).swift"] = render(spec) }
        return files
    }

    /// `asciiPumpLine` → `AsciiPumpLineProtocol`.
    static func typeName(_ spec: LineProtocolSpecification) -> String { SwiftRenderer.typeName(spec.name) + "Protocol" }

    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func byte(_ value: UInt8) -> String { SwiftRenderer.hex(Int(value), width: 2) }

    static func byteComment(_ value: UInt8) -> String {
        value == 0x0D ? "CR" : value == 0x0A ? "LF" : "\"\(Character(UnicodeScalar(value)))\""
    }

    static func doc(_ text: String, _ indent: String) -> String { SwiftRenderer.docComment(text, indent: indent) }

    /// The Swift expression of a field's format.
    static func format(_ field: LineField, in owner: String) -> String {
        switch field.kind {
        case .decimal: ".decimal(\(owner).\(field.name))"
        case .flag: ".flag"
        case .choice: ".choice(\(owner).\(SwiftRenderer.typeName(field.name)).allCases.map(\\.rawValue))"
        case .hexFlags: ".hexFlags(digits: \(field.digits ?? 0), defined: Int(\(owner).\(SwiftRenderer.typeName(field.name)).defined.rawValue))"
        case .text: ".text(maximumLength: \(field.maxLength ?? 0))"
        case .version: ".version"
        }
    }

    static func render(_ spec: LineProtocolSpecification) -> String {
        let fr = spec.framing
        let owner = typeName(spec)
        var out = SwiftRenderer.header + "\n"
        // Public: the generated API speaks in HardwareInterfaces types (InternalImportsByDefault).
        out += "public import HardwareInterfaces\n\n"
        out += doc("\(spec.title) (\(spec.sourceFile)). " + spec.description, "")
        if let safe = spec.safeState { out += doc("Safe state on a lapsed watchdog: \(safe)", "") }
        out += "public enum \(typeName(spec)) {\n"
        out += "    /// The specification's name.\n"
        out += "    public static let name = \(quoted(spec.name))\n"
        out += "    /// The specification's version; the device reports the one it implements.\n"
        out += "    public static let specificationVersion = Version(major: \(spec.version.major), minor: \(spec.version.minor))\n"

        out += "\n    // MARK: Serial line\n\n"
        out += "    /// Bits per second.\n    public static let baudRate = \(spec.serial.baudRate)\n"
        out += "    /// Data bits per character.\n    public static let dataBits = \(spec.serial.dataBits)\n"
        out += "    /// Parity: none, even or odd.\n    public static let parity = \(quoted(spec.serial.parity))\n"
        out += "    /// Stop bits per character.\n    public static let stopBits = \(spec.serial.stopBits)\n"
        out += "    /// Flow control (always none).\n    public static let flowControl = \(quoted(spec.serial.flowControl))\n"
        out += "    /// Valid device addresses, one decimal digit each.\n"
        out += "    public static let addresses: ClosedRange<Int> = \(spec.addresses.lowerBound)...\(spec.addresses.upperBound)\n"

        out += "\n    // MARK: Framing\n\n"
        out += doc(fr.description, "    ")
        out += "    public static let terminator: UInt8 = \(byte(fr.terminator))  // \(byteComment(fr.terminator))\n"
        out += "    /// Separates a line's body from its checksum.\n"
        out += "    public static let checksumSeparator: UInt8 = \(byte(fr.checksumSeparator))  // \(byteComment(fr.checksumSeparator))\n"
        out += "    /// Separates the fields of a value reply.\n"
        out += "    public static let fieldSeparator: UInt8 = \(byte(fr.fieldSeparator))  // \(byteComment(fr.fieldSeparator))\n"
        out += "    /// Upper-case hexadecimal digits of the checksum.\n"
        out += "    public static let checksumDigits = \(fr.checksumDigits)\n"
        out += "    /// The longest line, terminator included.\n"
        out += "    public static let maximumLineLength = \(fr.maximumLineLength)\n"
        out += "    /// Echoed instead of the command when the request failed its checksum or framing.\n"
        out += "    public static let unverifiedEcho: [UInt8] = [\(fr.unverifiedEcho.utf8.map(byte).joined(separator: ", "))]  // \(quoted(fr.unverifiedEcho))\n"
        out += "    /// The checksum (\(fr.checksumAlgorithm)) of a line's body: the sum of its bytes modulo 256.\n"
        out += "    public static func checksum(_ body: some Sequence<UInt8>) -> UInt8 { body.reduce(0, &+) }\n\n"
        out += "    /// What kind of reply a line is, from the byte after the address.\n"
        out += "    public enum ReplyMarker: UInt8, Sendable, CaseIterable {\n"
        out += "        /// Accepted; nothing follows the echoed command.\n        case done = \(byte(fr.doneMarker))  // \(byteComment(fr.doneMarker))\n"
        out += "        /// Accepted; the value fields follow the echoed command.\n        case value = \(byte(fr.valueMarker))  // \(byteComment(fr.valueMarker))\n"
        out += "        /// Refused; a two-digit ``ReplyCode`` follows the echoed command.\n        case refused = \(byte(fr.refusedMarker))  // \(byteComment(fr.refusedMarker))\n"
        out += "    }\n"

        out += "\n    // MARK: Timing\n\n"
        out += doc(spec.timing.description, "    ")
        out += "    public static let minimumCommandGap: Duration = .milliseconds(\(spec.timing.minimumCommandGap))\n"
        out += "    /// How long a host waits for a whole reply, from starting to send its request.\n"
        out += "    public static let replyTimeout: Duration = .milliseconds(\(spec.timing.replyTimeout))\n"
        out += "    /// How soon the device starts its reply after the request's terminator.\n"
        out += "    public static let maximumReplyDelay: Duration = .milliseconds(\(spec.timing.maximumReplyDelay))\n"

        if let w = spec.watchdog, let timeout = spec.field(named: w.timeout), let flagField = spec.fields.first(where: { $0.kind == .hexFlags && $0.bits.contains { $0.name == w.flag } }) {
            out += "\n    // MARK: Watchdog\n\n"
            out += doc(w.description, "    ")
            out += "    public static let heartbeatCommand = Command.\(w.heartbeat)\n"
            out += "    /// The field that sets the watchdog timeout.\n"
            out += "    public static let watchdogTimeoutField = \(w.timeout)\n"
            out += "    /// The watchdog timeout after power-on.\n"
            out += "    public static let defaultWatchdogTimeout: Duration = .milliseconds(\(Int(timeout.defaultNumber ?? 0)))\n"
            out += "    /// The fault flag an expiry sets.\n"
            out += "    public static let watchdogFlag = \(SwiftRenderer.typeName(flagField.name)).\(w.flag)\n"
        }
        if let rotor = spec.rotor {
            out += "\n    // MARK: Rotor\n\n"
            out += doc("Ramp rate, rpm per second. " + rotor.description, "    ")
            out += "    public static let rotorAcceleration = \(SwiftRenderer.literal(rotor.acceleration))\n"
        }

        out += "\n    // MARK: Fields\n"
        for field in spec.fields { out += renderField(field) }

        out += "\n    // MARK: Commands\n\n"
        out += "    /// Every command, its mnemonic as raw value.\n"
        out += "    public enum Command: String, Sendable, CaseIterable {\n"
        for c in spec.commands {
            out += doc(c.description, "        ")
            out += "        case \(c.name) = \(quoted(c.mnemonic))\n"
        }
        out += "\n        /// The two letters on the line.\n"
        out += "        public var mnemonic: [UInt8] { Array(rawValue.utf8) }\n\n"
        out += "        /// The argument the command takes, if any.\n"
        out += "        public var argument: Field? {\n            switch self {\n"
        for c in spec.commands {
            let arg = c.argument.flatMap(spec.field(named:)).map { "Field(name: \(quoted($0.name)), format: \(format($0, in: owner)))" } ?? "nil"
            out += "            case .\(c.name): \(arg)\n"
        }
        out += "            }\n        }\n\n"
        out += "        /// Whether an accepted request is answered with a value (else with done).\n"
        out += "        public var repliesWithValue: Bool {\n            switch self {\n"
        for c in spec.commands { out += "            case .\(c.name): \(c.reply == .value)\n" }
        out += "            }\n        }\n\n"
        out += "        /// The fields of the value reply, in order.\n"
        out += "        public var valueFields: [Field] {\n            switch self {\n"
        for c in spec.commands {
            let fields = c.value.compactMap(spec.field(named:)).map { "Field(name: \(quoted($0.name)), format: \(format($0, in: owner)))" }
            out += "            case .\(c.name): [\(fields.joined(separator: ", "))]\n"
        }
        out += "            }\n        }\n\n"
        out += "        /// Reply codes particular to this command (besides those of every command).\n"
        out += "        public var refusals: [ReplyCode] {\n            switch self {\n"
        for c in spec.commands { out += "            case .\(c.name): [\(c.refusals.map { "." + $0 }.joined(separator: ", "))]\n" }
        out += "            }\n        }\n\n"
        out += "        /// A command that brings the device to its safe state: it jumps the poll queue.\n"
        out += "        public var isSafetyCommand: Bool {\n            switch self {\n"
        for c in spec.commands { out += "            case .\(c.name): \(c.safety)\n" }
        out += "            }\n        }\n"
        out += "    }\n"

        out += "\n    // MARK: Reply codes\n\n"
        out += "    /// Why a device refuses a request: two decimal digits after the refused marker.\n"
        out += "    public enum ReplyCode: Int, Sendable, CaseIterable {\n"
        for code in spec.replyCodes {
            out += doc(code.description, "        ")
            out += "        case \(code.name) = \(code.code)\n"
        }
        out += "\n        /// The kind the host reports the refusal as.\n"
        out += "        public var kind: HardwareErrorKind {\n            switch self {\n"
        for code in spec.replyCodes { out += "            case .\(code.name): .\(code.kind)\n" }
        out += "            }\n        }\n\n"
        out += "        /// What the refusal means.\n"
        out += "        public var meaning: String {\n            switch self {\n"
        for code in spec.replyCodes { out += "            case .\(code.name): \(quoted(code.description))\n" }
        out += "            }\n        }\n\n"
        out += "        /// Whether any command can be refused this way.\n"
        out += "        public var appliesToEveryCommand: Bool {\n            switch self {\n"
        for code in spec.replyCodes { out += "            case .\(code.name): \(code.everyCommand)\n" }
        out += "            }\n        }\n\n"
        out += "        /// The two digits on the line.\n"
        out += "        public var digits: [UInt8] { [UInt8(ascii: \"0\") + UInt8(rawValue / 10), UInt8(ascii: \"0\") + UInt8(rawValue % 10)] }\n"
        out += "    }\n"

        out += "\n    // MARK: Examples\n\n"
        out += "    /// The specification's worked exchanges (lines without their terminator), checked when it was loaded.\n"
        out += "    public static let examples: [Example] = [\n"
        for e in spec.examples {
            out += "        Example(request: \(quoted(e.request)), reply: \(quoted(e.reply)),\n                description: \(quoted(e.description))),\n"
        }
        out += "    ]\n"

        out += supportTypes
        out += "}\n"
        return out
    }

    static func renderField(_ f: LineField) -> String {
        var out = "\n"
        let type = SwiftRenderer.typeName(f.name)
        switch f.kind {
        case .decimal:
            let raw = f.rawRange ?? 0...0
            var text = f.description
            if let unit = f.unit { text += " Unit: \(unit)" + (f.scale != 1 ? " (raw × \(f.scale))." : ".") }
            out += doc(text, "    ")
            let range = f.range.map { "\(SwiftRenderer.literal($0.lowerBound))...\(SwiftRenderer.literal($0.upperBound))" } ?? "0.0...0.0"
            let defaultRaw = f.defaultNumber.map { String(Int(($0 / f.scale).rounded())) } ?? "nil"
            out += "    public static let \(f.name) = DecimalField(\n"
            out += "        name: \(quoted(f.name)), unit: \(f.unit.map(quoted) ?? "nil"), scale: \(SwiftRenderer.literal(f.scale)),\n"
            out += "        range: \(range), rawRange: \(raw.lowerBound)...\(raw.upperBound), maximumDigits: \(f.maximumWidth), defaultRaw: \(defaultRaw))\n"
        case .choice:
            out += doc(f.description, "    ")
            out += "    public enum \(type): String, Sendable, CaseIterable {\n"
            for c in f.choices {
                out += doc(c.description, "        ")
                out += "        case \(c.name) = \(quoted(c.text))\n"
            }
            out += "    }\n"
            if let d = f.defaultChoice, let c = f.choices.first(where: { $0.text == d }) {
                out += "    /// ``\(type)`` after power-on.\n"
                out += "    public static let default\(type) = \(type).\(c.name)\n"
            }
        case .hexFlags:
            let rawType = (f.digits ?? 2) <= 2 ? "UInt8" : "UInt16"
            out += doc(f.description, "    ")
            out += "    public struct \(type): OptionSet, Sendable, Hashable {\n"
            out += "        /// The bits as the \(f.digits ?? 0) hexadecimal digits carry them.\n"
            out += "        public let rawValue: \(rawType)\n"
            out += "        /// A bit set from its raw value.\n"
            out += "        public init(rawValue: \(rawType)) { self.rawValue = rawValue }\n"
            for b in f.bits {
                out += doc(b.description, "        ")
                out += "        public static let \(b.name) = \(type)(rawValue: 1 << \(b.bit))\n"
            }
            out += "        /// Every bit the specification defines, with its name.\n"
            out += "        public static let named: [(bit: \(type), name: String)] = [\n"
            out += f.bits.map { "            (.\($0.name), \"\($0.name)\")," }.joined(separator: "\n") + "\n"
            out += "        ]\n"
            out += "        /// Every defined bit (a device setting any other is lying).\n"
            out += "        public static let defined = \(type)(rawValue: \(SwiftRenderer.hex(f.bits.reduce(0) { $0 | (1 << $1.bit) }, width: 2)))\n"
            out += "        /// Hexadecimal digits on the line.\n"
            out += "        public static let digits = \(f.digits ?? 0)\n"
            out += "    }\n"
        case .flag:
            out += doc(f.description + " Written `0` or `1`.", "    ")
            out += "    public static let \(f.name) = Field(name: \(quoted(f.name)), format: .flag)\n"
        case .text:
            out += doc(f.description + " Upper-case letters, digits and '-'.", "    ")
            out += "    public static let \(f.name) = Field(name: \(quoted(f.name)), format: .text(maximumLength: \(f.maxLength ?? 0)))\n"
        case .version:
            out += doc(f.description + " Written major.minor, each 0–99.", "    ")
            out += "    public static let \(f.name) = Field(name: \(quoted(f.name)), format: .version)\n"
        }
        return out
    }

    /// The small value types every generated line protocol uses, nested so that two
    /// protocols never clash.
    static let supportTypes = """

            // MARK: Support types

            /// A major.minor version, as lines carry it.
            public struct Version: Hashable, Comparable, Sendable, CustomStringConvertible {
                /// A different major version is a different protocol.
                public let major: Int
                /// Compatible additions.
                public let minor: Int
                /// A version from its parts.
                public init(major: Int, minor: Int) {
                    self.major = major
                    self.minor = minor
                }
                /// Orders by major, then minor.
                public static func < (a: Version, b: Version) -> Bool { (a.major, a.minor) < (b.major, b.minor) }
                /// "1.0".
                public var description: String { "\\(major).\\(minor)" }
            }

            /// An unsigned decimal field: engineering value = raw × scale.
            public struct DecimalField: Hashable, Sendable {
                /// The specification's name.
                public let name: String
                /// Engineering unit.
                public let unit: String?
                /// Engineering value = raw × scale.
                public let scale: Double
                /// Plausible engineering range.
                public let range: ClosedRange<Double>
                /// Valid raw values.
                public let rawRange: ClosedRange<Int>
                /// Most digits on the line.
                public let maximumDigits: Int
                /// Raw value after power-on, if specified.
                public let defaultRaw: Int?

                /// A field from the specification's numbers.
                public init(name: String, unit: String?, scale: Double, range: ClosedRange<Double>, rawRange: ClosedRange<Int>, maximumDigits: Int, defaultRaw: Int?) {
                    self.name = name
                    self.unit = unit
                    self.scale = scale
                    self.range = range
                    self.rawRange = rawRange
                    self.maximumDigits = maximumDigits
                    self.defaultRaw = defaultRaw
                }

                /// Steps per engineering unit (10 for a scale of 0.1), when whole: dividing by it
                /// gives the same double as the decimal literal (1198 / 10 == 119.8, 1198 × 0.1 is not).
                private var stepsPerUnit: Double? {
                    let inverse = (1 / scale).rounded()
                    return inverse >= 1 && abs(inverse * scale - 1) < 1e-12 ? inverse : nil
                }

                /// The engineering value of a raw value.
                public func value(raw: Int) -> Double { stepsPerUnit.map { Double(raw) / $0 } ?? Double(raw) * scale }

                /// The raw value for an engineering value, rounded to the field's resolution;
                /// nil when it is not finite or lies outside the range.
                public func raw(for value: Double) -> Int? {
                    let steps = stepsPerUnit.map { value * $0 } ?? value / scale
                    // A hair of tolerance so a bound written in decimal (0.3 at scale 0.1) still counts as inside.
                    guard steps.isFinite, steps >= Double(rawRange.lowerBound) - 1e-9, steps <= Double(rawRange.upperBound) + 1e-9 else { return nil }
                    return min(max(Int(steps.rounded()), rawRange.lowerBound), rawRange.upperBound)
                }
            }

            /// How a field is written on the line.
            public enum FieldFormat: Hashable, Sendable {
                /// Unsigned decimal digits.
                case decimal(DecimalField)
                /// `0` or `1`.
                case flag
                /// One of these words.
                case choice([String])
                /// Upper-case hexadecimal digits of a bit set; `defined` has the specified bits.
                case hexFlags(digits: Int, defined: Int)
                /// Upper-case letters, digits and '-'.
                case text(maximumLength: Int)
                /// major.minor.
                case version
            }

            /// A named argument or reply field.
            public struct Field: Hashable, Sendable {
                /// The specification's name.
                public let name: String
                /// How it is written.
                public let format: FieldFormat
                /// A field from its parts.
                public init(name: String, format: FieldFormat) {
                    self.name = name
                    self.format = format
                }
            }

            /// A worked exchange from the specification.
            public struct Example: Hashable, Sendable {
                /// The request line, without terminator.
                public let request: String
                /// The reply line, without terminator.
                public let reply: String
                /// What it shows.
                public let description: String
                /// An example from its parts.
                public init(request: String, reply: String, description: String) {
                    self.request = request
                    self.reply = reply
                    self.description = description
                }
            }

        """
}
