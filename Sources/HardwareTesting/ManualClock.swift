import Synchronization

/// A clock that moves only when a test says so: no sleeps in unit tests.
public final class ManualClock: Clock, Sendable {
    /// A point on the manual clock: how far it has been advanced since it was made.
    public struct Instant: InstantProtocol, Hashable, Sendable {
        /// Time advanced since the clock was made.
        public var offset: Duration
        /// The instant `offset` after the clock's start.
        public init(offset: Duration) { self.offset = offset }
        /// The instant `duration` later.
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        /// The time from this instant to `other` (negative if `other` is earlier).
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
    }

    private struct Sleeper {
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private let state = Mutex<(now: Instant, sleepers: [Sleeper])>((Instant(offset: .zero), []))

    /// A clock at offset zero with no sleepers.
    public init() {}

    /// The present instant: moved only by ``advance(by:)``.
    public var now: Instant { state.withLock { $0.now } }
    /// Zero: the clock moves exactly by what tests advance it.
    public var minimumResolution: Duration { .zero }

    /// Moves time forward, waking every sleeper whose deadline has come.
    public func advance(by duration: Duration) {
        let due: [Sleeper] = state.withLock { s in
            s.now = s.now.advanced(by: duration)
            let now = s.now
            let due = s.sleepers.filter { $0.deadline <= now }
            s.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// How many tasks are sleeping on this clock.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// Suspends until a test advances the clock to `deadline` (returns at once if it has
    /// passed).
    ///
    /// - Throws: `CancellationError` if the task is already cancelled when it calls; a sleep
    ///   under way is not interrupted by cancellation (only by advancing the clock).
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try Task.checkCancellation()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let resumeNow = state.withLock { s -> Bool in
                if deadline <= s.now { return true }
                s.sleepers.append(Sleeper(deadline: deadline, continuation: continuation))
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}
