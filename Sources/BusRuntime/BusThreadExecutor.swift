import Foundation
internal import SystemCalls

/// A serial executor that runs every job on one dedicated OS thread: the bus
/// thread. All blocking libmodbus/termios calls of a bus happen here, so they
/// never block Swift's cooperative pool and never interleave.
///
/// (libdispatch offers no serial-queue executor on Linux, hence this one.)
///
/// It is a task executor too: a task started with
/// `Task(executorPreference: bus.executor)` runs its own code on the bus thread,
/// so its calls into the bus actor need no thread switch (measured in the
/// transport benchmark: the hop otherwise costs about as much CPU as the
/// transaction itself). Poll loops and other hot paths run that way.
public final class BusThreadExecutor: SerialExecutor, TaskExecutor, @unchecked Sendable {
    /// The thread's name (`bus blood`, `supervisor`), as debuggers and `top -H` show it.
    public let name: String
    private let condition = MonotonicCondition()
    // Guarded by `condition`.
    private var jobs: [UnownedJob] = []
    private var head = 0
    private var stopping = false
    private var threadID: ThreadIdentity?
    /// Timers served by the thread itself (``schedule(at:_:)``), earliest first.
    private var timers: [Timer] = []
    private var nextTimerID: UInt64 = 0
    /// The thread has ended: timers scheduled now fire at once.
    private var exited = false

    private struct Timer {
        var id: UInt64
        var deadline: ContinuousClock.Instant
        var action: @Sendable () -> Void
    }

    /// A timer that can be cancelled before it fires.
    public struct TimerToken: Sendable, Hashable {
        fileprivate let id: UInt64
    }

    /// Starts the thread, named `name`; returns once it runs.
    public init(name: String) {
        self.name = name
        let started = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            condition.withLock { threadID = .current }
            started.signal()
            runLoop()
        }
        thread.name = name
        // Bus I/O is latency-critical (safety commands ride on it).
        thread.qualityOfService = .userInteractive
        thread.start()
        started.wait()
    }

    /// Queues `job` to run on the bus thread, after the jobs queued before it.
    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        condition.withLock {
            jobs.append(unowned)
            condition.signal()
        }
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// This executor as a task executor (`Task(executorPreference:)`).
    public func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }

    /// Lets `assumeIsolated` work for code already on the bus thread.
    public func checkIsolated() {
        precondition(isCurrentThread, "expected to run on bus thread \(name)")
    }

    /// Whether the caller is running on this executor's thread.
    public var isCurrentThread: Bool {
        let id = condition.withLock { threadID }
        guard let id else { return false }
        return id == .current
    }

    /// Runs `action` on this executor's thread at `deadline` (or at once if it has passed),
    /// between jobs. The thread's own timed wait serves it: no dispatch timer and no
    /// global-pool thread are woken, which is most of the cost of a periodic wake-up.
    /// Keep `action` short (resume a continuation, yield to a stream).
    @discardableResult
    public func schedule(at deadline: ContinuousClock.Instant, _ action: @escaping @Sendable () -> Void) -> TimerToken {
        let (token, ended) = condition.withLock { () -> (TimerToken, Bool) in
            nextTimerID &+= 1
            if exited { return (TimerToken(id: nextTimerID), true) }
            let timer = Timer(id: nextTimerID, deadline: deadline, action: action)
            let index = timers.firstIndex { $0.deadline > deadline } ?? timers.count
            timers.insert(timer, at: index)
            condition.signal()
            return (TimerToken(id: timer.id), false)
        }
        // No thread is left to wait: never leave the caller suspended.
        if ended { action() }
        return token
    }

    /// Cancels a timer that has not fired yet; returns whether it was still pending.
    @discardableResult
    public func cancel(_ token: TimerToken) -> Bool {
        condition.withLock {
            guard let index = timers.firstIndex(where: { $0.id == token.id }) else { return false }
            timers.remove(at: index)
            return true
        }
    }

    /// Suspends the calling task until `deadline`, on this thread's own timer.
    public func sleep(until deadline: ContinuousClock.Instant) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            schedule(at: deadline) { continuation.resume() }
        }
    }

    /// Ends the thread once the queued jobs have run. Jobs enqueued later are
    /// still run (by the draining loop) so no continuation is ever dropped.
    public func shutdown() {
        condition.withLock {
            stopping = true
            condition.signal()
        }
    }

    private func runLoop() {
        while true {
            condition.lock()
            var due: Timer? = nil
            // Wait for a job, a due timer, or the stop; a due timer goes before waiting jobs.
            while true {
                if let first = timers.first {
                    let now = ContinuousClock.now
                    if first.deadline <= now || (stopping && head == jobs.count) {
                        // Stopping: pending timers fire now rather than never (no sleeper is left).
                        due = timers.removeFirst()
                        break
                    }
                    if head < jobs.count { break }
                    condition.wait(until: first.deadline)
                } else {
                    if head < jobs.count || stopping { break }
                    condition.wait()
                }
            }
            if let timer = due {
                condition.unlock()
                timer.action()
                continue
            }
            if head == jobs.count && stopping {
                exited = true
                condition.unlock()
                return
            }
            let job = jobs[head]
            head += 1
            if head > 1024 && head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            // Jobs of actors isolated to this executor and jobs of tasks that prefer it
            // as their task executor both arrive here; running a job on both
            // executors serves either kind.
            job.runSynchronously(isolatedTo: asUnownedSerialExecutor(), taskExecutor: asUnownedTaskExecutor())
        }
    }
}
