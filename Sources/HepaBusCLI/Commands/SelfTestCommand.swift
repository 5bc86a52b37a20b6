import ArgumentParser
import BusRuntime
import Circuit
import CircuitConfiguration
import Drivers
import Foundation
import Interlock
import Modbus

/// `hepabus selftest`: the pre-treatment test of the protective system (SR-18), run by
/// the supervisor through the real runtime, as a treatment controller runs it.
struct SelfTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selftest",
        abstract: "Run the pre-treatment protective system self-test (SR-18) on a circuit.",
        discussion: """
            Opens every bus of the circuit exclusively (refused while another process holds one),
            starts the supervisor (everything off, return clamp closed, each pump's tubing
            calibration written from the circuit file, polling with watchdog heartbeats), and runs
            SAFETY.md's SR-18 self-test: every device present and identified, every reading
            plausible, every actuator's host watchdog armed, the return clamp's feedback following
            a close command. Prints one row per check; exit 0 only if all pass. Leaves the circuit
            idle: pumps stopped, heater off, return clamp closed (checked on the devices' readings).
            """)

    @OptionGroup var circuitOptions: CircuitOptions

    @Flag(name: .customLong("allow-unlocked-tcp"), help: "Test over Modbus TCP buses, which cannot be locked (you checked no treatment uses them).")
    var allowUnlockedTCP = false

    @Flag(help: "Print the result as one JSON object.")
    var json = false

    func validate() throws {
        _ = try circuitOptions.endpoints(for: try circuitOptions.configuration())
    }

    /// One row of the report.
    struct Row {
        var check: String
        var passed: Bool
        var detail: String
    }

    func run() async throws {
        let configuration = try circuitOptions.configuration()
        let given = try circuitOptions.endpoints(for: configuration)
        let endpoints = Dictionary(uniqueKeysWithValues: configuration.buses.map { ($0.name, configuration.endpoint(of: $0, in: given)) })
        try ExclusiveAccess.checkTCP(configuration.buses.map { ($0.name, endpoints[$0.name]!) }, allowUnlocked: allowUnlockedTCP,
                                     doing: "run the self-test")
        let progress = ProgressLine(enabled: Terminal.stderrIsTerminal)
        progress.show("self-test: opening \(configuration.buses.count) buses of circuit '\(configuration.name)'")
        let runtime: CircuitRuntime
        do {
            runtime = try await CircuitRuntime(configuration: configuration, endpoints: endpoints, logger: LogSetup.busLogger)
        } catch {
            progress.finish()
            let busyBus = ExclusiveAccess.busyPath(error).flatMap { path in endpoints.first { $0.value == .serial(path: path) }?.key }
            if let refusal = ExclusiveAccess.refusal(error, doing: "run the self-test", bus: busyBus) { throw refusal }
            // The supervisor cannot start without every bus: say which cannot be opened, and which devices that leaves untested.
            let rows = await unreachableBusRows(configuration, endpoints)
            report(rows, configuration: configuration, finalState: "not started: a bus cannot be opened")
            throw CommandFailure.device("self-test FAILED (SR-18): " + rows.filter { !$0.passed }.map(\.check).joined(separator: ", "))
        }
        let supervisor: Supervisor
        do {
            supervisor = try Supervisor(runtime: runtime, logger: LogSetup.logger)
        } catch {
            progress.finish()
            await runtime.stop()
            throw CommandFailure.usage("--circuit \(circuitOptions.circuit): \(error)")
        }
        progress.show("self-test: supervisor starting (everything off, return clamp closed)")
        await supervisor.start()
        await waitForFirstSamples(runtime, within: .seconds(3))
        progress.show("self-test: checking devices, readings, watchdogs and the return clamp")
        let result = await supervisor.runSelfTest()

        // Back to idle: an SR-18 failure (or a device fault seen meanwhile) is acknowledged first.
        if await !supervisor.activeFaults.allSatisfy(\.isAcknowledged) { _ = await supervisor.perform(.acknowledge(.all)) }
        if await supervisor.lifecycle != .idle { _ = await supervisor.perform(.returnToIdle) }
        let lifecycle = await supervisor.lifecycle
        let idleCheck = await verifySafeIdle(runtime)
        await supervisor.stop()
        progress.finish()

        var rows = result.checks.map { Row(check: "\($0.item)", passed: $0.passed, detail: $0.detail) }
        let leftIdle = lifecycle == .idle && idleCheck.passed
        let finalState = lifecycle == .idle ? "idle: " + idleCheck.detail : "\(lifecycle) (NOT idle): " + idleCheck.detail
        if !leftIdle { rows.append(Row(check: "safeIdleAfterwards", passed: false, detail: finalState)) }
        report(rows, configuration: configuration, finalState: finalState)
        let failed = rows.filter { !$0.passed }
        guard result.passed, failed.isEmpty else {
            throw CommandFailure.device("self-test FAILED (SR-18): \(failed.count) of \(rows.count) checks failed: "
                + failed.map(\.check).joined(separator: ", "))
        }
    }

    /// Waits until every role has answered or failed a few polls (bounded): the self-test
    /// judges readings less than a second old.
    private func waitForFirstSamples(_ runtime: CircuitRuntime, within limit: Duration) async {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if runtime.snapshot.samples.values.allSatisfy({ $0.reading != nil || $0.consecutiveFailures >= 3 }) { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The devices' own readings after the return to idle: pumps still, heater off, clamp closed.
    private func verifySafeIdle(_ runtime: CircuitRuntime) async -> (passed: Bool, detail: String) {
        // A fresh round of polls after the last command.
        let since = ContinuousClock.now
        let deadline = since + .seconds(2)
        var problems: [String] = []
        while ContinuousClock.now < deadline {
            let snapshot = runtime.snapshot
            let fresh = snapshot.samples.values.allSatisfy { ($0.sampledAt.map { $0 > since } ?? false) || $0.lastError != nil }
            problems = []
            for (role, sample) in snapshot.samples.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                switch sample.reading {
                case .pump(let r)? where r.isRunning: problems.append("\(role.rawValue) running")
                case .linePump(let s)? where s.isRunning: problems.append("\(role.rawValue) running")
                case .heater(let r)? where !r.isOff: problems.append("heater not off")
                case .airDetector(let r)? where r.clampPosition != .closed: problems.append("return clamp \(r.clampPosition)")
                default: break
                }
                // An actuator that does not answer cannot be confirmed safe (its watchdog will make it so).
                if sample.lastError != nil && Self.isActuator(role) { problems.append("\(role.rawValue) not answering") }
            }
            if fresh && problems.isEmpty { return (true, "pumps stopped, heater off, return clamp closed") }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return (false, problems.isEmpty ? "no fresh reading of every device" : problems.joined(separator: ", "))
    }

    private static func isActuator(_ role: CircuitRole) -> Bool {
        role.isPump || role == .plasmaHeater || role == .airDetector
    }

    /// When the runtime cannot open: each bus tried alone, and the devices an unreachable bus leaves untested.
    private func unreachableBusRows(_ configuration: CircuitConfiguration, _ endpoints: [String: BusEndpoint]) async -> [Row] {
        var rows: [Row] = []
        for bus in configuration.buses {
            let endpoint = endpoints[bus.name]!
            let failure = await BusProbe.failure(of: bus, at: endpoint)
            rows.append(Row(check: "busOpens(\(bus.name))", passed: failure == nil, detail: failure ?? endpoint.text))
            if failure != nil {
                for device in configuration.devices where device.bus == bus.name {
                    rows.append(Row(check: "devicePresent(\(device.role.rawValue))", passed: false,
                                    detail: "not reachable: bus \(bus.name) (\(endpoint.text)) cannot be opened"))
                }
            }
        }
        return rows
    }

    private func report(_ rows: [Row], configuration: CircuitConfiguration, finalState: String) {
        let failed = rows.filter { !$0.passed }.count
        if json {
            let checks = rows.map { "{\"check\":\"\(jsonEscaped($0.check))\",\"passed\":\($0.passed),\"detail\":\"\(jsonEscaped($0.detail))\"}" }
            Terminal.line("{\"circuit\":\"\(jsonEscaped(configuration.name))\",\"passed\":\(failed == 0 && !rows.isEmpty),"
                + "\"checks\":[\(checks.joined(separator: ","))],\"failed\":\(failed),\"final_state\":\"\(jsonEscaped(finalState))\"}")
            return
        }
        let width = max(5, rows.map(\.check.count).max() ?? 0)
        Terminal.line("CHECK".padding(toLength: width, withPad: " ", startingAt: 0) + "  RESULT  DETAIL")
        for row in rows {
            Terminal.line(row.check.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + (row.passed ? "pass  " : "FAIL  ")
                + "  " + row.detail)
        }
        Terminal.line(failed == 0 ? "self-test passed: \(rows.count) of \(rows.count) checks" : "self-test FAILED: \(failed) of \(rows.count) checks failed")
        Terminal.line("circuit left \(finalState)")
    }
}
