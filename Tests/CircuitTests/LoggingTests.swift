import Circuit
import CircuitConfiguration
import Foundation
import Journal
import Logging
import Simulator
import Synchronization
import Testing

/// Every record a logger was given, kept in memory (thread-safe: buses log from their own threads).
final class CapturedLog: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let records = Mutex<[Record]>([])

    /// A logger at `level` whose every record lands here.
    func logger(level: Logger.Level) -> Logger {
        var logger = Logger(label: "test") { _ in CapturingLogHandler(log: self) }
        logger.logLevel = level
        return logger
    }

    func append(_ record: Record) { records.withLock { $0.append(record) } }
    var all: [Record] { records.withLock { $0 } }
}

/// A swift-log handler writing into a ``CapturedLog``.
struct CapturingLogHandler: LogHandler {
    let log: CapturedLog
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    // The API every swift-log from 1.6 on calls (later versions bridge their event API to it).
    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
             file: String, function: String, line: UInt) {
        let merged = self.metadata.merging(metadata ?? [:]) { $1 }
        log.append(.init(level: level, message: "\(message)", metadata: merged.mapValues { "\($0)" }))
    }
}

/// Issue 10 item 4: the host's Logger carries every diagnostic; the library never prints.
@Suite(.serialized) struct LoggingTests {
    /// A supervised circuit against the simulator logs each request and reply frame at
    /// trace, with the bus, the unit and the direction as metadata, and its state changes at info.
    @Test func aSupervisedCircuitTracesItsFramesWithTheirBus() async throws {
        let bal = try SimulatedBal()
        let log = CapturedLog()
        let runtime = try await CircuitRuntime(configuration: bal.configuration, endpoints: bal.endpoints,
                                               logger: log.logger(level: .trace))
        let supervisor = try Supervisor(runtime: runtime)
        await supervisor.start(watchingPorts: false)
        func frames(_ direction: String, bus: String) -> [CapturedLog.Record] {
            log.all.filter { $0.level == .trace && $0.metadata["direction"] == direction && $0.metadata["bus"] == bus }
        }
        let traced = await eventually(within: .seconds(5)) {
            bal.configuration.buses.allSatisfy { !frames("TX", bus: $0.name).isEmpty && !frames("RX", bus: $0.name).isEmpty }
        }
        #expect(await supervisor.perform(.startSelfTest).isAccepted)
        await supervisor.stop()
        #expect(traced, "buses without frames traced: \(bal.configuration.buses.map(\.name).filter { frames("TX", bus: $0).isEmpty })")

        // The blood bus's pump at unit 1: its requests are whole RTU frames (unit, function, CRC).
        let bloodPump = try #require(bal.configuration.device(.bloodPump))
        let request = try #require(frames("TX", bus: bloodPump.bus).first { $0.metadata["unit"] == "\(bloodPump.unit)" },
                                   "no request to unit \(bloodPump.unit) traced")
        let bytes = request.message.dropFirst("TX ".count).split(separator: " ").compactMap { UInt8($0, radix: 16) }
        #expect(bytes.first == bloodPump.unit && bytes.count >= 4, "\(request.message)")
        #expect(request.metadata["circuit"] == bal.configuration.name && request.metadata["endpoint"] != nil, "\(request.metadata)")
        // The supervisor logs through the runtime's logger when given none of its own.
        #expect(log.all.contains { $0.level == .info && $0.metadata["event"] == "lifecycleChanged" && $0.metadata["component"] == "supervisor" },
                "\(log.all.filter { $0.level > .trace }.map(\.message))")
    }

    /// A logger above trace never sees a frame (tracing costs nothing when off).
    @Test func noFramesAboveTrace() async throws {
        let bal = try SimulatedBal()
        let log = CapturedLog()
        let runtime = try await CircuitRuntime(configuration: bal.configuration, endpoints: bal.endpoints,
                                               logger: log.logger(level: .debug))
        let polled = Mutex(0)
        runtime.start { _ in polled.withLock { $0 += 1 } }
        _ = await eventually(within: .seconds(3)) { polled.withLock { $0 } > 20 }
        await runtime.stop()
        #expect(polled.withLock { $0 } > 20)
        #expect(!log.all.contains { $0.level == .trace }, "\(log.all.filter { $0.level == .trace }.prefix(3).map(\.message))")
    }

    /// A lost bus's port that comes back but cannot be taken back yet says why at debug
    /// (the retry loop used to drop the reason); the loss itself is an error with its bus.
    @Test func aPortNotYetReadmittedSaysWhy() async throws {
        let bal = try SimulatedBal()
        let log = CapturedLog()
        let runtime = try await CircuitRuntime(configuration: bal.configuration, endpoints: bal.endpoints)
        let supervisor = try Supervisor(runtime: runtime, logger: log.logger(level: .debug))
        await supervisor.portLost(bus: "plasma", reason: "test: pulled")
        try bal.simulator.unplug(bus: "plasma")
        let outcome = await supervisor.portReturned(bus: "plasma")
        await supervisor.stop()
        guard case .notYet(let why) = outcome else {
            Issue.record("a port that cannot be opened was \(outcome)")
            return
        }
        #expect(log.all.contains { $0.level == .error && $0.metadata["event"] == "portLost" && $0.metadata["bus"] == "plasma" },
                "\(log.all.map { "\($0.level) \($0.message) \($0.metadata)" })")
        #expect(log.all.contains { $0.level == .debug && $0.metadata["bus"] == "plasma" && $0.message.contains("not readmitted yet: \(why)") },
                "\(log.all.map { "\($0.level) \($0.message)" })")
    }

    /// A journal that refuses an entry is reported to the host: at critical on its logger
    /// (with the entry lost) and as an event a controller following `events()` sees. The
    /// supervisor goes on supervising: the command is still handled.
    @Test func aJournalFailureReachesTheLoggerAndTheEvents() async throws {
        let bal = try SimulatedBal()
        let log = CapturedLog()
        let runtime = try await CircuitRuntime(configuration: bal.configuration, endpoints: bal.endpoints)
        let journalPath = bal.simulator.runDirectory + "/journal.log"
        let journal = try EventJournal(path: journalPath)
        let supervisor = try Supervisor(runtime: runtime, journal: journal, logger: log.logger(level: .info))
        let events = await supervisor.events()
        let heard = Task {
            var seen: [SupervisorEvent] = []
            for await event in events {
                seen.append(event)
                if case .journalFailed = event { return seen }
            }
            return seen
        }
        journal.close()  // every later append throws JournalError.closed

        let result = await supervisor.perform(.startSelfTest)
        #expect(result.isAccepted, "the command is handled although the journal cannot record it: \(result)")
        #expect(await supervisor.lifecycle != .idle)

        let critical = log.all.filter { $0.level == .critical }
        #expect(critical.contains { $0.message.contains("JOURNAL FAILURE") && $0.message.contains("entry lost: command from operator: startSelfTest") },
                "\(log.all.map { "\($0.level) \($0.message)" })")
        #expect(critical.allSatisfy { $0.metadata["event"] == "journalFailed" })

        let timeout = Task {
            try? await Task.sleep(for: .seconds(5))
            heard.cancel()
        }
        let seen = await heard.value
        timeout.cancel()
        let failure = seen.compactMap { event -> String? in if case .journalFailed(let detail) = event { detail } else { nil } }.first
        #expect(failure?.contains(journalPath) == true, "events heard: \(seen)")
        await supervisor.stop()
    }
}
