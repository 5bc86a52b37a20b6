import BusRuntime
import Modbus
import Serial

/// The ways the Swift stack is driven; all count as "the full Swift stack".
enum SwiftMode: String, CaseIterable, Sendable {
    /// ``ModbusClient`` called directly on the calling thread: the wrapper alone.
    case client = "swift-client"
    /// `await bus.readHoldingRegisters(...)` on a ``ModbusBus`` from a task
    /// outside it: every transaction hops onto the bus thread and back.
    case busActor = "swift-bus-actor"
    /// `bus.withClient { ... }` running chunks of transactions back to back on
    /// the bus thread (the poll-scheduler pattern): one hop per chunk.
    case busBatch = "swift-bus-batch"
    /// `await bus.readHoldingRegisters(...)` per transaction, from a task started
    /// with `Task(executorPreference: bus.executor)`: the caller's code runs on
    /// the bus thread too, so the actor call needs no thread switch (how the
    /// poll scheduler and the supervisor run).
    case busTask = "swift-bus-task"
}

/// Where a client connects: the pty's secondary side, or the TCP server.
enum BenchTransport: Sendable {
    case rtu(path: String)
    case tcp(host: String, port: UInt16)

    var name: String {
        switch self {
        case .rtu: "rtu"
        case .tcp: "tcp"
        }
    }

    /// The same line parameters as the C client: 115200 8N1 (nominal on a pty).
    var endpoint: ModbusEndpoint {
        switch self {
        case .rtu(let path): .rtu(path: path, settings: SerialSettings(baudRate: 115200, parity: .none))
        case .tcp(let host, let port): .tcp(host: host, port: port)
        }
    }

    /// The arguments naming this line on a client's command line (both clients take the same).
    var arguments: [String] {
        switch self {
        case .rtu(let path): ["rtu", path]
        case .tcp(let host, let port): ["tcp", host, String(port)]
        }
    }
}

/// Takes every result the way an application would (it keeps something of
/// it), so the work cannot be optimised away and, in the actor mode, the caller
/// really resumes on its own executor after each transaction.
///
/// Why it matters: a loop that awaits an actor method and then does nothing
/// with the result has nothing that needs the caller's executor between two
/// awaits, so the optimizer (OptimizeHopToExecutor) drops the hop back and the
/// whole loop runs on the bus thread, zero hops per transaction: a best case
/// no real caller gets. The opaque call below is enough to keep the hop.
final class ResultSink {
    private(set) var checksum: UInt64 = 0
    private(set) var taken = 0

    @inline(never)
    func take(_ registers: [UInt16]) {
        checksum &+= UInt64(registers.first ?? 0) &+ UInt64(registers.count)
        taken += 1
    }
}

/// `hepabus-bench client-swift`: one Swift client run, measured in-process the
/// same way bare-libmodbus-bench measures itself, printed as one JSON line.
enum SwiftClientBench {
    /// Transactions per `withClient` call in ``SwiftMode/busBatch``.
    static let batchChunk = 100

    static func run(mode: SwiftMode, transport: BenchTransport, transactions n: Int) async throws(ModbusError) -> Sample {
        // The library's defaults, as an application would use them; no frame
        // tracer, so ModbusClient.traced() goes straight to libmodbus.
        let options = ModbusClientOptions()
        switch mode {
        case .client:
            let client = try ModbusClient(endpoint: transport.endpoint, options: options)
            defer { client.close() }
            _ = readSynchronously(client, warmupTransactions)
            return Sample.measure(impl: mode.rawValue, transport: transport.name, transactions: n) {
                readSynchronously(client, n)
            }

        case .busActor:
            let bus = try await ModbusBus(endpoint: transport.endpoint, options: options)
            // A detached task: the caller sits on the global cooperative pool,
            // not on the main actor, as a typical service task would.
            let sample = await Task.detached {
                _ = await readThroughActor(bus, warmupTransactions)
                var hoppedBack = true
                var sample = await Sample.measure(impl: mode.rawValue, transport: transport.name, transactions: n) {
                    let (errors, hopped) = await readThroughActor(bus, n)
                    hoppedBack = hopped
                    return errors
                }
                sample.callerHoppedBack = hoppedBack
                return sample
            }.value
            await bus.close()
            return sample

        case .busTask:
            let bus = try await ModbusBus(endpoint: transport.endpoint, options: options)
            let sample = await Task(executorPreference: bus.executor) {
                _ = await readThroughActor(bus, warmupTransactions)
                return await Sample.measure(impl: mode.rawValue, transport: transport.name, transactions: n) {
                    await readThroughActor(bus, n).errors
                }
            }.value
            await bus.close()
            return sample

        case .busBatch:
            let bus = try await ModbusBus(endpoint: transport.endpoint, options: options)
            let sample = await Task.detached {
                _ = await readInBatches(bus, warmupTransactions)
                return await Sample.measure(impl: mode.rawValue, transport: transport.name, transactions: n) {
                    await readInBatches(bus, n)
                }
            }.value
            await bus.close()
            return sample
        }
    }

    /// `n` reads on the calling thread; returns how many failed.
    private static func readSynchronously(_ client: ModbusClient, _ n: Int) -> Int {
        let sink = ResultSink()
        var errors = 0
        for _ in 0..<n {
            do {
                sink.take(try client.readHoldingRegisters(unit: Workload.unit, address: Workload.address, count: Workload.count))
            } catch {
                errors += 1
            }
        }
        return errors
    }

    /// `n` reads, each its own actor call; returns how many failed, and whether
    /// the caller was off the bus thread after an await (the hop back happened).
    private static func readThroughActor(_ bus: ModbusBus, _ n: Int) async -> (errors: Int, hoppedBack: Bool) {
        let sink = ResultSink()
        var errors = 0
        var hoppedBack = true
        for i in 0..<n {
            do {
                sink.take(try await bus.readHoldingRegisters(unit: Workload.unit, address: Workload.address, count: Workload.count))
            } catch {
                errors += 1
            }
            // Sampled, not every time: the check takes a lock.
            if i % 1024 == 0 && bus.executor.isCurrentThread { hoppedBack = false }
        }
        return (errors, hoppedBack)
    }

    /// `n` reads in chunks of ``batchChunk``, each chunk one `withClient` call
    /// on the bus thread; returns how many failed.
    private static func readInBatches(_ bus: ModbusBus, _ n: Int) async -> Int {
        var errors = 0
        var remaining = n
        while remaining > 0 {
            let chunk = min(batchChunk, remaining)
            remaining -= chunk
            do {
                errors += try await bus.withClient { client throws(ModbusError) -> Int in
                    readSynchronously(client, chunk)
                }
            } catch {
                errors += chunk  // the bus was closed or the task cancelled: the chunk never ran
            }
        }
        return errors
    }
}
