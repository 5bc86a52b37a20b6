/// The shared kind every transport- or device-specific error maps to, so
/// generic code (retry? trip the interlock?) can decide without knowing the bus.
public enum HardwareErrorKind: String, Sendable, CaseIterable {
    /// No answer in time (a silent or late device).
    case timeout
    /// The frame arrived damaged (CRC) or did not fit the request (garbage).
    case corruptFrame
    /// The device answered, refusing the request (a Modbus exception).
    case deviceRefused
    /// The device answered with a value outside its specification: it is lying.
    case implausibleValue
    /// The device's own firmware reports a fault (sensor fault, cut-out, door open…).
    case deviceFault
    /// The device is not the one expected (family, serial number).
    case identityMismatch
    /// The line or device is gone (unplugged, port error).
    case disconnected
    /// Our own request was invalid; nothing reached the wire.
    case invalidRequest
}

/// Errors that can tell their ``HardwareErrorKind``.
public protocol HardwareError: Error {
    /// The shared kind of this error.
    var kind: HardwareErrorKind { get }
}
