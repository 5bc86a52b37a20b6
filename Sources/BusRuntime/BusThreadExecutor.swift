import Foundation

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
    public let name: String
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var jobs: [UnownedJob] = []
    private var head = 0
    private var stopping = false
    private var threadID: pthread_t?

    public init(name: String) {
        self.name = name
        let started = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            condition.withLock { threadID = pthread_self() }
            started.signal()
            runLoop()
        }
        thread.name = name
        // Bus I/O is latency-critical (safety commands ride on it).
        thread.qualityOfService = .userInteractive
        thread.start()
        started.wait()
    }

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
        return pthread_equal(id, pthread_self()) != 0
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
            while head == jobs.count && !stopping { condition.wait() }
            if head == jobs.count && stopping {
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
