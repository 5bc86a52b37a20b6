public import Serial

/// What a Modbus transaction was, for error messages that name it.
public struct ModbusOperation: Hashable, Sendable, CustomStringConvertible {
    /// The unit addressed.
    public var unit: UInt8
    /// The function code.
    public var function: ModbusFunction
    /// The first address, when the function has one.
    public var address: UInt16?
    /// How many coils or registers, when the function has a count.
    public var count: Int?

    /// An operation of `function` on `unit`, at `address` for `count` entries where they apply.
    public init(unit: UInt8, function: ModbusFunction, address: UInt16? = nil, count: Int? = nil) {
        self.unit = unit
        self.function = function
        self.address = address
        self.count = count
    }

    public var description: String {
        var text = "\(function.name) unit \(unit)"
        if let address { text += " address \(address) (0x\(String(address, radix: 16, uppercase: true)))" }
        if let count, count != 1 { text += " count \(count)" }
        return text
    }
}

/// A failed Modbus transaction. The kinds are kept apart because callers decide
/// differently on them: a timeout or CRC error may be retried, a device exception
/// is the device's considered answer, an I/O error means the line itself is gone.
public enum ModbusError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No (complete) reply within the response/byte timeout.
    case timeout(ModbusOperation)
    /// A reply arrived with a wrong CRC (RTU).
    case crcError(ModbusOperation)
    /// A reply arrived that does not fit the request: wrong unit, function,
    /// length, or content. `detail` says which.
    case malformedReply(ModbusOperation, detail: String)
    /// The device answered with a Modbus exception.
    case exception(ModbusExceptionCode, ModbusOperation)
    /// The line or connection failed (port vanished, connection refused, EIO…).
    case io(String)
    /// The serial port could not be opened or configured.
    case serial(SerialError)
    /// The request itself is invalid (count out of range, etc.); nothing was sent.
    case invalidRequest(String)
    /// The caller was cancelled before the request was sent; nothing reached the wire.
    case cancelled

    public var description: String {
        switch self {
        case .timeout(let op): "timeout: no reply to \(op)"
        case .crcError(let op): "CRC error in the reply to \(op)"
        case .malformedReply(let op, let detail): "malformed reply to \(op): \(detail)"
        case .exception(let code, let op): "device \(code) for \(op)"
        case .io(let detail): "I/O error: \(detail)"
        case .serial(let error): error.description
        case .invalidRequest(let detail): "invalid request: \(detail)"
        case .cancelled: "cancelled before the request was sent"
        }
    }

    /// Whether the failure was on the line (retry may help) rather than the
    /// device's considered answer or our own mistake.
    public var isTransient: Bool {
        switch self {
        case .timeout, .crcError, .malformedReply: true
        case .exception(let code, _): code == .serverDeviceBusy || code == .acknowledge
        case .io, .serial, .invalidRequest, .cancelled: false
        }
    }

    /// Whether the line may hold stray bytes afterwards, so it must be resynchronised.
    public var desynchronisesLine: Bool {
        switch self {
        case .timeout, .crcError, .malformedReply: true
        default: false
        }
    }
}
