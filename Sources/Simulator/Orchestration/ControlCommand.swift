public import Modbus

/// A command of the simulator's control interface: one text line, as a test, a
/// HIL rig or a technician types it (`hepabus simctl … fault venousPressure silent`).
///
/// ```
/// status                                  every role's state, as JSON
/// fault ROLE silent [COUNT]               no answer (for COUNT replies, default until cleared)
/// fault ROLE delay MS [COUNT]             late answers
/// fault ROLE corrupt-crc [COUNT]          replies with a wrong CRC
/// fault ROLE garbage HEXBYTES [COUNT]     these bytes instead of a reply
/// fault ROLE exception CODE [COUNT]       Modbus exception CODE (1-11) to every request
/// fault ROLE stuck                        the measured value freezes
/// fault ROLE drift PER_SECOND             the measured value drifts (engineering units per second)
/// fault ROLE status-bits HEX              firmware fault bits forced on (0 clears)
/// clear ROLE                              every fault of ROLE removed
/// set ROLE PROPERTY VALUE                 a device's physical condition (e.g. set bloodPump doorOpen true)
/// condition NAME VALUE                    a circuit condition (e.g. condition returnLineRestriction 5)
/// unplug BUS | replug BUS                 the bus's line closed / reopened at the same path
/// ```
public enum ControlCommand: Equatable, Sendable {
    /// `status`: every role's state, as JSON.
    case status
    /// `fault ROLE silent|delay|corrupt-crc|garbage|exception …`: the role's replies go wrong,
    /// for `count` replies (nil: until cleared).
    case transportFault(role: String, fault: ModbusServerFault, count: Int?)
    /// `fault ROLE stuck`: the measured value freezes.
    case stuck(role: String)
    /// `fault ROLE drift PER_SECOND`: the measured value drifts, engineering units per second.
    case drift(role: String, perSecond: Double)
    /// `fault ROLE status-bits HEX`: firmware fault bits forced on (0 clears).
    case statusBits(role: String, bits: UInt16)
    /// `clear ROLE`: every fault of the role removed.
    case clear(role: String)
    /// `set ROLE PROPERTY VALUE`: a device's physical condition (`doorOpen true`).
    case setProperty(role: String, property: String, value: String)
    /// `condition NAME VALUE`: a circuit condition (`returnLineRestriction 5`).
    case condition(name: String, value: String)
    /// `unplug BUS`: the bus's line closed.
    case unplug(bus: String)
    /// `replug BUS`: the line reopened at the same path.
    case replug(bus: String)
    /// `help`: the commands, conditions and each role's properties.
    case help

    /// Parses one line; the error says what was wrong with it.
    public static func parse(_ line: String) throws(ControlCommandError) -> ControlCommand {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let verb = words.first else { throw .init("empty command (try 'help')") }
        func word(_ i: Int, _ what: String) throws(ControlCommandError) -> String {
            guard i < words.count else { throw .init("'\(verb)' needs \(what)") }
            return words[i]
        }
        func int(_ i: Int, _ what: String, _ range: ClosedRange<Int>) throws(ControlCommandError) -> Int {
            let text = try word(i, what)
            let value = text.lowercased().hasPrefix("0x") ? Int(text.dropFirst(2), radix: 16) : Int(text)
            guard let value, range.contains(value) else { throw .init("\(what) '\(text)' is not a number in \(range.lowerBound)-\(range.upperBound)") }
            return value
        }
        func optionalCount(_ i: Int) throws(ControlCommandError) -> Int? {
            i < words.count ? try int(i, "COUNT", 1...1_000_000) : nil
        }
        func expectEnd(_ n: Int) throws(ControlCommandError) {
            if words.count > n { throw .init("unexpected '\(words[n])' after '\(words[..<n].joined(separator: " "))'") }
        }
        switch verb {
        case "status": try expectEnd(1); return .status
        case "help": try expectEnd(1); return .help
        case "unplug": try expectEnd(2); return .unplug(bus: try word(1, "a BUS"))
        case "replug": try expectEnd(2); return .replug(bus: try word(1, "a BUS"))
        case "clear": try expectEnd(2); return .clear(role: try word(1, "a ROLE"))
        case "condition": try expectEnd(3); return .condition(name: try word(1, "a NAME"), value: try word(2, "a VALUE"))
        case "set":
            try expectEnd(4)
            return .setProperty(role: try word(1, "a ROLE"), property: try word(2, "a PROPERTY"), value: try word(3, "a VALUE"))
        case "fault":
            let role = try word(1, "a ROLE")
            let kind = try word(2, "a fault kind (silent, delay, corrupt-crc, garbage, exception, stuck, drift, status-bits)")
            switch kind {
            case "silent":
                try expectEnd(4)
                return .transportFault(role: role, fault: .silent, count: try optionalCount(3))
            case "corrupt-crc":
                try expectEnd(4)
                return .transportFault(role: role, fault: .corruptCRC, count: try optionalCount(3))
            case "delay":
                try expectEnd(5)
                let ms = try int(3, "MS", 1...60_000)
                return .transportFault(role: role, fault: .delay(.milliseconds(ms)), count: try optionalCount(4))
            case "exception":
                try expectEnd(5)
                let code = try int(3, "CODE", 1...11)
                return .transportFault(role: role, fault: .exception(ModbusExceptionCode(rawValue: UInt8(code))), count: try optionalCount(4))
            case "garbage":
                try expectEnd(5)
                let text = try word(3, "HEXBYTES")
                guard text.count % 2 == 0, !text.isEmpty, text.count <= 512 else { throw .init("HEXBYTES '\(text)' must be an even number of hex digits (at most 256 bytes)") }
                var bytes: [UInt8] = []
                var index = text.startIndex
                while index < text.endIndex {
                    let next = text.index(index, offsetBy: 2)
                    guard let byte = UInt8(text[index..<next], radix: 16) else { throw .init("HEXBYTES '\(text)' is not hex") }
                    bytes.append(byte)
                    index = next
                }
                return .transportFault(role: role, fault: .garbage(bytes), count: try optionalCount(4))
            case "stuck":
                try expectEnd(3)
                return .stuck(role: role)
            case "drift":
                try expectEnd(4)
                let text = try word(3, "PER_SECOND")
                guard let rate = Double(text), rate.isFinite else { throw .init("drift rate '\(text)' is not a number") }
                return .drift(role: role, perSecond: rate)
            case "status-bits":
                try expectEnd(4)
                return .statusBits(role: role, bits: UInt16(try int(3, "HEX", 0...0xFFFF)))
            default:
                throw .init("unknown fault kind '\(kind)' (silent, delay, corrupt-crc, garbage, exception, stuck, drift, status-bits)")
            }
        default:
            throw .init("unknown command '\(verb)' (try 'help')")
        }
    }

    /// The command syntax in one line, for error replies and `help`.
    public static let helpText = """
        status | fault ROLE silent|corrupt-crc [COUNT] | fault ROLE delay MS [COUNT] | fault ROLE garbage HEX [COUNT] | \
        fault ROLE exception CODE [COUNT] | fault ROLE stuck | fault ROLE drift PER_SECOND | fault ROLE status-bits HEX | \
        clear ROLE | set ROLE PROPERTY VALUE | condition NAME VALUE | unplug BUS | replug BUS
        """
}

/// A control line that could not be understood.
public struct ControlCommandError: Error, Equatable, CustomStringConvertible, Sendable {
    public var description: String
    /// An error saying what was wrong with the line.
    public init(_ description: String) { self.description = description }
}
