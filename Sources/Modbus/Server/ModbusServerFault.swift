/// How a served unit misbehaves on purpose (fault injection for tests and the simulator).
public enum ModbusServerFault: Sendable, Equatable, CustomStringConvertible {
    /// Requests are received but never answered.
    case silent
    /// Every answer is sent this much later.
    case delay(Duration)
    /// Answers carry a wrong CRC (RTU) or a damaged function code (TCP, which has no CRC).
    case corruptCRC
    /// These bytes are sent instead of the answer.
    case garbage([UInt8])
    /// Every request is answered with this exception.
    case exception(ModbusExceptionCode)

    public var description: String {
        switch self {
        case .silent: "silent"
        case .delay(let d): "delay \(d)"
        case .corruptCRC: "corrupt CRC"
        case .garbage(let bytes): "garbage \(hexString(bytes))"
        case .exception(let code): "\(code)"
        }
    }
}

/// A fault and how many more replies it applies to (nil: until cleared).
struct ActiveFault: Sendable {
    var fault: ModbusServerFault
    var remaining: Int?
}
