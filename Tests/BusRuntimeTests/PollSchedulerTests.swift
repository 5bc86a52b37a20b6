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
    @Test func fasterJobsRunMoreOftenAndEveryJobRuns() async throws {
        let log = RunLog()
        let scheduler = PollScheduler(clock: ContinuousClock(), jobs: [
            PollJob(name: "pressure", period: .milliseconds(10), priority: 0) { log.add("pressure"); return true },
            PollJob(name: "temperature", period: .milliseconds(80), priority: 5) { log.add("temperature"); return true },
        ])
        let task = Task { await scheduler.run() }
        try await Task.sleep(for: .milliseconds(400))
        scheduler.stop()
        await task.value
        #expect(log.count("temperature") >= 2)
        #expect(log.count("pressure") > 3 * log.count("temperature"))
        // Released together at the start: the more urgent job ran first.
        #expect(log.all.first == "pressure")
    }

    @Test func aDeviceThatStopsAnsweringIsBackedOffAndRestored() async throws {
        let answering = Mutex(false)
        let scheduler = PollScheduler(clock: ContinuousClock(), jobs: [
            PollJob(name: "flaky", period: .milliseconds(5)) { answering.withLock { $0 } },
        ], failuresBeforeBackoff: 3, maximumBackoffPeriod: .milliseconds(40))
        let task = Task { await scheduler.run() }
        try await Task.sleep(for: .milliseconds(150))
        let failing = scheduler.reports[0]
        #expect(failing.backedOff)
        #expect(failing.consecutiveFailures >= 3)
        // Backed off to 40 ms: far fewer than the 30 runs 5 ms polling would make.
        #expect(failing.runs < 15)
        answering.withLock { $0 = true }
        try await Task.sleep(for: .milliseconds(100))
        scheduler.stop()
        await task.value
        #expect(!scheduler.reports[0].backedOff)
        #expect(scheduler.reports[0].consecutiveFailures == 0)
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
        try await Task.sleep(for: .milliseconds(60))
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
