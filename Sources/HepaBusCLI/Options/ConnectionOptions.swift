import ArgumentParser
import BusRuntime
import Modbus
import Serial

/// How to reach a line: ENDPOINT, serial settings, timeouts, retries, tracing.
struct ConnectionOptions: ParsableArguments {
    @Argument(help: "A serial device path (e.g. /dev/ttyUSB0) or tcp://HOST:PORT.")
    var endpoint: String

    @Option(help: "Baud rate (serial only).")
    var baud: UInt32 = 115200

    /// Even by default: Modbus over serial line specifies 8E1, and every circuit bus is 8E1.
    @Option(help: "Parity: none, even or odd (serial only; even is Modbus's default, --parity none for 8N1 devices).")
    var parity: ParityArgument = .even

    @Option(name: .customLong("data-bits"), help: "Data bits: 7 or 8 (serial only).")
    var dataBits: Int = 8

    @Option(name: .customLong("stop-bits"), help: "Stop bits: 1 or 2 (serial only).")
    var stopBits: Int = 1

    @Option(name: .customLong("timeout"), help: "Response timeout in milliseconds, 10-10000 (default: 1000; 100 for scan).")
    var timeoutMilliseconds: Int?

    @Option(help: "Extra attempts after a timeout or CRC error (0-5).")
    var retries: Int = 0

    @Flag(help: "Print every frame sent and received, in hex with timestamps, on standard error.")
    var verbose = false

    func validate() throws {
        guard baud >= 50 && baud <= 4_000_000 else { throw ValidationError("--baud \(baud) is out of range 50-4000000") }
        guard dataBits == 7 || dataBits == 8 else { throw ValidationError("--data-bits must be 7 or 8 for Modbus RTU, not \(dataBits)") }
        guard stopBits == 1 || stopBits == 2 else { throw ValidationError("--stop-bits must be 1 or 2, not \(stopBits)") }
        if let timeoutMilliseconds, !(10...10_000).contains(timeoutMilliseconds) {
            throw ValidationError("--timeout \(timeoutMilliseconds) is out of range 10-10000 ms")
        }
        guard (0...5).contains(retries) else { throw ValidationError("--retries \(retries) is out of range 0-5") }
        do {
            _ = try ModbusEndpoint.parse(endpoint)
        } catch {
            throw ValidationError(error.description)
        }
    }

    var serialSettings: SerialSettings {
        SerialSettings(baudRate: BaudRate(rawValue: baud), parity: parity.parity,
                       dataBits: dataBits == 7 ? .seven : .eight, stopBits: stopBits == 2 ? .two : .one)
    }

    func resolvedEndpoint() throws -> ModbusEndpoint {
        do {
            return try ModbusEndpoint.parse(endpoint, serialSettings: serialSettings)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// Client options; `defaultTimeout` applies when no --timeout was given.
    func clientOptions(defaultTimeout: Int = 1000) -> ModbusClientOptions {
        let ms = timeoutMilliseconds ?? defaultTimeout
        return ModbusClientOptions(
            responseTimeout: .milliseconds(ms),
            byteTimeout: .milliseconds(max(20, min(ms / 2, 200))),
            retry: RetryPolicy(maxAttempts: retries + 1, delay: .milliseconds(10)),
            frameTracer: verbose ? FrameLogger() : nil)
    }

    /// Opens the bus; a line that cannot be opened is a device/line failure (exit 1).
    func openBus(defaultTimeout: Int = 1000) async throws -> ModbusBus {
        let endpoint = try resolvedEndpoint()
        return try await ModbusBus(endpoint: endpoint, options: clientOptions(defaultTimeout: defaultTimeout), logger: LogSetup.busLogger)
    }

    /// Checks a unit id against what the endpoint allows for this kind of request.
    func checkUnit(_ unit: UInt8, allowBroadcast: Bool) throws {
        let endpoint = try resolvedEndpoint()
        if unit == 0 {
            guard allowBroadcast && endpoint.isSerial else {
                throw ValidationError(allowBroadcast
                    ? "--unit 0 (broadcast) exists only on serial lines"
                    : "--unit 0 is the broadcast address: nothing answers a read; use 1-247")
            }
        } else if endpoint.isSerial && unit > 247 {
            throw ValidationError("--unit \(unit) is out of range 1-247 on a serial line")
        }
    }
}

/// `--parity none|even|odd`.
enum ParityArgument: String, ExpressibleByArgument, CaseIterable {
    case none, even, odd
    var parity: Parity { Parity(rawValue: rawValue)! }
}
