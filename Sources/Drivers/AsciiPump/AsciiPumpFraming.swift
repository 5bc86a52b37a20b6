import FirmwareProtocols
import HardwareInterfaces

/// Builds request lines and takes reply lines apart, per firmware-protocols/line-ascii-pump.yaml.
///
/// Written apart from the simulated firmware's own parser on purpose: the two meet only
/// on the wire, so a mistake in either shows up in the tests of one against the other.
///
/// What goes wrong in a reply is sorted by where: a reply that is damaged or does not fit
/// the request (terminator, checksum, address, marker, echoed command) is a
/// `corruptFrame`; a whole, correctly addressed reply that carries nonsense (a field that
/// is not a number, a value outside its range, an undefined bit or reply code) is an
/// `implausibleValue`: the device said it, and it is wrong.
enum AsciiPumpFraming {
    typealias Spec = AsciiPumpLineProtocol

    /// Why a reply was not accepted, before it is given the device's name.
    struct Problem: Error {
        var kind: HardwareErrorKind
        var detail: String
        init(_ kind: HardwareErrorKind, _ detail: String) {
            self.kind = kind
            self.detail = detail
        }
    }

    /// What an accepted reply said.
    enum Reply: Equatable {
        /// The command was done.
        case done
        /// The command's value fields, in order, as text.
        case value([Substring])
        /// The device refused, for this reason.
        case refused(Spec.ReplyCode)
    }

    /// `<address><mnemonic><argument>;<checksum>CR`.
    static func request(address: Int, command: Spec.Command, argument: String = "") -> [UInt8] {
        let body = [UInt8(ascii: "0") + UInt8(address)] + command.mnemonic + Array(argument.utf8)
        return body + [Spec.checksumSeparator] + checksumDigits(Spec.checksum(body)) + [Spec.terminator]
    }

    /// The checksum as two upper-case hexadecimal digits.
    static func checksumDigits(_ sum: UInt8) -> [UInt8] {
        let digits = Array("0123456789ABCDEF".utf8)
        return [digits[Int(sum >> 4)], digits[Int(sum & 0x0F)]]
    }

    /// Checks a reply's framing against the request it answers and returns what it said.
    static func parse(_ reply: [UInt8], address: Int, command: Spec.Command) throws(Problem) -> Reply {
        guard reply.last == Spec.terminator else { throw Problem(.corruptFrame, "the reply does not end with CR: \(show(reply))") }
        let line = reply.dropLast()
        guard let separator = line.lastIndex(of: Spec.checksumSeparator), line.endIndex - separator - 1 == Spec.checksumDigits else {
            throw Problem(.corruptFrame, "the reply carries no checksum: \(show(reply))")
        }
        let body = line[line.startIndex..<separator]
        let sent = line[(separator + 1)...]
        guard sent.allSatisfy(isUpperHexDigit), let sum = UInt8(String(decoding: sent, as: UTF8.self), radix: 16) else {
            throw Problem(.corruptFrame, "the reply's checksum is not two upper-case hexadecimal digits: \(show(reply))")
        }
        let computed = Spec.checksum(body)
        guard sum == computed else {
            throw Problem(.corruptFrame, "the reply's checksum is \(show(Array(sent))), its bytes sum to \(show(checksumDigits(computed))): \(show(reply))")
        }
        let b = Array(body)
        guard b.count >= 4 else { throw Problem(.corruptFrame, "the reply is too short: \(show(reply))") }
        let expectedAddress = UInt8(ascii: "0") + UInt8(address)
        guard b[0] == expectedAddress else {
            throw Problem(.corruptFrame, "the reply comes from address \(show([b[0]])), expected \(address): \(show(reply))")
        }
        guard let marker = Spec.ReplyMarker(rawValue: b[1]) else {
            throw Problem(.corruptFrame, "the reply's marker \(show([b[1]])) is none of done, value, refused: \(show(reply))")
        }
        let echo = Array(b[2..<4])
        let payload = b[4...]
        if marker == .refused, echo == Spec.unverifiedEcho {
            // The pump could not verify the request, so it cannot echo it: only a checksum refusal says so.
            guard let code = refusalCode(payload), code == .badChecksum else {
                throw Problem(.corruptFrame, "an unverified echo must come with the badChecksum code: \(show(reply))")
            }
            return .refused(code)
        }
        guard echo == command.mnemonic else {
            throw Problem(.corruptFrame, "the reply answers \(show(echo)), not \(command.rawValue): \(show(reply))")
        }
        switch marker {
        case .refused:
            guard payload.count == 2, payload.allSatisfy(isDigit) else {
                throw Problem(.implausibleValue, "the refusal's reason is not two digits: \(show(reply))")
            }
            guard let code = refusalCode(payload) else {
                throw Problem(.implausibleValue, "the refusal's reason \(show(Array(payload))) is not a defined reply code: \(show(reply))")
            }
            return .refused(code)
        case .done:
            guard !command.repliesWithValue else { throw Problem(.corruptFrame, "a done reply to \(command.rawValue), which replies with a value: \(show(reply))") }
            guard payload.isEmpty else { throw Problem(.corruptFrame, "a done reply carries a payload: \(show(reply))") }
            return .done
        case .value:
            guard command.repliesWithValue else { throw Problem(.corruptFrame, "a value reply to \(command.rawValue), which replies done: \(show(reply))") }
            let text = Substring(String(decoding: payload, as: UTF8.self))
            let fields = text.split(separator: Character(UnicodeScalar(Spec.fieldSeparator)), omittingEmptySubsequences: false)
            guard fields.count == command.valueFields.count else {
                throw Problem(.implausibleValue, "\(command.rawValue) replies with \(command.valueFields.count) field(s), got \(fields.count): \(show(reply))")
            }
            return .value(fields)
        }
    }

    static func refusalCode(_ payload: ArraySlice<UInt8>) -> Spec.ReplyCode? {
        guard payload.count == 2, payload.allSatisfy(isDigit) else { return nil }
        return Spec.ReplyCode(rawValue: Int(payload[payload.startIndex] - UInt8(ascii: "0")) * 10 + Int(payload[payload.startIndex + 1] - UInt8(ascii: "0")))
    }

    static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
    static func isUpperHexDigit(_ byte: UInt8) -> Bool { isDigit(byte) || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte) }

    /// A line as a technician reads it: printable ASCII as is, CR as `\r`, others as `\xNN`.
    static func show(_ bytes: [UInt8]) -> String {
        var out = "\""
        for byte in bytes {
            switch byte {
            case 0x0D: out += "\\r"
            case 0x0A: out += "\\n"
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x20...0x7E: out.append(Character(UnicodeScalar(byte)))
            default:
                let hex = Array("0123456789ABCDEF")
                out += "\\x" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0x0F)])
            }
        }
        return out + "\""
    }
}
