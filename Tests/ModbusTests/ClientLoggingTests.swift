import Foundation
import Glibc
import Logging
import Modbus
import Serial
import Synchronization
import Testing

/// Records kept by a test's logger (buses log from their own threads).
private final class LogRecords: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let records = Mutex<[Record]>([])
    func append(_ record: Record) { records.withLock { $0.append(record) } }
    var all: [Record] { records.withLock { $0 } }

    func logger(level: Logger.Level) -> Logger {
        var logger = Logger(label: "test") { _ in RecordingHandler(records: self) }
        logger.logLevel = level
        return logger
    }
}

private struct RecordingHandler: LogHandler {
    let records: LogRecords
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
             file: String, function: String, line: UInt) {
        let merged = self.metadata.merging(metadata ?? [:]) { $1 }
        records.append(.init(level: level, message: "\(message)", metadata: merged.mapValues { "\($0)" }))
    }
}

/// The client's diagnostics through the host's Logger: frames as on the wire at trace, a
/// line that never falls quiet at warning.
@Suite struct ClientLoggingTests {
    static let settings = SerialSettings(baudRate: 115200, parity: .even)

    /// The request with its CRC and the reply as received, each at trace with its unit.
    @Test func requestAndReplyFramesAreTracedAsOnTheWire() throws {
        let pty = try PseudoTerminal()
        let log = LogRecords()
        let client = try ModbusClient(endpoint: .rtu(path: pty.secondaryPath, settings: Self.settings),
                                      options: ModbusClientOptions(responseTimeout: .milliseconds(500)), logger: log.logger(level: .trace))
        defer { client.close() }
        let reply = CRC16.appending(to: [0x07, 0x03, 0x02, 0x12, 0x34])
        let fd = pty.primaryDescriptor
        Thread.detachNewThread {
            // Wait for the request's 8 bytes (bounded), then answer.
            var got = 0
            var buffer = [UInt8](repeating: 0, count: 64)
            let deadline = ContinuousClock.now + .seconds(2)
            while got < 8, ContinuousClock.now < deadline {
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&pfd, 1, 50) > 0 else { continue }
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
                if n <= 0 { break }
                got += n
            }
            _ = reply.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
        }
        #expect(try client.readHoldingRegisters(unit: 7, address: 0x10, count: 1) == [0x1234])
        let frames = log.all.filter { $0.level == .trace }
        #expect(frames.map(\.message) == ["TX " + hexString(CRC16.appending(to: [0x07, 0x03, 0x00, 0x10, 0x00, 0x01])),
                                          "RX " + hexString(reply)], "\(frames)")
        #expect(frames.allSatisfy { $0.metadata["unit"] == "7" && $0.metadata["endpoint"]?.contains(pty.secondaryPath) == true }, "\(frames)")
        #expect(frames.map { $0.metadata["direction"] } == ["TX", "RX"])
    }

    /// A line that keeps talking through the whole resynchronisation limit (a babbling
    /// device, a second master) is a warning the host hears, not a silent give-up.
    @Test func aLineThatNeverFallsQuietIsAWarning() throws {
        let pty = try PseudoTerminal()
        let log = LogRecords()
        let babbling = Atomic<Bool>(true)
        let fd = pty.primaryDescriptor
        let stopped = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let deadline = ContinuousClock.now + .seconds(5)  // bounded even if the test fails early
            while babbling.load(ordering: .relaxed), ContinuousClock.now < deadline {
                var byte: UInt8 = 0x55
                _ = write(fd, &byte, 1)
                usleep(2_000)
            }
            stopped.signal()
        }
        // Connecting drains the line until it is quiet: here it never is.
        let client = try ModbusClient(endpoint: .rtu(path: pty.secondaryPath, settings: Self.settings),
                                      options: ModbusClientOptions(resynchronisationQuiet: .milliseconds(30),
                                                                   resynchronisationLimit: .milliseconds(200)),
                                      logger: log.logger(level: .warning))
        babbling.store(false, ordering: .relaxed)
        stopped.wait()
        client.close()
        let warnings = log.all.filter { $0.level == .warning }
        #expect(warnings.contains { $0.message.contains("did not fall quiet") && $0.message.contains("bytes dropped") }, "\(log.all)")
    }
}
