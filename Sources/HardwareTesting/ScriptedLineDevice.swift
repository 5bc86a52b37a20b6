public import HardwareInterfaces
import Synchronization

/// An in-process fake line for unit tests of line-protocol drivers: it holds the
/// exchanges a test expects, in order, answers each with its scripted reply or fault,
/// and fails with a precise message on the first mismatch
/// (`exchange 2 on pump line: expected "1SP1205;9C\r", got "1SP1200;97\r" (first difference at byte 5)`).
/// ``verify()`` fails if expectations were left unused.
///
/// Replies are returned exactly as scripted, so a test can hand the driver lines a real
/// line would never deliver (no terminator, stray bytes); the driver must cope.
public final class ScriptedLineDevice: LineDevice {
    /// One expected exchange and its scripted outcome.
    public struct Expectation: Sendable, CustomStringConvertible {
        /// The exact request bytes expected.
        public var request: [UInt8]
        /// The reply to return, or the fault to throw.
        public var reply: Result<[UInt8], ScriptedFault>

        /// An expectation from its parts.
        public init(request: [UInt8], reply: Result<[UInt8], ScriptedFault>) {
            self.request = request
            self.reply = reply
        }

        /// "\"1GO;C7\\r\" → \"1*GO;F1\\r\"".
        public var description: String {
            switch reply {
            case .success(let bytes): "\(ScriptedLineDevice.show(request)) → \(ScriptedLineDevice.show(bytes))"
            case .failure(let fault): "\(ScriptedLineDevice.show(request)) → \(fault)"
            }
        }
    }

    /// One exchange the device took part in, as the caller asked for it.
    public struct RecordedExchange: Sendable, Equatable {
        /// The request bytes.
        public var request: [UInt8]
        /// The terminator the caller waited for.
        public var terminator: UInt8
        /// The longest reply the caller accepted.
        public var maxReplyLength: Int
        /// The caller's timeout.
        public var timeout: Duration
    }

    /// Names the line in messages.
    public let deviceDescription: String
    private let state: Mutex<(script: [Expectation], count: Int, history: [RecordedExchange])>

    /// A fake line called `description`, expecting `expectations` in order.
    public init(_ description: String = "scripted line", _ expectations: [Expectation] = []) {
        deviceDescription = description
        state = Mutex((expectations, 0, []))
    }

    /// Adds expectations at the end of the script.
    public func expect(_ expectations: Expectation...) {
        state.withLock { $0.script += expectations }
    }

    /// Convenience: `request` answered with `reply`, both written as text
    /// (include the terminator: `"1GO;C7\r"`).
    public func expect(_ request: String, reply: String) {
        expect(Expectation(request: Array(request.utf8), reply: .success(Array(reply.utf8))))
    }

    /// Convenience: `request` answered by throwing `fault`.
    public func expect(_ request: String, fault: ScriptedFault) {
        expect(Expectation(request: Array(request.utf8), reply: .failure(fault)))
    }

    /// Every exchange so far, in order (mismatched ones included).
    public var history: [RecordedExchange] { state.withLock { $0.history } }

    /// Answers the next expectation, or throws ``ScriptMismatch`` if `request` is not the one expected.
    public func exchange(_ request: [UInt8], terminator: UInt8, maxReplyLength: Int, timeout: Duration) async throws -> [UInt8] {
        let (next, number) = state.withLock { s -> (Expectation?, Int) in
            s.count += 1
            s.history.append(RecordedExchange(request: request, terminator: terminator, maxReplyLength: maxReplyLength, timeout: timeout))
            return (s.script.isEmpty ? nil : s.script.removeFirst(), s.count)
        }
        guard let next else {
            throw ScriptMismatch(message: "exchange \(number) on \(deviceDescription): unexpected request \(Self.show(request)): no exchange was expected")
        }
        guard next.request == request else {
            let difference = zip(next.request, request).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(next.request.count, request.count)
            throw ScriptMismatch(message: "exchange \(number) on \(deviceDescription): expected \(Self.show(next.request)), got \(Self.show(request)) (first difference at byte \(difference))")
        }
        return try next.reply.get()
    }

    /// Throws if any expected exchange did not happen.
    public func verify() throws {
        let left = state.withLock { $0.script }
        guard left.isEmpty else {
            throw ScriptMismatch(message: "\(deviceDescription): \(left.count) expected exchange(s) never happened: "
                + left.map(\.description).joined(separator: "; "))
        }
    }

    /// Bytes as a technician reads them: printable ASCII as is, CR as `\r`, others as `\xNN`.
    public static func show(_ bytes: [UInt8]) -> String {
        var out = "\""
        for byte in bytes {
            switch byte {
            case 0x0D: out += "\\r"
            case 0x0A: out += "\\n"
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x20...0x7E: out.append(Character(UnicodeScalar(byte)))
            default:
                let digits = Array("0123456789ABCDEF")
                out += "\\x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
            }
        }
        return out + "\""
    }
}
