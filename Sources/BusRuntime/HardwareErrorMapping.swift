public import HardwareInterfaces
public import Modbus

extension ModbusError: HardwareError {
    /// The shared kind generic code decides on (retry, trip the interlock).
    public var kind: HardwareErrorKind {
        switch self {
        case .timeout: .timeout
        case .crcError, .malformedReply: .corruptFrame
        case .exception: .deviceRefused
        case .io, .serial: .disconnected
        case .invalidRequest, .cancelled: .invalidRequest
        }
    }
}
