import BusRuntime
import Synchronization
import Testing

/// A thread-safe log of what ran, in order.
final class RunLog: Sendable {
    private let entries = Mutex<[String]>([])
    func add(_ name: String) { entries.withLock { $0.append(name) } }
    var all: [String] { entries.withLock { $0 } }
    func count(_ name: String) -> Int { all.filter { $0 == name }.count }
}

@Suite struct PollSchedulerTests {
    /// Waits, bounded, until `condition` holds (the suite runs in parallel on a small
    /// machine: deadlines are generous, and assertions never depend on exact timing).
    func eventually(within: Duration = .seconds(10), _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + within
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return condition()
    }

    @Test func fasterJobsRunMoreOftenAndEveryJobRuns() async throws {
        let log = RunLog()
        let scheduler = PollScheduler(clock: ContinuousClock(), jobs: [
            PollJob(name: "pressure", period: .milliseconds(10), priority: 0) { log.add("pressure"); return true },
            PollJob(name: "temperature", period: .milliseconds(80), priority: 5) { log.add("temperature"); return true },
        ])
        let task = Task { await scheduler.run() }
        #expect(try await eventually { log.count("temperature") >= 3 })
        scheduler.stop()
        await task.value
        // Earliest deadline first: the 10 ms job runs more often than the 80 ms one.
        #expect(log.count("pressure") > log.count("temperature"))
        // Released together at the start: the more urgent job ran first.
        #expect(log.all.first == "pressure")
    }

    @Test func aDeviceThatStopsAnsweringIsBackedOffAndRestored() async throws {
        let answering = Mutex(false)
        let scheduler = PollScheduler(clock: ContinuousClock(), jobs: [
            PollJob(name: "flaky", period: .milliseconds(5)) { answering.withLock { $0 } },
        ], failuresBeforeBackoff: 3, maximumBackoffPeriod: .milliseconds(40))
        let task = Task { await scheduler.run() }
        #expect(try await eventually { scheduler.reports[0].backedOff })
        #expect(scheduler.reports[0].consecutiveFailures >= 3)
        // Backed off to at most one run per 40 ms (a stall only makes it fewer).
        let (runs0, t0) = (scheduler.reports[0].runs, ContinuousClock.now)
        try await Task.sleep(for: .milliseconds(200))
        let (runs1, t1) = (scheduler.reports[0].runs, ContinuousClock.now)
        let window = (t1 - t0) / .milliseconds(40)
        #expect(Double(runs1 - runs0) <= window + 2, "\(runs1 - runs0) runs in \(t1 - t0)")
        answering.withLock { $0 = true }
        #expect(try await eventually { !scheduler.reports[0].backedOff && scheduler.reports[0].consecutiveFailures == 0 })
        scheduler.stop()
        await task.value
    }

    @Test func safetyCommandsJumpTheQueueBetweenTransactions() async throws {
        let log = RunLog()
        let scheduler = PollScheduler(clock: ContinuousClock(), jobs: [
            PollJob(name: "slowRead", period: .milliseconds(1)) {
                log.add("begin")
                try? await Task.sleep(for: .milliseconds(20))
                log.add("end")
                return true
            },
        ])
        let task = Task { await scheduler.run() }
        try await Task.sleep(for: .milliseconds(30))
        scheduler.submit { log.add("STOP PUMP") }
        // Until the command ran and a poll job began after it.
        #expect(try await eventually {
            let all = log.all
            guard let stop = all.firstIndex(of: "STOP PUMP") else { return false }
            return stop + 1 < all.count
        })
        scheduler.stop()
        await task.value
        let all = log.all
        let stop = try #require(all.firstIndex(of: "STOP PUMP"))
        // Never inside a transaction: after an "end", before the next "begin".
        #expect(all[stop - 1] == "end")
        #expect(all[stop + 1] == "begin")
        // And not behind the queue: the very next thing after the running read.
        let beginsBefore = all[..<stop].filter { $0 == "begin" }.count
        let endsBefore = all[..<stop].filter { $0 == "end" }.count
        #expect(beginsBefore == endsBefore)
    }

    @Test func stopEndsAnIdleScheduler() async {
        let scheduler = PollScheduler(clock: ContinuousClock(), jobs: [])
        let task = Task { await scheduler.run() }
        scheduler.submit {}
        scheduler.stop()
        await task.value
        #expect(scheduler.reports.isEmpty)
    }
}
