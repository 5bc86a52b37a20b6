public import Logging
import Synchronization

/// One periodic job on a bus: a grouped read of one device, or a watchdog heartbeat.
public struct PollJob: Sendable {
    /// Names the job in reports ("venousPressure", "bloodPump heartbeat").
    public var name: String
    /// How often it should run.
    public var period: Duration
    /// Lower runs first among jobs due at the same time (0 = most urgent).
    public var priority: Int
    /// The transaction(s). Returns whether the device answered; failures back it off.
    public var run: @Sendable () async -> Bool

    /// A job `name` run every `period`, with `priority` among jobs due together (0 most urgent).
    public init(name: String, period: Duration, priority: Int = 10, run: @escaping @Sendable () async -> Bool) {
        self.name = name
        self.period = period
        self.priority = priority
        self.run = run
    }
}

/// How a job is doing, as the scheduler reports it.
public struct PollJobReport: Sendable, Equatable {
    /// The job's name.
    public var name: String
    /// Runs so far.
    public var runs: Int
    /// Runs whose device did not answer.
    public var failures: Int
    /// Failures since the last answer.
    public var consecutiveFailures: Int
    /// Backed off: polled less often until it answers again.
    public var backedOff: Bool
    /// Largest lateness of a run behind its deadline.
    public var worstLateness: Duration
}

/// Earliest-deadline-first polling of one bus, with safety commands jumping the queue.
///
/// Each job is released every `period`; the job with the earliest deadline runs
/// next (ties: lower priority value first). A job whose device stops answering is
/// backed off (its period doubled up to ``maximumBackoffPeriod``) after
/// ``failuresBeforeBackoff`` consecutive failures, and restored when it answers.
/// Commands submitted with ``submit(_:)`` run before any poll job still waiting,
/// between transactions (never inside one).
///
/// Run it in a task that prefers the bus's executor so each transaction costs no
/// thread switch: `Task(executorPreference: bus.executor) { await scheduler.run() }`.
public final class PollScheduler<C: Clock>: Sendable where C.Duration == Duration {
    private struct Entry {
        var job: PollJob
        var deadline: C.Instant
        var effectivePeriod: Duration
        var report: PollJobReport
    }

    private struct State {
        var entries: [Entry] = []
        var commands: [@Sendable () async -> Void] = []
        var stopped = false
        var wake: CheckedContinuation<Void, Never>?
    }

    /// The clock deadlines are kept on (a manual clock in tests).
    public let clock: C
    /// Consecutive failures after which a job is backed off (default 3, as SR-16 counts).
    public let failuresBeforeBackoff: Int
    /// The longest a backed-off job's period grows to (default 1 s).
    public let maximumBackoffPeriod: Duration
    /// The bus's executor: with a `ContinuousClock`, the wake-up timer is its thread's own
    /// timed wait, so waking the loop costs no dispatch timer and no global-pool thread.
    private let timerExecutor: BusThreadExecutor?
    private let state = Mutex(State())
    /// The host's logger: a job backing off or recovering, at `.debug`.
    private let logger: Logger

    /// A scheduler of `jobs` on `clock`, backing a job off after `failuresBeforeBackoff`
    /// consecutive failures, up to `maximumBackoffPeriod`; `timerExecutor` is the bus's executor
    /// (its thread then serves the wake-up timer).
    public init(clock: C, jobs: [PollJob], failuresBeforeBackoff: Int = 3, maximumBackoffPeriod: Duration = .seconds(1),
                timerExecutor: BusThreadExecutor? = nil,
                logger: Logger = Logger(label: "hepabus.bus", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.clock = clock
        self.logger = logger
        self.timerExecutor = timerExecutor
        self.failuresBeforeBackoff = failuresBeforeBackoff
        self.maximumBackoffPeriod = maximumBackoffPeriod
        let now = clock.now
        state.withLock { s in
            s.entries = jobs.map {
                Entry(job: $0, deadline: now, effectivePeriod: $0.period,
                      report: PollJobReport(name: $0.name, runs: 0, failures: 0, consecutiveFailures: 0, backedOff: false, worstLateness: .zero))
            }
        }
    }

    /// Runs `command` before any waiting poll job (a safety command jumps the queue).
    public func submit(_ command: @escaping @Sendable () async -> Void) {
        state.withLock { $0.commands.append(command) }
        fireWake()
    }

    /// Ends ``run()`` after the transaction in progress.
    public func stop() {
        state.withLock { $0.stopped = true }
        fireWake()
    }

    /// Every job's figures.
    public var reports: [PollJobReport] { state.withLock { $0.entries.map(\.report) } }

    /// Polls until ``stop()``.
    public func run() async {
        while true {
            // Commands first, one at a time, each between transactions.
            let next = state.withLock { s -> (command: (@Sendable () async -> Void)?, stop: Bool) in
                if s.stopped { return (nil, true) }
                return (s.commands.isEmpty ? nil : s.commands.removeFirst(), false)
            }
            if next.stop { return }
            if let command = next.command {
                await command()
                continue
            }
            guard let (index, job, deadline) = earliestDue() else {
                await sleepUntilNextRelease()
                continue
            }
            let started = clock.now
            let ok = await job.run()
            finish(index: index, deadline: deadline, startedAt: started, ok: ok)
        }
    }

    /// The due job with the earliest deadline, or nil if none is due yet.
    private func earliestDue() -> (Int, PollJob, C.Instant)? {
        let now = clock.now
        return state.withLock { s in
            var best: Int? = nil
            for (i, e) in s.entries.enumerated() where e.deadline <= now {
                guard let b = best else { best = i; continue }
                let other = s.entries[b]
                if e.deadline < other.deadline || (e.deadline == other.deadline && e.job.priority < other.job.priority) {
                    best = i
                }
            }
            return best.map { ($0, s.entries[$0].job, s.entries[$0].deadline) }
        }
    }

    private func finish(index: Int, deadline: C.Instant, startedAt: C.Instant, ok: Bool) {
        // Logged after the lock is released: a log handler may block.
        let change = state.withLock { s -> (job: String, backedOff: Bool, period: Duration)? in
            var e = s.entries[index]
            let wasBackedOff = e.report.backedOff
            e.report.runs += 1
            let lateness = deadline.duration(to: startedAt)
            if lateness > e.report.worstLateness { e.report.worstLateness = lateness }
            if ok {
                e.report.consecutiveFailures = 0
                e.report.backedOff = false
                e.effectivePeriod = e.job.period
            } else {
                e.report.failures += 1
                e.report.consecutiveFailures += 1
                if e.report.consecutiveFailures >= failuresBeforeBackoff {
                    e.report.backedOff = true
                    e.effectivePeriod = min(e.effectivePeriod * 2, max(maximumBackoffPeriod, e.job.period))
                }
            }
            // Next release one period after this one's deadline (no drift), but never in the past.
            var nextDeadline = deadline.advanced(by: e.effectivePeriod)
            let now = clock.now
            if nextDeadline < now { nextDeadline = now }
            e.deadline = nextDeadline
            s.entries[index] = e
            return wasBackedOff == e.report.backedOff ? nil : (e.job.name, e.report.backedOff, e.effectivePeriod)
        }
        if let change {
            logger.debug(change.backedOff ? "\(change.job): \(failuresBeforeBackoff) failures in a row, polling backed off to every \(change.period)"
                                          : "\(change.job): answering again, polled every \(change.period)",
                         metadata: ["job": "\(change.job)"])
        }
    }

    /// Sleeps until the next release, or until a command or stop arrives, whichever is
    /// first. One continuation, taken exactly once by whoever fires first (the timer,
    /// ``submit(_:)`` or ``stop()``): nothing can be left waiting.
    private func sleepUntilNextRelease() async {
        let next = state.withLock { s in s.entries.map(\.deadline).min() }
        let timer = Mutex<Task<Void, Never>?>(nil)
        let nativeTimer = Mutex<BusThreadExecutor.TimerToken?>(nil)
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let waiting = state.withLock { s -> Bool in
                if s.stopped || !s.commands.isEmpty { return false }
                s.wake = c
                return true
            }
            guard waiting else {
                c.resume()
                return
            }
            if let next, let executor = timerExecutor, let instant = next as? ContinuousClock.Instant {
                nativeTimer.withLock { $0 = executor.schedule(at: instant) { [self] in self.fireWake() } }
            } else if let next {
                timer.withLock {
                    $0 = Task { [clock, self] in
                        try? await clock.sleep(until: next, tolerance: nil)
                        guard !Task.isCancelled else { return }
                        self.fireWake()
                    }
                }
            }
        }
        timer.withLock { $0?.cancel() }
        if let token = nativeTimer.withLock({ $0 }) { timerExecutor?.cancel(token) }
    }

    /// Resumes the sleeping loop, if it sleeps.
    private func fireWake() {
        let wake = state.withLock { s -> CheckedContinuation<Void, Never>? in
            defer { s.wake = nil }
            return s.wake
        }
        wake?.resume()
    }
}
