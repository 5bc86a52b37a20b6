import Foundation
import Glibc

/// Untimed transactions every client (C and Swift) runs before it starts its
/// clocks: first-use costs (page faults, lazy binding, the server's buffers,
/// the cooperative pool's threads) are not what the benchmark is about.
/// Must equal `WARMUP` in Benchmarks/BareLibmodbus/main.c.
let warmupTransactions = 200

/// The transaction every client repeats: FC03, 10 holding registers of unit 1 at address 0.
enum Workload {
    static let unit: UInt8 = 1
    static let address: UInt16 = 0
    static let count = 10
    /// Holding registers the benchmark server's unit has.
    static let servedHoldingRegisters = 100
}

/// Wall-clock seconds on CLOCK_MONOTONIC (the same clock the C client reads).
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// User + system CPU time of this whole process (every thread), from
/// getrusage(RUSAGE_SELF): in a Swift client that includes the bus thread and
/// the cooperative pool, which is the honest cost of the stack.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

/// One client run's figures, as a client prints them (one JSON line) and the
/// parent reads them back.
struct Sample: Sendable {
    var impl: String
    var transport: String
    var transactions: Int
    var errors: Int
    /// Wall time of the timed loop.
    var seconds: Double
    /// CPU time (user + system, whole process) of the timed loop.
    var cpuSeconds: Double
    /// Actor mode only: whether the caller resumed off the bus thread after its
    /// awaits, i.e. each transaction really cost a hop there and back.
    var callerHoppedBack: Bool? = nil

    var tps: Double { Double(transactions) / seconds }
    var cpuMicrosPerTransaction: Double { cpuSeconds * 1e6 / Double(transactions) }

    /// Runs `loop` between two readings of both clocks.
    static func measure(impl: String, transport: String, transactions: Int, _ loop: () -> Int) -> Sample {
        let cpu0 = processCPUSeconds()
        let t0 = monotonicSeconds()
        let errors = loop()
        let t1 = monotonicSeconds()
        let cpu1 = processCPUSeconds()
        return Sample(impl: impl, transport: transport, transactions: transactions, errors: errors,
                      seconds: t1 - t0, cpuSeconds: cpu1 - cpu0)
    }

    /// The async twin of ``measure(impl:transport:transactions:_:)``.
    static func measure(impl: String, transport: String, transactions: Int,
                        _ loop: () async -> Int) async -> Sample {
        let cpu0 = processCPUSeconds()
        let t0 = monotonicSeconds()
        let errors = await loop()
        let t1 = monotonicSeconds()
        let cpu1 = processCPUSeconds()
        return Sample(impl: impl, transport: transport, transactions: transactions, errors: errors,
                      seconds: t1 - t0, cpuSeconds: cpu1 - cpu0)
    }

    /// The line a client prints: the same keys as bare-libmodbus-bench's.
    var jsonLine: String {
        JSON.object([
            ("impl", .string(impl)), ("transport", .string(transport)),
            ("transactions", .int(transactions)), ("errors", .int(errors)),
            ("seconds", .number(seconds, decimals: 9)), ("cpu_seconds", .number(cpuSeconds, decimals: 6)),
            ("tps", .number(tps, decimals: 3)), ("cpu_us_per_tx", .number(cpuMicrosPerTransaction, decimals: 4)),
            ("warmup", .int(warmupTransactions)),
        ] + (callerHoppedBack.map { [("caller_hopped_back", JSON.bool($0))] } ?? [])).encoded
    }

    /// Reads a client's JSON line back; nil when it is not one.
    init?(jsonLine: String) {
        guard let data = jsonLine.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let impl = object["impl"] as? String, let transport = object["transport"] as? String,
              let transactions = (object["transactions"] as? NSNumber)?.intValue,
              let errors = (object["errors"] as? NSNumber)?.intValue,
              let seconds = (object["seconds"] as? NSNumber)?.doubleValue,
              let cpuSeconds = (object["cpu_seconds"] as? NSNumber)?.doubleValue,
              transactions > 0, seconds > 0
        else { return nil }
        self.init(impl: impl, transport: transport, transactions: transactions, errors: errors,
                  seconds: seconds, cpuSeconds: cpuSeconds)
        callerHoppedBack = object["caller_hopped_back"] as? Bool
    }

    init(impl: String, transport: String, transactions: Int, errors: Int, seconds: Double, cpuSeconds: Double) {
        self.impl = impl
        self.transport = transport
        self.transactions = transactions
        self.errors = errors
        self.seconds = seconds
        self.cpuSeconds = cpuSeconds
    }
}

/// A minimal JSON writer that keeps keys in the order given (JSONSerialization
/// does not), so the output reads the same in every run.
indirect enum JSON {
    case string(String)
    case int(Int)
    /// A finite number printed with a fixed number of decimals; non-finite
    /// values (which JSON cannot carry) become null.
    case number(Double, decimals: Int)
    case bool(Bool)
    case null
    case array([JSON])
    case object([(String, JSON)])

    var encoded: String {
        switch self {
        case .string(let s): return JSON.quote(s)
        case .int(let i): return String(i)
        case .number(let d, let decimals): return d.isFinite ? String(format: "%.\(decimals)f", d) : "null"
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array(let items): return "[" + items.map(\.encoded).joined(separator: ",") + "]"
        case .object(let pairs): return "{" + pairs.map { JSON.quote($0.0) + ":" + $0.1.encoded }.joined(separator: ",") + "}"
        }
    }

    private static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}

/// Prints to standard error (progress and diagnostics; stdout carries the results).
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
