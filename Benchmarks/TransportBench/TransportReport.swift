import Foundation

/// The figures of a `transport` run: every round's sample, the medians, the
/// Swift/C ratios against the targets, and anything that failed.
///
/// The ratios are taken between medians (the primary figure). Beside them
/// come the best-of-rounds figures and a `stable` flag: a ping-pong over a pty
/// passes through kernel workers the benchmark cannot pin, so on a small or
/// busy machine single runs of the same client differ by 2-4x; the noise
/// only ever slows a run down, so the best run is then the better estimate of
/// what the code costs, and an unstable median comparison should not be read
/// as a verdict.
struct TransportReport {
    let transactions: Int
    let rounds: Int
    let implementations: [Implementation]
    /// Samples per transport name, per implementation.
    private(set) var samples: [String: [Implementation: [Sample]]] = [:]
    /// Transports in the order they ran.
    private(set) var transports: [String] = []
    var failures: [String] = []
    /// Requests the in-process server answered per transport, and how many the clients should have sent.
    var serverRequests: [String: (served: Int, expected: Int)] = [:]
    var elapsedSeconds = 0.0
    var placement = Placement.none
    /// The CPUs the servers and the clients were pinned to (nil: not pinned).
    var cpus: (server: Int?, client: Int?) = (nil, nil)
    /// 1-minute load averages around the run: other work on the machine skews every figure.
    var loadAverageBefore: Double?
    var loadAverageAfter: Double?

    /// Largest best/worst throughput ratio over the rounds for a figure to count as stable.
    static let stableSpreadMax = 1.2

    init(transactions: Int, rounds: Int, implementations: [Implementation]) {
        self.transactions = transactions
        self.rounds = rounds
        self.implementations = implementations
    }

    mutating func add(_ sample: Sample, transport: String, impl: Implementation) {
        if !transports.contains(transport) { transports.append(transport) }
        samples[transport, default: [:]][impl, default: []].append(sample)
    }

    /// One implementation's figures over the rounds. Each measure is reduced
    /// on its own (the median CPU need not come from the median-throughput run).
    struct Summary {
        var tps: Double
        var cpuMicrosPerTransaction: Double
        var bestTPS: Double
        var bestCPUMicrosPerTransaction: Double
        /// Best over worst throughput.
        var spread: Double
        var runs: [Sample]
        var isStable: Bool { spread <= TransportReport.stableSpreadMax }
    }

    func summary(_ transport: String, _ impl: Implementation) -> Summary? {
        guard let runs = samples[transport]?[impl], !runs.isEmpty else { return nil }
        let tps = runs.map(\.tps)
        let cpu = runs.map(\.cpuMicrosPerTransaction)
        return Summary(tps: median(tps), cpuMicrosPerTransaction: median(cpu),
                       bestTPS: tps.max()!, bestCPUMicrosPerTransaction: cpu.min()!,
                       spread: tps.max()! / tps.min()!, runs: runs)
    }

    struct Ratio {
        /// Swift median over C median.
        var throughput: Double
        var cpu: Double
        /// Swift best over C best.
        var bestThroughput: Double
        var bestCPU: Double
        /// Whether both medians compared were stable.
        var stable: Bool
        var throughputMet: Bool { throughput >= TransportBenchmark.throughputRatioMin }
        var cpuMet: Bool { cpu <= TransportBenchmark.cpuRatioMax }
    }

    func ratio(_ transport: String, _ impl: Implementation) -> Ratio? {
        guard impl != .c, let swift = summary(transport, impl), let c = summary(transport, .c) else { return nil }
        return Ratio(throughput: swift.tps / c.tps, cpu: swift.cpuMicrosPerTransaction / c.cpuMicrosPerTransaction,
                     bestThroughput: swift.bestTPS / c.bestTPS,
                     bestCPU: swift.bestCPUMicrosPerTransaction / c.bestCPUMicrosPerTransaction,
                     stable: swift.isStable && c.isStable)
    }

    /// Whether every client ran and every read succeeded (the exit status).
    var succeeded: Bool { failures.isEmpty }

    // MARK: Output

    /// The one-line machine-readable result.
    var json: JSON {
        var results: [JSON] = []
        var ratios: [JSON] = []
        for transport in transports {
            for impl in implementations {
                guard let s = summary(transport, impl) else { continue }
                results.append(.object([
                    ("transport", .string(transport)), ("impl", .string(impl.name)),
                    ("tps", .number(s.tps, decimals: 1)), ("cpu_us_per_tx", .number(s.cpuMicrosPerTransaction, decimals: 3)),
                    ("tps_best", .number(s.bestTPS, decimals: 1)),
                    ("cpu_us_per_tx_best", .number(s.bestCPUMicrosPerTransaction, decimals: 3)),
                    ("tps_spread", .number(s.spread, decimals: 3)), ("stable", .bool(s.isStable)),
                    ("runs", .array(s.runs.map { sample in
                        .object([("tps", .number(sample.tps, decimals: 1)),
                                 ("cpu_us_per_tx", .number(sample.cpuMicrosPerTransaction, decimals: 3)),
                                 ("errors", .int(sample.errors))])
                    })),
                ]))
                if let r = ratio(transport, impl) {
                    ratios.append(.object([
                        ("transport", .string(transport)), ("impl", .string(impl.name)),
                        ("throughput_ratio", .number(r.throughput, decimals: 4)), ("cpu_ratio", .number(r.cpu, decimals: 4)),
                        ("throughput_target_met", .bool(r.throughputMet)), ("cpu_target_met", .bool(r.cpuMet)),
                        ("stable", .bool(r.stable)),
                        ("throughput_ratio_best", .number(r.bestThroughput, decimals: 4)),
                        ("cpu_ratio_best", .number(r.bestCPU, decimals: 4)),
                    ]))
                }
            }
        }
        let server: [JSON] = transports.compactMap { t in
            serverRequests[t].map { .object([("transport", .string(t)), ("served", .int($0.served)), ("expected", .int($0.expected))]) }
        }
        return .object([
            ("benchmark", .string("transport")),
            ("transactions", .int(transactions)),
            ("warmup", .int(warmupTransactions)),
            ("rounds", .int(rounds)),
            ("workload", .string("FC03 unit \(Workload.unit) address \(Workload.address) count \(Workload.count)")),
            ("online_cpus", .int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))),
            ("placement", .string(placement.rawValue)),
            ("server_cpu", cpus.server.map { .int($0) } ?? .null),
            ("client_cpu", cpus.client.map { .int($0) } ?? .null),
            ("loadavg_before", loadAverageBefore.map { .number($0, decimals: 2) } ?? .null),
            ("loadavg_after", loadAverageAfter.map { .number($0, decimals: 2) } ?? .null),
            ("targets", .object([("throughput_ratio_min", .number(TransportBenchmark.throughputRatioMin, decimals: 2)),
                                 ("cpu_ratio_max", .number(TransportBenchmark.cpuRatioMax, decimals: 2)),
                                 ("stable_spread_max", .number(Self.stableSpreadMax, decimals: 2))])),
            ("results", .array(results)),
            ("ratios", .array(ratios)),
            ("server_requests", .array(server)),
            ("elapsed_seconds", .number(elapsedSeconds, decimals: 1)),
            ("ok", .bool(succeeded)),
            ("failures", .array(failures.map { .string($0) })),
        ])
    }

    /// A table for people: medians, spread, ratios to C and whether the targets are met.
    var table: String {
        var lines: [String] = []
        lines.append("Reading \(Workload.count) holding registers, \(transactions) transactions per run, median of \(rounds) rounds, "
                     + "placement \(placement.rawValue) (server CPU \(cpus.server.map(String.init) ?? "any"), "
                     + "clients CPU \(cpus.client.map(String.init) ?? "any")). Targets: throughput ≥ "
                     + "\(Int(TransportBenchmark.throughputRatioMin * 100)) % of C, CPU/tx ≤ \(Int(TransportBenchmark.cpuRatioMax * 100)) % of C.")
        lines.append(pad("transport", 10) + pad("implementation", 17) + lpad("tx/s", 8) + lpad("(min-max)", 16)
                     + lpad("µs CPU/tx", 11) + lpad("tput/C", 9) + lpad("CPU/C", 8) + "  targets"
                     + String(repeating: " ", count: 27) + "best: tput/C CPU/C")
        for transport in transports {
            for impl in implementations {
                guard let s = summary(transport, impl) else { continue }
                let tpsValues = s.runs.map(\.tps)
                let range = String(format: "(%.0f-%.0f)", tpsValues.min() ?? 0, tpsValues.max() ?? 0)
                var line = pad(transport, 10) + pad(impl.name, 17)
                    + lpad(String(format: "%.0f", s.tps), 8) + lpad(range, 16)
                    + lpad(String(format: "%.2f", s.cpuMicrosPerTransaction), 11)
                if let r = ratio(transport, impl) {
                    line += lpad(String(format: "%.3f", r.throughput), 9) + lpad(String(format: "%.3f", r.cpu), 8)
                    line += "  " + pad("throughput " + (r.throughputMet ? "met" : "MISSED") + ", CPU " + (r.cpuMet ? "met" : "MISSED")
                                       + (r.stable ? "" : " (noisy)"), 33)
                    line += lpad(String(format: "%.3f", r.bestThroughput), 12) + lpad(String(format: "%.3f", r.bestCPU), 6)
                } else {
                    line += "  (baseline)"
                }
                lines.append(line)
            }
        }
        if transports.contains(where: { t in implementations.contains { summary(t, $0)?.isStable == false } }) {
            lines.append("(noisy): the best and worst runs of an implementation were over \(Int(((Self.stableSpreadMax - 1) * 100).rounded())) % apart; compare the best-run ratios, or rerun with more --rounds.")
        }
        for failure in failures { lines.append("FAILED: \(failure)") }
        let before = loadAverageBefore.map { String(format: "%.2f", $0) } ?? "?"
        let after = loadAverageAfter.map { String(format: "%.2f", $0) } ?? "?"
        lines.append(String(format: "run took %.1f s", elapsedSeconds) + "; 1-minute load average \(before) before, \(after) after")
        return lines.joined(separator: "\n")
    }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/// Left-aligns `text` in `width` columns (counting characters, so "µ" is one).
func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
}

/// Right-aligns `text` in `width` columns.
func lpad(_ text: String, _ width: Int) -> String {
    text.count >= width ? " " + text : String(repeating: " ", count: width - text.count) + text
}
