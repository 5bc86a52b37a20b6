public import HardwareInterfaces

/// Everything the interlock reacts to. Time arrives only in events: ``tick(at:)`` and each
/// reading's sample time, in monotonic seconds. The machine's clock is the latest of them.
public enum InterlockEvent: Hashable, Sendable, CustomStringConvertible {
    /// Time has passed: the clock reads `at` (monotonic seconds). Persistence timers,
    /// stale-data deadlines (SR-15) and durations (SR-14, SR-17) advance on ticks.
    case tick(at: Double)
    /// A fresh reading, sampled at `sampledAt` (monotonic seconds). A reading older than
    /// the device's latest is ignored; a non-finite one counts as a failure.
    case reading(SensorReading, sampledAt: Double)
    /// A transaction with the device failed (SR-16): `disconnected` means gone at once,
    /// `identityMismatch` means gone and unrecoverable (fault); any other kind counts
    /// toward the consecutive-failure limit.
    case readingFailed(DeviceRole, HardwareErrorKind)
    /// The device is gone: udev remove or port error (SR-16).
    case deviceLost(DeviceRole)
    /// The supervisor declares the device unrecoverable (SR-16, and the fault phase).
    case unrecoverableHardware(DeviceRole, detail: String)
    /// The self-test finished with these checks (SR-18).
    case selfTestCompleted([SelfTestCheck])
    /// An operator command.
    case command(OperatorCommand)

    /// A short description for logs.
    public var description: String {
        switch self {
        case .tick(let time): "tick(\(time))"
        case .reading(let reading, let time): "reading(\(reading) at \(time))"
        case .readingFailed(let role, let kind): "readingFailed(\(role), \(kind))"
        case .deviceLost(let role): "deviceLost(\(role))"
        case .unrecoverableHardware(let role, let detail): "unrecoverableHardware(\(role): \(detail))"
        case .selfTestCompleted(let checks): "selfTestCompleted(\(checks.count) checks)"
        case .command(let command): "command(\(command))"
        }
    }
}
