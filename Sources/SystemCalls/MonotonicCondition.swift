import Glibc

/// A mutex and condition variable whose timed wait runs on CLOCK_MONOTONIC.
///
/// NSCondition's timed wait is on the wall clock: a clock stepped back (NTP, an operator
/// setting the time) during a wait would stretch it by the step, and a bus thread asleep
/// until its next poll would stop polling for that long. Here a deadline is monotonic.
/// (pthread_mutex_t, pthread_cond_t with pthread_condattr_setclock(CLOCK_MONOTONIC).)
public final class MonotonicCondition: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    /// A condition whose timed waits run on CLOCK_MONOTONIC, so a wall-clock step never
    /// shortens or stretches a deadline.
    public init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Takes the lock.
    public func lock() { pthread_mutex_lock(mutex) }
    /// Releases the lock.
    public func unlock() { pthread_mutex_unlock(mutex) }
    /// Wakes one waiter (call with the lock held).
    public func signal() { pthread_cond_signal(condition) }

    /// Waits for a signal (the lock held on entry and on return).
    public func wait() { pthread_cond_wait(condition, mutex) }

    /// Waits for a signal or until `deadline` on the monotonic clock (the lock held on
    /// entry and on return). May return early; callers re-check their state.
    public func wait(until deadline: ContinuousClock.Instant) {
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero else { return }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let (seconds, attoseconds) = remaining.components
        var nanoseconds = Int(now.tv_nsec) + Int(attoseconds / 1_000_000_000)
        var wholeSeconds = Int(now.tv_sec) + Int(seconds)
        if nanoseconds >= 1_000_000_000 {
            wholeSeconds += nanoseconds / 1_000_000_000
            nanoseconds %= 1_000_000_000
        }
        var absolute = timespec(tv_sec: wholeSeconds, tv_nsec: nanoseconds)
        _ = pthread_cond_timedwait(condition, mutex, &absolute)
    }

    /// Runs `body` with the lock held.
    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}
