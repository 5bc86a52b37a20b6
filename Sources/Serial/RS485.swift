internal import CSystemSupport
import Glibc

/// The kernel's RS-485 mode for UARTs that drive the transceiver's direction
/// pin themselves (`struct serial_rs485`).
public struct RS485Configuration: Hashable, Sendable {
    /// RS-485 mode on (`SER_RS485_ENABLED`).
    public var enabled: Bool
    /// RTS level while sending (true = logical high).
    public var rtsOnSend: Bool
    /// RTS level after sending.
    public var rtsAfterSend: Bool
    /// Keep the receiver on while transmitting (echo).
    public var receiveDuringTransmit: Bool
    /// Delay between asserting RTS and sending, ms (`delay_rts_before_send`).
    public var delayBeforeSendMilliseconds: UInt32
    /// Delay between the end of sending and releasing RTS, ms (`delay_rts_after_send`).
    public var delayAfterSendMilliseconds: UInt32

    /// A configuration, by default: RS-485 on, RTS high while sending and low after, no echo,
    /// no delays.
    public init(enabled: Bool = true, rtsOnSend: Bool = true, rtsAfterSend: Bool = false,
                receiveDuringTransmit: Bool = false, delayBeforeSendMilliseconds: UInt32 = 0,
                delayAfterSendMilliseconds: UInt32 = 0) {
        self.enabled = enabled
        self.rtsOnSend = rtsOnSend
        self.rtsAfterSend = rtsAfterSend
        self.receiveDuringTransmit = receiveDuringTransmit
        self.delayBeforeSendMilliseconds = delayBeforeSendMilliseconds
        self.delayAfterSendMilliseconds = delayAfterSendMilliseconds
    }
}

/// What the driver said to an RS-485 request: a clear, non-fatal answer where
/// the adapter has no kernel RS-485 support (USB adapters usually switch
/// direction in hardware, and ptys have no direction at all).
public enum RS485Support: Equatable, Sendable {
    /// The driver applied (or reports) this configuration.
    case configured(RS485Configuration)
    /// The driver has no kernel RS-485 support (`TIOCSRS485` refused), with why.
    case notSupportedByDriver(reason: String)
}

extension SerialPort {
    /// Reads the kernel RS-485 settings. Wraps ioctl `TIOCGRS485`.
    public func rs485Configuration() throws(SerialError) -> RS485Support {
        var raw = hepabus_rs485()
        if hepabus_get_rs485(fileDescriptor, &raw) != 0 {
            return try Self.unsupported(errno, path: path)
        }
        return .configured(RS485Configuration(raw))
    }

    /// Enables or changes kernel RS-485 mode and reads it back.
    /// Wraps ioctl `TIOCSRS485`; returns ``RS485Support/notSupportedByDriver(reason:)``
    /// (not an error) when the driver has no RS-485 mode.
    @discardableResult
    public func configureRS485(_ configuration: RS485Configuration) throws(SerialError) -> RS485Support {
        var raw = hepabus_rs485(
            enabled: configuration.enabled ? 1 : 0,
            rts_on_send: configuration.rtsOnSend ? 1 : 0,
            rts_after_send: configuration.rtsAfterSend ? 1 : 0,
            rx_during_tx: configuration.receiveDuringTransmit ? 1 : 0,
            delay_rts_before_send_ms: configuration.delayBeforeSendMilliseconds,
            delay_rts_after_send_ms: configuration.delayAfterSendMilliseconds)
        if hepabus_set_rs485(fileDescriptor, &raw) != 0 {
            return try Self.unsupported(errno, path: path)
        }
        return try rs485Configuration()
    }

    private static func unsupported(_ code: Int32, path: String) throws(SerialError) -> RS485Support {
        switch code {
        case ENOTTY, EINVAL, EOPNOTSUPP:
            return .notSupportedByDriver(
                reason: "\(path): the driver has no kernel RS-485 mode (\(String(cString: strerror(code)))); "
                    + "USB RS-485 adapters switch direction in hardware")
        default:
            throw .system(call: "ioctl(TIOCSRS485)", errno: code)
        }
    }
}

extension RS485Configuration {
    init(_ raw: hepabus_rs485) {
        self.init(enabled: raw.enabled != 0, rtsOnSend: raw.rts_on_send != 0, rtsAfterSend: raw.rts_after_send != 0,
                  receiveDuringTransmit: raw.rx_during_tx != 0,
                  delayBeforeSendMilliseconds: raw.delay_rts_before_send_ms,
                  delayAfterSendMilliseconds: raw.delay_rts_after_send_ms)
    }
}
