import Testing
import BusRuntime
import HardwareInterfaces
import Modbus
import Serial

@Suite struct ModbusBusTests {
    func servedLine(units: [UInt8] = [1]) throws -> (PseudoTerminal, ModbusRTUServer, ServedUnits) {
        var models: [UInt8: any ModbusDataModel] = [:]
        for u in units { models[u] = RegisterMap(coils: 16, holdingRegisters: 100, inputRegisters: 100) }
        let served = ServedUnits(models)
        let pty = try PseudoTerminal()
        let server = ModbusRTUServer(pty: pty, units: served)
        server.start()
        return (pty, server, served)
    }

    let options = ModbusClientOptions(responseTimeout: .milliseconds(300), resynchronisationQuiet: .milliseconds(20))

    @Test func transactionsRunOnTheBusThread() async throws {
        let (pty, server, _) = try servedLine()
        defer { server.stop() }
        let bus = try await ModbusBus(endpoint: .rtu(path: pty.secondaryPath, settings: SerialSettings()), options: options)
        try await bus.writeRegister(unit: 1, address: 3, value: 77)
        #expect(try await bus.readHoldingRegisters(unit: 1, address: 3, count: 1) == [77])
        let onBusThread = try await bus.withClient { _ in bus.executor.isCurrentThread }
        #expect(onBusThread)
        #expect(!bus.executor.isCurrentThread)
        #expect(await bus.statistics.completed == 2)
    }

    @Test func concurrentCallersNeverInterleaveInsideATransaction() async throws {
        let (pty, server, served) = try servedLine(units: [1, 2])
        defer { server.stop() }
        let bus = try await ModbusBus(endpoint: .rtu(path: pty.secondaryPath, settings: SerialSettings()), options: options)
        // 8 tasks hammer two units at once; every reply must match its own request.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    let unit = UInt8(1 + task % 2)
                    for i in 0..<25 {
                        let value = UInt16(task * 1000 + i)
                        let address = UInt16(task)
                        try await bus.writeRegister(unit: unit, address: address, value: value)
                        #expect(try await bus.readHoldingRegisters(unit: unit, address: address, count: 1) == [value])
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(served.framesDropped == 0)
        let stats = await bus.statistics
        #expect(stats.completed == 400)
        #expect(stats.timeouts + stats.crcErrors + stats.malformedReplies == 0)
    }

    @Test func cancelledCallerNeverStartsATransaction() async throws {
        let (pty, server, served) = try servedLine()
        defer { server.stop() }
        let bus = try await ModbusBus(endpoint: .rtu(path: pty.secondaryPath, settings: SerialSettings()), options: options)
        let before = served.requestsServed
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await bus.readHoldingRegisters(unit: 1, address: 0, count: 1)
        }
        await #expect(throws: ModbusError.cancelled) { try await task.value }
        #expect(served.requestsServed == before)
        // The line is still in step afterwards.
        #expect(try await bus.readHoldingRegisters(unit: 1, address: 0, count: 1) == [0])
    }

    @Test func cancellingDuringATransactionCompletesItCleanly() async throws {
        let (pty, server, served) = try servedLine()
        defer { server.stop() }
        let bus = try await ModbusBus(endpoint: .rtu(path: pty.secondaryPath, settings: SerialSettings()), options: options)
        served.inject(.delay(.milliseconds(150)), unit: 1, count: 1)
        let before = served.requestsServed
        let task = Task { try await bus.writeRegister(unit: 1, address: 5, value: 9) }
        // Cancel once the request is on the wire (the server has it and is delaying its reply).
        let deadline = ContinuousClock.now + .seconds(10)
        while served.requestsServed == before && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
        #expect(served.requestsServed > before)
        task.cancel()
        // The write was already on the wire: it completes (cancellation cannot cut it in half).
        try await task.value
        #expect(try await bus.readHoldingRegisters(unit: 1, address: 5, count: 1) == [9])
    }

    @Test func failuresAreCountedByKind() async throws {
        let (pty, server, served) = try servedLine()
        defer { server.stop() }
        let bus = try await ModbusBus(endpoint: .rtu(path: pty.secondaryPath, settings: SerialSettings()), options: options)
        served.inject(.silent, unit: 1, count: 1)
        await #expect(throws: ModbusError.self) { try await bus.readHoldingRegisters(unit: 1, address: 0, count: 1) }
        served.inject(.corruptCRC, unit: 1, count: 1)
        await #expect(throws: ModbusError.self) { try await bus.readHoldingRegisters(unit: 1, address: 0, count: 1) }
        await #expect(throws: ModbusError.self) { try await bus.readHoldingRegisters(unit: 1, address: 99, count: 5) }
        let stats = await bus.statistics
        #expect(stats.timeouts == 1)
        #expect(stats.crcErrors == 1)
        #expect(stats.exceptions == 1)
        #expect(ModbusError.timeout(ModbusOperation(unit: 1, function: .readCoils)).kind == .timeout)
    }

    @Test func executorRunsJobsInOrderOnOneThread() async {
        actor Recorder {
            nonisolated let executor = BusThreadExecutor(name: "test-bus")
            nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
            var log: [Int] = []
            func append(_ i: Int) -> Bool {
                log.append(i)
                return executor.isCurrentThread
            }
        }
        let recorder = Recorder()
        for i in 0..<100 { #expect(await recorder.append(i)) }
        #expect(await recorder.log == Array(0..<100))
        recorder.executor.shutdown()
    }
}

@Suite struct TaskExecutorTests {
    /// A task that prefers the bus executor runs its own code on the bus thread,
    /// so its calls into the bus need no thread switch.
    @Test func taskPreferringTheBusRunsOnTheBusThread() async throws {
        let served = ServedUnits([1: RegisterMap(holdingRegisters: 10)])
        let pty = try PseudoTerminal()
        let server = ModbusRTUServer(pty: pty, units: served)
        server.start()
        defer { server.stop() }
        let bus = try await ModbusBus(endpoint: .rtu(path: pty.secondaryPath, settings: SerialSettings()))
        let result = try await Task(executorPreference: bus.executor) { () async throws -> (Bool, [UInt16], Bool) in
            let before = bus.executor.isCurrentThread
            try await bus.writeRegister(unit: 1, address: 2, value: 42)
            let values = try await bus.readHoldingRegisters(unit: 1, address: 2, count: 1)
            return (before, values, bus.executor.isCurrentThread)
        }.value
        #expect(result.0)
        #expect(result.1 == [42])
        #expect(result.2)
    }
}
