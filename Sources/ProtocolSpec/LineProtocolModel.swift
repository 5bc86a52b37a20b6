/// A line-based (ASCII) device protocol, as its specification file
/// (firmware-protocols/line-*.yaml) states it: one text line per request, one per reply.
public struct LineProtocolSpecification: Equatable, Sendable {
    /// lowerCamelCase protocol name, e.g. `asciiPumpLine`; the generated enum is its UpperCamelCase + `Protocol`.
    public var name: String
    /// Heading of the generated document.
    public var title: String
    /// What the protocol is for and how it behaves, in prose.
    public var description: String
    /// The specification's version; the device reports the one it implements.
    public var version: LineProtocolVersion
    /// Line settings.
    public var serial: LineSerialSettings
    /// Valid device addresses (one decimal digit each).
    public var addresses: ClosedRange<Int>
    /// How lines are built and checked.
    public var framing: LineFraming
    /// Gaps, delays and timeouts.
    public var timing: LineTiming
    /// The host watchdog, for actuators.
    public var watchdog: LineWatchdog?
    /// What the device does by itself when its watchdog lapses.
    public var safeState: String?
    /// How the rotor moves, for pumps.
    public var rotor: LineRotor?
    /// Arguments and reply values, by name.
    public var fields: [LineField]
    /// The commands, in specification order.
    public var commands: [LineCommand]
    /// Why a device refuses a request.
    public var replyCodes: [LineReplyCode]
    /// Worked request/reply pairs, checked against everything above when loaded.
    public var examples: [LineExample]
    /// The file it came from, for messages.
    public var sourceFile: String

    /// The field called `name`.
    public func field(named name: String) -> LineField? { fields.first { $0.name == name } }
    /// The command called `name`.
    public func command(named name: String) -> LineCommand? { commands.first { $0.name == name } }
    /// The command with this two-letter mnemonic.
    public func command(mnemonic: String) -> LineCommand? { commands.first { $0.mnemonic == mnemonic } }
    /// The reply code called `name`.
    public func replyCode(named name: String) -> LineReplyCode? { replyCodes.first { $0.name == name } }
}

/// major.minor.
public struct LineProtocolVersion: Equatable, Sendable, CustomStringConvertible {
    /// A different major version is a different protocol.
    public var major: Int
    /// Compatible additions.
    public var minor: Int
    /// "1.0".
    public var description: String { "\(major).\(minor)" }
}

/// The serial line's settings (raw mode always).
public struct LineSerialSettings: Equatable, Sendable {
    /// Bits per second.
    public var baudRate: Int
    /// Data bits per character.
    public var dataBits: Int
    /// `none`, `even` or `odd`.
    public var parity: String
    /// Stop bits per character.
    public var stopBits: Int
    /// Only `none` is supported.
    public var flowControl: String

    /// "9600 8N1".
    public var summary: String { "\(baudRate) \(dataBits)\(parity.prefix(1).uppercased())\(stopBits)" }
}

/// How a line is built: separators, markers, checksum, length.
public struct LineFraming: Equatable, Sendable {
    /// The framing in prose.
    public var description: String
    /// The byte that ends every line.
    public var terminator: UInt8
    /// Its name in the specification (`CR`, `LF`).
    public var terminatorName: String
    /// The byte before the checksum.
    public var checksumSeparator: UInt8
    /// The byte between the fields of a value reply.
    public var fieldSeparator: UInt8
    /// Only `sum8` (sum of the bytes modulo 256) is defined.
    public var checksumAlgorithm: String
    /// Hexadecimal digits of the checksum.
    public var checksumDigits: Int
    /// Longest line, terminator included.
    public var maximumLineLength: Int
    /// Reply marker: done, no payload.
    public var doneMarker: UInt8
    /// Reply marker: a value payload follows.
    public var valueMarker: UInt8
    /// Reply marker: refused, a reason code follows.
    public var refusedMarker: UInt8
    /// Echoed instead of the command when the request could not be verified.
    public var unverifiedEcho: String
}

/// Timing of an exchange, in milliseconds.
public struct LineTiming: Equatable, Sendable {
    /// Least time between a reply (or timeout) and the next request.
    public var minimumCommandGap: Int
    /// How long the host waits for a whole reply, from starting to send the request.
    public var replyTimeout: Int
    /// How soon the device starts its reply after the request's terminator.
    public var maximumReplyDelay: Int
    /// The timing in prose.
    public var description: String
}

/// The host watchdog: which command feeds it, which field sets it, which flag reports it.
public struct LineWatchdog: Equatable, Sendable {
    /// Name of the heartbeat command.
    public var heartbeat: String
    /// Name of the timeout field (milliseconds, with a default).
    public var timeout: String
    /// Name of the fault flag that reports an expiry.
    public var flag: String
    /// The watchdog in prose.
    public var description: String
}

/// How a pump's rotor moves.
public struct LineRotor: Equatable, Sendable {
    /// Ramp rate, rpm per second.
    public var acceleration: Double
    /// The motion in prose.
    public var description: String
}

/// The kinds of field a line carries.
public enum LineFieldKind: String, Sendable, CaseIterable {
    /// An unsigned decimal integer: raw × scale = engineering value.
    case decimal
    /// `0` or `1`.
    case flag
    /// One of a few upper-case words.
    case choice
    /// A bit set as upper-case hexadecimal digits.
    case hexFlags
    /// Upper-case letters, digits and `-`.
    case text
    /// `major.minor`, each 0–99.
    case version
}

/// One word of a choice field.
public struct LineChoice: Equatable, Sendable {
    /// As it appears on the line.
    public var text: String
    /// The Swift case name.
    public var name: String
    /// What it means.
    public var description: String
}

/// One argument or reply value.
public struct LineField: Equatable, Sendable {
    /// lowerCamelCase name.
    public var name: String
    /// How it is written on the line.
    public var kind: LineFieldKind
    /// Engineering unit (decimal).
    public var unit: String?
    /// Engineering value = raw × scale (decimal).
    public var scale: Double
    /// Plausible engineering range (decimal).
    public var range: ClosedRange<Double>?
    /// Power-on value (decimal), in engineering units.
    public var defaultNumber: Double?
    /// Power-on value (choice), as its text.
    public var defaultChoice: String?
    /// The words (choice).
    public var choices: [LineChoice]
    /// The bits (hexFlags).
    public var bits: [BitSpecification]
    /// Hexadecimal digits (hexFlags).
    public var digits: Int?
    /// Longest text (text).
    public var maxLength: Int?
    /// What it is.
    public var description: String
    /// Line in the source file, for messages.
    public var line: Int

    /// The raw integer range of a decimal field.
    public var rawRange: ClosedRange<Int>? {
        range.map { Int(($0.lowerBound / scale).rounded())...Int(($0.upperBound / scale).rounded()) }
    }

    /// Most characters the field takes on a line.
    public var maximumWidth: Int {
        switch kind {
        case .decimal: String(rawRange?.upperBound ?? 0).count
        case .flag: 1
        case .choice: choices.map(\.text.count).max() ?? 0
        case .hexFlags: digits ?? 0
        case .text: maxLength ?? 0
        case .version: 5
        }
    }

    /// Whether `text` is a valid rendering of this field (syntax and range).
    public func accepts(_ text: Substring) -> Bool {
        switch kind {
        case .decimal:
            guard let rawRange, !text.isEmpty, text.count <= maximumWidth, text.allSatisfy(\.isLineDigit), let raw = Int(text) else { return false }
            return rawRange.contains(raw)
        case .flag:
            return text == "0" || text == "1"
        case .choice:
            return choices.contains { $0.text == text }
        case .hexFlags:
            guard text.count == digits, text.allSatisfy(\.isLineHexDigit), let raw = Int(text, radix: 16) else { return false }
            let defined = bits.reduce(0) { $0 | (1 << $1.bit) }
            return raw & ~defined == 0
        case .text:
            return !text.isEmpty && text.count <= (maxLength ?? 0) && text.allSatisfy(\.isLineTextCharacter)
        case .version:
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            return parts.count == 2 && parts.allSatisfy { (1...2).contains($0.count) && $0.allSatisfy(\.isLineDigit) }
        }
    }
}

/// What kind of reply a command gets when it is accepted.
public enum LineReplyKind: String, Sendable, CaseIterable {
    /// The done marker and nothing else.
    case done
    /// The value marker and the command's value fields.
    case value
}

/// One command.
public struct LineCommand: Equatable, Sendable {
    /// lowerCamelCase name, the Swift case.
    public var name: String
    /// Two upper-case letters on the line.
    public var mnemonic: String
    /// The argument's field name, if the command takes one.
    public var argument: String?
    /// The reply when accepted.
    public var reply: LineReplyKind
    /// The value fields, in order (reply `value`).
    public var value: [String]
    /// Reply codes particular to this command (beyond those of every command).
    public var refusals: [String]
    /// A command that brings the device to its safe state (jumps the poll queue).
    public var safety: Bool
    /// What it does.
    public var description: String
}

/// A reason a device refuses a request.
public struct LineReplyCode: Equatable, Sendable {
    /// Two decimal digits on the line.
    public var code: Int
    /// lowerCamelCase name.
    public var name: String
    /// The HardwareErrorKind the host reports it as.
    public var kind: String
    /// Whether any command can be refused this way.
    public var everyCommand: Bool
    /// What it means.
    public var description: String
}

/// A worked exchange (lines without their terminator).
public struct LineExample: Equatable, Sendable {
    /// The request line.
    public var request: String
    /// The reply line.
    public var reply: String
    /// What it shows.
    public var description: String
}

extension Character {
    var isLineDigit: Bool { ("0"..."9").contains(self) }
    var isLineHexDigit: Bool { isLineDigit || ("A"..."F").contains(self) }
    var isLineUpperLetter: Bool { ("A"..."Z").contains(self) }
    /// Text fields carry upper-case letters, digits and '-' only, so they can never hold a separator.
    var isLineTextCharacter: Bool { isLineUpperLetter || isLineDigit || self == "-" }
}
