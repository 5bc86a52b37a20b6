import Synchronization

/// Where simulated firmware takes the time from, in seconds since an arbitrary origin.
///
/// Every simulated device reads it on each register access, property change and
/// ``SimulatedDevice/tick()``, and brings its behaviour (ramps, watchdog, clamp
/// travel, heater plant) up to that instant; tests drive it by hand with
/// ``ManualSimulationTime`` so nothing sleeps.
public protocol SimulationTime: Sendable {
    /// The present time in seconds. Must never go backwards (a device ignores a step back).
    var now: Double { get }
}

/// Time that moves only when a test says so.
public final class ManualSimulationTime: SimulationTime {
    private let seconds: Mutex<Double>

    /// Starts at `start` seconds.
    public init(start: Double = 0) { seconds = Mutex(start) }

    public var now: Double { seconds.withLock { $0 } }

    /// Moves time forward by `interval` seconds (negative intervals are ignored).
    public func advance(by interval: Double) {
        seconds.withLock { $0 += max(0, interval) }
    }

    /// Sets the time to `instant` if that is not in the past.
    public func set(to instant: Double) {
        seconds.withLock { $0 = max($0, instant) }
    }
}

/// Wall-clock time from the monotonic clock, counted from the moment it was made.
public struct MonotonicSimulationTime: SimulationTime {
    private let origin: ContinuousClock.Instant

    /// Time zero now.
    public init() { origin = ContinuousClock.now }

    public var now: Double {
        let elapsed = ContinuousClock.now - origin
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}

/// Time read from a closure (for a physics engine that keeps its own clock).
public struct ClosureSimulationTime: SimulationTime {
    private let source: @Sendable () -> Double

    /// Time as `source` tells it, in seconds.
    public init(_ source: @escaping @Sendable () -> Double) { self.source = source }

    public var now: Double { source() }
}
