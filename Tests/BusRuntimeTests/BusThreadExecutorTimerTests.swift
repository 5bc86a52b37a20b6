import BusRuntime
import Foundation
import Synchronization
import Testing

/// The bus thread's own timers: they fire on the bus thread, in deadline order, not early,
/// can be cancelled, and never leave a sleeper suspended once the thread has ended.
@Suite struct BusThreadExecutorTimerTests {
    @Test func timersFireInDeadlineOrderOnTheBusThreadAndNotEarly() async throws {
        let executor = BusThreadExecutor(name: "timer test")
        defer { executor.shutdown() }
        let fired = Mutex<[(Int, ContinuousClock.Instant, Bool)]>([])
        let start = ContinuousClock.now
        let deadlines = [(2, start + .milliseconds(60)), (0, start + .milliseconds(20)), (1, start + .milliseconds(40))]
        for (label, deadline) in deadlines {
            executor.schedule(at: deadline) { fired.withLock { $0.append((label, .now, executor.isCurrentThread)) } }
        }
        let cancelled = executor.schedule(at: start + .milliseconds(30)) { fired.withLock { $0.append((99, .now, true)) } }
        #expect(executor.cancel(cancelled))
        #expect(!executor.cancel(cancelled), "a cancelled timer is no longer pending")

        let waitUntil = ContinuousClock.now + .seconds(5)
        while fired.withLock({ $0.count }) < 3 && ContinuousClock.now < waitUntil { try await Task.sleep(for: .milliseconds(5)) }
        let result = fired.withLock { $0 }
        #expect(result.map(\.0) == [0, 1, 2])
        #expect(result.allSatisfy { $0.2 }, "timers run on the bus thread")
        for (label, at, _) in result {
            let deadline = deadlines.first { $0.0 == label }!.1
            #expect(at >= deadline, "timer \(label) fired early")
        }
    }

    @Test func aTaskSleepsOnTheBusThreadsTimerAndResumesThere() async {
        let executor = BusThreadExecutor(name: "sleep test")
        defer { executor.shutdown() }
        let task = Task(executorPreference: executor) { () -> (Duration, Bool) in
            let start = ContinuousClock.now
            await executor.sleep(until: start + .milliseconds(25))
            return (start.duration(to: .now), executor.isCurrentThread)
        }
        let (slept, onBusThread) = await task.value
        #expect(slept >= .milliseconds(25))
        #expect(onBusThread)
    }

    @Test func aTimerAfterShutdownFiresAtOnceRatherThanNever() async throws {
        let executor = BusThreadExecutor(name: "shutdown test")
        let pending = Mutex(false)
        executor.schedule(at: .now + .seconds(3600)) { pending.withLock { $0 = true } }
        executor.shutdown()
        let deadline = ContinuousClock.now + .seconds(5)
        while !pending.withLock({ $0 }) && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(pending.withLock { $0 }, "a pending timer fires when the thread ends")
        // Once the thread has ended, a sleeper is not left suspended.
        await executor.sleep(until: .now + .seconds(3600))
    }
}
