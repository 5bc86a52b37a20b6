import ArgumentParser
import BusRuntime
import Journal
import Modbus
import Serial

/// `hepabus demo`: the simulated bioartificial-liver circuit driven through the
/// real stack, with the interlock live: self-test, priming, treatment, an occluded
/// return line tripping SR-2 into S1, acknowledgement, resumption, the end.
/// `--transport` runs the transport demonstration instead (every function code and
/// line fault between a client and a server on a pseudo-terminal pair).
/// Exits 0 only if every step behaved.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the simulated bal circuit through a treatment with a tripped interlock (or --transport).")

    @Flag(help: "Print every actuator command (or, with --transport, every frame on the wire).")
    var verbose = false

    @Flag(help: "Demonstrate the transport stack instead: client and server on a pseudo-terminal pair and TCP.")
    var transport = false

    @Option(help: "Where the event journal goes (default: the simulator's run directory).")
    var journal: String?

    func run() async throws {
        // The journal first: a path that cannot be one stops the demo before the simulator starts.
        let opened = try journal.map { path throws(CommandFailure) in try JournalFile.open(path) }
        let passed = transport ? await TransportDemo(verbose: verbose).run()
                               : await CircuitDemo(verbose: verbose, journal: opened).run()
        if !passed { throw CommandFailure.device("the demo failed: see the steps marked FAIL above") }
    }
}

/// The demo's script, step by step.
struct TransportDemo {
    var verbose: Bool
    private let start = ContinuousClock.now

    init(verbose: Bool) { self.verbose = verbose }

    private func say(_ text: String) {
        let elapsed = ContinuousClock.now - start
        let ms = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        Terminal.line(String(format: "[%6.3f s] ", Double(ms) / 1000) + text)
    }

    func run() async -> Bool {
        var failures = 0
        func step(_ name: String, _ body: () async throws -> String) async {
            do {
                say("ok    \(name): \(try await body())")
            } catch {
                failures += 1
                say("FAIL  \(name): \(error)")
            }
        }

        let settings = SerialSettings(baudRate: 115200, parity: .even)
        let pump = RegisterMap(coils: 8, discreteInputs: 8, holdingRegisters: 32, inputRegisters: 32,
                               serverID: [0x01, 0xFF] + Array("demo peristaltic pump".utf8))
        let sensor = RegisterMap(holdingRegisters: 8, inputRegisters: 8, serverID: [0x02, 0xFF] + Array("demo pressure sensor".utf8))
        try? sensor.store(.input, address: 0, values: [UInt16(bitPattern: 180)])  // 180 mmHg
        let units = ServedUnits([1: pump, 2: sensor])
        let pty: PseudoTerminal
        do {
            pty = try PseudoTerminal()
        } catch {
            say("FAIL  cannot create a pseudo-terminal pair: \(error)")
            return false
        }
        let server = ModbusRTUServer(pty: pty, units: units, settings: settings)
        server.start()
        defer { server.stop() }
        say("server: units 1 (pump) and 2 (pressure sensor) on \(pty.secondaryPath), \(settings)")

        let options = ModbusClientOptions(responseTimeout: .milliseconds(200), byteTimeout: .milliseconds(50),
                                          resynchronisationQuiet: .milliseconds(20),
                                          broadcastTurnaround: .milliseconds(20), frameTracer: verbose ? FrameLogger() : nil)
        let bus: ModbusBus
        do {
            bus = try await ModbusBus(endpoint: .rtu(path: pty.secondaryPath, settings: settings), options: options)
        } catch {
            say("FAIL  cannot open the client side: \(error)")
            return false
        }
        say("client: \(bus.endpoint) opened exclusively on its own bus thread")

        await step("exclusive access") {
            do {
                _ = try SerialPort(path: pty.secondaryPath, settings: settings)
                throw DemoError("a second opener was let in")
            } catch let error as SerialError {
                guard case .portBusy = error else { throw error }
                return "a second opener is refused: \(error)"
            }
        }
        await step("FC17 report server id") {
            let id = try await bus.reportServerID(unit: 1)
            return "unit 1 is '\(String(decoding: id.dropFirst(2), as: UTF8.self))', run indicator 0x\(String(id[1], radix: 16))"
        }
        await step("FC06 write + FC03 read") {
            try await bus.writeRegister(unit: 1, address: 0, value: 1205)  // 120.5 rpm in 0.1 rpm
            let back = try await bus.readHoldingRegisters(unit: 1, address: 0, count: 1)
            guard back == [1205] else { throw DemoError("read back \(back)") }
            return "speed set-point 120.5 rpm written and read back"
        }
        await step("FC16 float, big-endian words") {
            try await bus.writeRegisters(unit: 1, address: 2, values: RegisterCodec.encode(Float(37.0), order: .big))
            let words = try await bus.readHoldingRegisters(unit: 1, address: 2, count: 2)
            guard RegisterCodec.decodeFloat(words, order: .big) == 37.0 else { throw DemoError("read back \(words)") }
            return "37.0 °C set-point as [0x\(String(words[0], radix: 16)), 0x\(String(words[1], radix: 16))]"
        }
        await step("FC04 read input register (unit 2)") {
            let value = Int16(bitPattern: try await bus.readInputRegisters(unit: 2, address: 0, count: 1)[0])
            guard value == 180 else { throw DemoError("read \(value)") }
            return "venous pressure \(value) mmHg from the second unit on the same line"
        }
        await step("FC05/FC15 coils, FC01 read") {
            try await bus.writeCoil(unit: 1, address: 0, value: true)
            try await bus.writeCoils(unit: 1, address: 2, values: [true, false, true])
            let coils = try await bus.readCoils(unit: 1, address: 0, count: 5)
            guard coils == [true, false, true, false, true] else { throw DemoError("read \(coils)") }
            return "coils \(coils.map { $0 ? "1" : "0" }.joined())"
        }
        await step("FC22 mask write") {
            // (0x00F3 AND 0xFF0F) OR (0x0050 AND NOT 0xFF0F) = 0x0053: bits 4-7 replaced, the rest kept.
            try await bus.writeRegister(unit: 1, address: 10, value: 0x00F3)
            try await bus.maskWriteRegister(unit: 1, address: 10, andMask: 0xFF0F, orMask: 0x0050)
            let value = try await bus.readHoldingRegisters(unit: 1, address: 10, count: 1)[0]
            guard value == 0x0053 else { throw DemoError("read 0x\(String(value, radix: 16))") }
            return "0x00F3 with bits 4-7 set to 5: 0x0053"
        }
        await step("FC23 read/write in one transaction") {
            let read = try await bus.writeAndReadRegisters(unit: 1, writeAddress: 20, values: [7, 8], readAddress: 19, readCount: 3)
            guard read == [0, 7, 8] else { throw DemoError("read \(read)") }
            return "wrote [7, 8] at 20, read \(read) from 19"
        }
        await step("broadcast (unit 0)") {
            try await bus.writeRegister(unit: 0, address: 5, value: 0x5555)
            let a = try await bus.readHoldingRegisters(unit: 1, address: 5, count: 1)
            let b = try await bus.readHoldingRegisters(unit: 2, address: 5, count: 1)
            guard a == [0x5555], b == [0x5555] else { throw DemoError("units hold \(a) and \(b)") }
            return "both units applied it, neither answered"
        }
        await step("device exception by name") {
            do {
                _ = try await bus.readHoldingRegisters(unit: 1, address: 30, count: 5)
                throw DemoError("reading past the map succeeded")
            } catch let error as ModbusError {
                guard case .exception(.illegalDataAddress, _) = error else { throw error }
                return error.description
            }
        }
        await step("silent unit gives a timeout, not a hang") {
            let t0 = ContinuousClock.now
            do {
                _ = try await bus.readHoldingRegisters(unit: 9, address: 0, count: 1)
                throw DemoError("unit 9 answered")
            } catch let error as ModbusError {
                guard case .timeout = error else { throw error }
                return "\(error) after \(ContinuousClock.now - t0)"
            }
        }
        await step("corrupted CRC is detected and the line recovers") {
            units.inject(.corruptCRC, unit: 2, count: 1)
            do {
                _ = try await bus.readInputRegisters(unit: 2, address: 0, count: 1)
                throw DemoError("a corrupted reply was accepted")
            } catch let error as ModbusError {
                guard case .crcError = error else { throw error }
                let value = try await bus.readInputRegisters(unit: 2, address: 0, count: 1)
                guard value == [180] else { throw DemoError("after recovery read \(value)") }
                return "\(error); the next read is clean"
            }
        }
        await step("Modbus TCP on 127.0.0.1") {
            let tcpServer = try ModbusTCPServer(host: "127.0.0.1", port: 0, units: units)
            tcpServer.start()
            defer { tcpServer.stop() }
            let tcpBus = try await ModbusBus(endpoint: .tcp(host: "127.0.0.1", port: tcpServer.port), options: options)
            let value = try await tcpBus.readHoldingRegisters(unit: 1, address: 0, count: 1)
            guard value == [1205] else { throw DemoError("read \(value)") }
            return "tcp://127.0.0.1:\(tcpServer.port) serves the same devices"
        }

        let stats = await bus.statistics
        say("bus statistics: \(stats.completed) completed, \(stats.timeouts) timeouts, \(stats.crcErrors) CRC errors, "
            + "\(stats.exceptions) exceptions (the faults above were provoked on purpose)")
        say(failures == 0 ? "demo passed: every step behaved" : "demo FAILED: \(failures) step(s) misbehaved")
        return failures == 0
    }
}

struct DemoError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
