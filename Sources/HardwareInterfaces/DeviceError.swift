/// A device-level failure: what went wrong, on which device, of which kind.
public struct DeviceError: HardwareError, CustomStringConvertible, Sendable {
    /// The kind generic code decides on (retry, count towards SR-16, report).
    public var kind: HardwareErrorKind
    /// The device, as ``RegisterDevice/deviceDescription`` names it.
    public var device: String
    /// What was being done and what happened.
    public var detail: String

    /// A failure of `kind` on `device`, with what was being done and what happened.
    public init(kind: HardwareErrorKind, device: String, detail: String) {
        self.kind = kind
        self.device = device
        self.detail = detail
    }

    /// Wraps a transport error, keeping its kind.
    public init(wrapping error: any Error, device: String, during operation: String) {
        self.kind = (error as? any HardwareError)?.kind ?? .disconnected
        self.device = device
        self.detail = "\(operation): \(error)"
    }

    public var description: String { "\(device): \(kind.rawValue): \(detail)" }
}
