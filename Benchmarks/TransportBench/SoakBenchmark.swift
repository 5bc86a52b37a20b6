import Circuit
import CircuitConfiguration
import Foundation
import Glibc
import Interlock
import Journal

/// `hepabus-bench soak`: the supervised `bal` circuit treating at nominal poll rates for a
/// long run, measuring this process alone — the real stack (drivers, bus threads, poll
/// schedulers, supervisor with the interlock, the fsynced journal). The simulator runs in
/// a child process (`hepabus simulate --wire-time`), so its physics and servers are not
/// counted. Samples CPU time and resident memory every interval; reports the CPU share of
/// one core and the resident memory's trend after warm-up.
enum SoakBenchmark {
    struct Sample {
        var seconds: Double
        var cpuSeconds: Double
        var residentMB: Double
    }

    /// Resident set size of this process (VmRSS), MB.
    static func residentMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kB = Double(line.split(whereSeparator: { $0 == " " || $0 == "\t" })[1]) else { return .nan }
        return kB / 1024
    }

    /// Least-squares slope of y over x.
    static func slope(_ points: [(x: Double, y: Double)]) -> Double? {
        guard points.count >= 3 else { return nil }
        let n = Double(points.count)
        let mx = points.map(\.x).reduce(0, +) / n
        let my = points.map(\.y).reduce(0, +) / n
        let sxx = points.map { ($0.x - mx) * ($0.x - mx) }.reduce(0, +)
        guard sxx > 0 else { return nil }
        return points.map { ($0.x - mx) * ($0.y - my) }.reduce(0, +) / sxx
    }

    /// Starts `hepabus simulate` and waits for its manifest; returns the process and each bus's endpoint.
    static func startSimulator(hepabus: String, directory: String) throws -> (Process, [String: BusEndpoint]) {
        let manifestPath = directory + "/manifest.json"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: hepabus)
        process.arguments = ["simulate", "--circuit", "bal", "--wire-time", "--manifest", manifestPath,
                             "--run-directory", directory + "/sim"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let data = FileManager.default.contents(atPath: manifestPath),
               let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
               let buses = object["buses"] as? [[String: Any]], !buses.isEmpty {
                var endpoints: [String: BusEndpoint] = [:]
                for bus in buses {
                    if let name = bus["name"] as? String, let endpoint = bus["endpoint"] as? String {
                        endpoints[name] = .serial(path: endpoint)
                    }
                }
                return (process, endpoints)
            }
            guard process.isRunning else { throw BenchFailure("hepabus simulate exited with status \(process.terminationStatus)") }
            usleep(100_000)
        }
        process.terminate()
        throw BenchFailure("hepabus simulate wrote no manifest within 30 s")
    }

    static func run(seconds: Int, interval: Int, hepabus: String) async -> (table: String, json: JSON, ok: Bool) {
        func failed(_ message: String) -> (String, JSON, Bool) {
            (message, .object([("benchmark", .string("soak")), ("error", .string(message))]), false)
        }
        let directory = NSTemporaryDirectory() + "hepabus-soak-\(getpid())"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let simulator: Process
        let endpoints: [String: BusEndpoint]
        do { (simulator, endpoints) = try startSimulator(hepabus: hepabus, directory: directory) } catch {
            return failed("cannot start the simulator: \(error)")
        }
        defer { simulator.terminate(); simulator.waitUntilExit() }

        let supervisor: Supervisor
        let journalPath = directory + "/journal.log"
        do {
            let configuration = try CircuitConfigurationLoader.preset("bal")
            let runtime = try await CircuitRuntime(configuration: configuration, endpoints: endpoints)
            supervisor = try Supervisor(runtime: runtime, journal: try EventJournal(path: journalPath))
        } catch {
            return failed("cannot open the circuit: \(error)")
        }
        await supervisor.start()
        try? await Task.sleep(for: .milliseconds(600))
        do { try await enterTreatment(supervisor) } catch {
            await supervisor.stop()
            return failed("\(error)")
        }

        var samples: [Sample] = []
        let t0 = monotonicSeconds()
        func take() { samples.append(Sample(seconds: monotonicSeconds() - t0, cpuSeconds: processCPUSeconds(), residentMB: residentMegabytes())) }
        take()
        var lifecycleProblems: [String] = []
        while monotonicSeconds() - t0 < Double(seconds) {
            try? await Task.sleep(for: .seconds(interval))
            take()
            let lifecycle = await supervisor.lifecycle
            let faults = await supervisor.activeFaults
            if lifecycle != .treating || !faults.isEmpty {
                lifecycleProblems.append(String(format: "%.0f s: %@ %@", samples.last!.seconds, "\(lifecycle)",
                                                faults.map { "\($0.requirement) \($0.condition)" }.joined(separator: ", ")))
            }
        }
        await supervisor.stop()
        // If anything tripped, what the journal says around the first alarm (for diagnosis).
        var aroundFirstAlarm: [String] = []
        if !lifecycleProblems.isEmpty, let entries = try? EventJournal.read(path: journalPath).entries,
           let first = entries.firstIndex(where: { $0.kind == .alarmRaised }) {
            aroundFirstAlarm = entries[max(0, first - 12)..<min(entries.count, first + 4)].map { "\($0.kind.rawValue) \($0.source): \($0.message)" }
        }
        let journalBytes = (try? FileManager.default.attributesOfItem(atPath: journalPath)[.size] as? Int) ?? 0

        // Warm-up: the first tenth (at least one interval) is excluded from the trend.
        let warm = samples.filter { $0.seconds >= max(Double(interval), Double(seconds) / 10) }
        let first = samples.first!, last = samples.last!
        let cpuShare = (last.cpuSeconds - first.cpuSeconds) / (last.seconds - first.seconds)
        let intervalShares = zip(samples, samples.dropFirst()).map { ($1.cpuSeconds - $0.cpuSeconds) / ($1.seconds - $0.seconds) }
        let rssSlopePerHour = slope(warm.map { (x: $0.seconds, y: $0.residentMB) }).map { $0 * 3600 }
        let warmFirst = warm.first?.residentMB ?? first.residentMB
        let rssMax = samples.map(\.residentMB).max() ?? .nan
        let cpuTarget = 0.05
        let cpuOK = cpuShare < cpuTarget
        // Flat: the trend after warm-up would add less than 5 % of the resident size per hour.
        let memoryOK = rssSlopePerHour.map { $0 < 0.05 * warmFirst } ?? false

        var table = [String(format: "soak: %.0f s treating (bal, nominal poll rates, journal on, simulator in a child process)", last.seconds)]
        table.append(String(format: "cpu: %.2f %% of one core on average, %.2f %% worst %d-s interval (target < %.0f %%)",
                            cpuShare * 100, (intervalShares.max() ?? .nan) * 100, interval, cpuTarget * 100))
        table.append(String(format: "memory: resident %.1f MB after warm-up, %.1f MB at the end, %.1f MB max; trend %+.2f MB/hour (flat: < %.1f MB/hour)",
                            warmFirst, last.residentMB, rssMax, rssSlopePerHour ?? .nan, 0.05 * warmFirst))
        table.append("journal: \(journalBytes) bytes; state: " + (lifecycleProblems.isEmpty ? "treating with no alarm throughout" : lifecycleProblems.prefix(3).joined(separator: "; ")))
        if !aroundFirstAlarm.isEmpty { table.append("journal around the first alarm:\n  " + aroundFirstAlarm.joined(separator: "\n  ")) }
        let json = JSON.object([
            ("benchmark", .string("soak")), ("circuit", .string("bal")),
            ("seconds", .number(last.seconds, decimals: 1)), ("interval_s", .int(interval)),
            ("cpu_fraction_of_one_core", .number(cpuShare, decimals: 4)),
            ("cpu_fraction_worst_interval", .number(intervalShares.max() ?? .nan, decimals: 4)),
            ("cpu_target_fraction", .number(cpuTarget, decimals: 2)), ("cpu_within_target", .bool(cpuOK)),
            ("rss_mb_after_warmup", .number(warmFirst, decimals: 1)), ("rss_mb_end", .number(last.residentMB, decimals: 1)),
            ("rss_mb_max", .number(rssMax, decimals: 1)),
            ("rss_trend_mb_per_hour", rssSlopePerHour.map { .number($0, decimals: 3) } ?? .null),
            ("memory_flat", .bool(memoryOK)),
            ("journal_bytes", .int(journalBytes)),
            ("alarm_free", .bool(lifecycleProblems.isEmpty)),
            ("journal_around_first_alarm", .array(aroundFirstAlarm.map { .string($0) })),
            ("samples", .array(samples.map { .array([.number($0.seconds, decimals: 1), .number($0.cpuSeconds, decimals: 3), .number($0.residentMB, decimals: 2)]) })),
            ("notes", .string("""
                This process only: the real stack supervising the simulated bal circuit (in a child process, \
                wire time emulated at 115200 8E1) while treating at blood 150, plasma 30, recirculation 200 mL/min, \
                every role polled at its nominal rate, heartbeats every 150 ms, every event journalled with fdatasync. \
                cpu = getrusage(RUSAGE_SELF) user+system over wall time. Memory trend = least-squares slope of VmRSS \
                after the first tenth of the run (warm-up). samples = [s, cpu s, rss MB].
                """)),
        ])
        return (table.joined(separator: "\n"), json, lifecycleProblems.isEmpty)
    }

    /// Self-test, priming, then treating at blood 150, plasma 30, recirculation 200 mL/min.
    static func enterTreatment(_ supervisor: Supervisor) async throws {
        let selfTest = await supervisor.runSelfTest()
        guard selfTest.passed else {
            throw BenchFailure("self-test failed: " + selfTest.checks.filter { !$0.passed }.map(\.description).joined(separator: "; "))
        }
        let steps: [(OperatorCommand, Duration)] = [
            (.startPriming, .zero), (.setFlow(.blood, .mLPerMinute(100)), .seconds(2)),
            (.finishPriming, .zero), (.startTreatment, .zero),
            (.setFlow(.blood, .mLPerMinute(150)), .zero), (.setFlow(.plasma, .mLPerMinute(30)), .zero),
            (.setFlow(.recirculation, .mLPerMinute(200)), .seconds(3)),
        ]
        for (command, settle) in steps {
            let result = await supervisor.perform(command)
            guard result.isAccepted else { throw BenchFailure("\(command) refused: \(result)") }
            if settle > .zero { try await Task.sleep(for: settle) }
        }
        let faults = await supervisor.activeFaults
        guard await supervisor.lifecycle == .treating, faults.isEmpty else {
            throw BenchFailure("not treating cleanly after start-up: \(await supervisor.lifecycle), \(faults)")
        }
    }
}

/// `soak` subcommand.
func runSoak(_ args: ArraySlice<String>) async -> Int32 {
    var seconds = 600
    var interval = 10
    var jsonOnly = false
    var hepabus = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("hepabus").path
    var rest = args
    while let arg = rest.popFirst() {
        switch arg {
        case "--seconds": seconds = positiveInt(rest.popFirst(), "--seconds")
        case "--interval": interval = positiveInt(rest.popFirst(), "--interval")
        case "--hepabus":
            guard let path = rest.popFirst() else { usageError("--hepabus needs a path") }
            hepabus = path
        case "--json": jsonOnly = true
        default: usageError("unknown option \(arg)")
        }
    }
    guard seconds >= 3 * interval else { usageError("--seconds must be at least three intervals (\(3 * interval) s)") }
    guard FileManager.default.isExecutableFile(atPath: hepabus) else {
        usageError("no hepabus executable at \(hepabus): build it (swift build -c release --product hepabus) or pass --hepabus PATH")
    }
    let report = await SoakBenchmark.run(seconds: seconds, interval: interval, hepabus: hepabus)
    if !jsonOnly { print(report.table + "\n") }
    print(report.json.encoded)
    fflush(nil)
    return report.ok ? 0 : 1
}
