import Foundation
import Logging
import Modbus
import Serial
import Simulator
import Synchronization
import Testing

/// What the simulator's logger receives, kept in memory (its servers log from their threads).
private final class SimulatorLog: Sendable {
    let records = Mutex<[(level: Logger.Level, message: String, metadata: [String: String])]>([])

    var logger: Logger {
        var logger = Logger(label: "test") { _ in Handler(log: self) }
        logger.logLevel = .debug
        return logger
    }

    struct Handler: LogHandler {
        let log: SimulatorLog
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
                 file: String, function: String, line: UInt) {
            let merged = self.metadata.merging(metadata ?? [:]) { $1 }.mapValues { "\($0)" }
            log.records.withLock { $0.append((level, "\(message)", merged)) }
        }
    }
}

/// The simulator's diagnostics go to the host's logger (CircuitSimulator.Options.logger).
@Suite struct SimulatorLoggingTests {
    @Test func linesAndControlCommandsAreLogged() throws {
        let log = SimulatorLog()
        var options = CircuitSimulator.Options()
        options.logger = log.logger
        let simulator = try CircuitSimulator(layout: SimulatedCircuitLayout(name: "one-pump", buses: [.init(name: "blood", settings: SerialSettings(baudRate: 115200, parity: .even))],
                                                                            devices: [.init(role: "bloodPump", family: "peristalticPump", bus: "blood", unit: 1)]),
                                             options: options)
        try simulator.start()
        defer { try? simulator.removeRunDirectory() }
        let control = simulator.manifest.control

        _ = try ControlClient.send("fault bloodPump silent 1", to: control)
        _ = try ControlClient.send("no-such-command", to: control)
        // The injected fault meets a request: the server says so at debug.
        let client = try ModbusClient(endpoint: .rtu(path: simulator.manifest.buses[0].endpoint, settings: SerialSettings(baudRate: 115200, parity: .even)),
                                      options: ModbusClientOptions(responseTimeout: .milliseconds(200)))
        #expect(throws: ModbusError.self) { _ = try client.readHoldingRegisters(unit: 1, address: 0x0200, count: 1) }
        client.close()
        try simulator.unplug(bus: "blood")
        let records = log.records.withLock { $0 }
        let shown = records.map { "\($0.level) \($0.message) \($0.metadata)" }
        #expect(records.contains { $0.level == .info && $0.message.hasPrefix("plugged:") && $0.metadata["bus"] == "blood" }, "\(shown)")
        #expect(records.contains { $0.level == .info && $0.message == "control: fault bloodPump silent 1" }, "\(shown)")
        #expect(records.contains { $0.level == .warning && $0.message.hasPrefix("control: no-such-command refused") }, "\(shown)")
        #expect(records.contains { $0.level == .debug && $0.message == "unit 1: injecting silent" && $0.metadata["bus"] == "blood" }, "\(shown)")
        #expect(records.contains { $0.level == .info && $0.message.hasPrefix("unplugged:") && $0.metadata["bus"] == "blood" }, "\(shown)")
    }
}
