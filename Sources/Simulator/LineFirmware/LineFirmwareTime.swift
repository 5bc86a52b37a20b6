import Synchronization

/// Where simulated line-protocol firmware takes the time from: a duration since an
/// arbitrary origin. The firmware reads it on every line and observation and brings
/// its rotor (ramp, delivered volume, watchdog) up to that instant, so time-driven
/// behaviour is exact whether time is real or moved by hand.
public protocol LineFirmwareTime: Sendable {
    /// The present time. Must never go backwards (the firmware ignores a step back).
    var now: Duration { get }
}

/// Time that moves only when a test says so: unit tests of the firmware logic never sleep.
public final class ManualLineFirmwareTime: LineFirmwareTime {
    private let instant: Mutex<Duration>

    /// Starts at `start`.
    public init(start: Duration = .zero) { instant = Mutex(start) }

    /// The present time.
    public var now: Duration { instant.withLock { $0 } }

    /// Moves time forward by `interval` (negative intervals are ignored).
    public func advance(by interval: Duration) {
        instant.withLock { $0 += max(.zero, interval) }
    }
}

/// Real time from the monotonic clock, counted from the moment it was made: for
/// firmware served on a pseudo-terminal.
public struct MonotonicLineFirmwareTime: LineFirmwareTime {
    private let origin: ContinuousClock.Instant

    /// Counts from now.
    public init() { origin = ContinuousClock.now }

    /// Time since this source was made.
    public var now: Duration { ContinuousClock.now - origin }
}
