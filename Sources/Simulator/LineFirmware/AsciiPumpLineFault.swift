public import FirmwareProtocols

/// How the line to a simulated line pump misbehaves on purpose (fault injection). Each
/// applies to the next lines addressed to a served pump (see ``AsciiPumpLineServer/inject(_:count:)``).
public enum AsciiPumpLineFault: Sendable, Equatable, CustomStringConvertible {
    /// The request is lost: the pump never hears it and nothing comes back.
    case noAnswer
    /// The pump handles the request and answers this much later.
    case lateAnswer(Duration)
    /// The pump handles the request; its reply's checksum is damaged on the way back.
    case corruptChecksum
    /// The pump handles the request; these bytes come back instead of its reply.
    case garbage([UInt8])
    /// The pump refuses with this code without handling the request.
    case refusal(AsciiPumpLineProtocol.ReplyCode)

    /// "late answer 300 ms"…
    public var description: String {
        switch self {
        case .noAnswer: "no answer"
        case .lateAnswer(let delay): "late answer \(delay)"
        case .corruptChecksum: "corrupt checksum"
        case .garbage(let bytes): "garbage \(bytes.count) byte(s)"
        case .refusal(let code): "refusal \(code)"
        }
    }
}
