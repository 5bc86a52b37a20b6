import Circuit
import CircuitConfiguration
import Foundation
import HardwareInterfaces
import Interlock
import Simulator

/// The simulated `bal` circuit (wire time emulated at the preset's baud rates) under
/// the real stack (CircuitRuntime + Supervisor, no journal, every persistence zero),
/// driven into treatment as the demo does.
final class ReactionRig: @unchecked Sendable {
    let simulator: CircuitSimulator
    let runtime: CircuitRuntime
    let supervisor: Supervisor
    /// Receipt instants of successful safety-command acknowledgements (event stream).
    private let lock = NSLock()
    private var safetyAcks: [ContinuousClock.Instant] = []
    private var eventTask: Task<Void, Never>?

    private init(simulator: CircuitSimulator, runtime: CircuitRuntime, supervisor: Supervisor) {
        self.simulator = simulator
        self.runtime = runtime
        self.supervisor = supervisor
    }

    /// Builds and starts everything; throws a description when a step fails.
    static func start(persistenceZero: Bool = true) async throws -> ReactionRig {
        let configuration = try CircuitConfigurationLoader.preset("bal")
        var options = CircuitSimulator.Options()
        options.emulatesWireTime = true
        let simulator = try CircuitSimulator(layout: SimulatedCircuitLayout(configuration: configuration), options: options)
        try simulator.start()
        let endpoints = Dictionary(uniqueKeysWithValues: simulator.manifest.buses.map { ($0.name, BusEndpoint.serial(path: $0.endpoint)) })
        let runtime: CircuitRuntime
        let supervisor: Supervisor
        do {
            runtime = try await CircuitRuntime(configuration: configuration, endpoints: endpoints)
            // Zero persistence only for the measured rows (SR-1 and SR-13 have none anyway):
            // `persistence = .zero` for every row makes SR-12 trip on the blood pump's
            // spin-up in priming (the tachometer lags the command), so nothing can be treated.
            let zero: @Sendable (inout InterlockLimits) -> Void = {
                $0.persistence.venousPressureHigh = 0
                $0.persistence.arterialPressureLow = 0
                $0.persistence.bloodLeak = 0
            }
            supervisor = try Supervisor(runtime: runtime, journal: nil, tightening: persistenceZero ? zero : nil)
        } catch {
            simulator.stop()
            throw error
        }
        let rig = ReactionRig(simulator: simulator, runtime: runtime, supervisor: supervisor)
        let events = await supervisor.events()
        rig.eventTask = Task { [weak rig] in
            for await event in events {
                if case .actuatorCommanded(let command, .success, _) = event, command.isSafetyCommand {
                    let at = ContinuousClock.now
                    guard let rig else { return }
                    rig.lock.withLock { rig.safetyAcks.append(at) }
                }
            }
        }
        await supervisor.start()
        try? await Task.sleep(for: .milliseconds(600))  // first samples of every role
        do {
            try await rig.enterTreatment()
        } catch {
            await rig.stop()
            throw error
        }
        return rig
    }

    func stop() async {
        await supervisor.stop()
        eventTask?.cancel()
        simulator.stop()
    }

    /// The last safety-command acknowledgement received in `from...to`.
    func lastSafetyAck(from: ContinuousClock.Instant, to: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        lock.withLock { safetyAcks.filter { $0 >= from && $0 <= to }.max() }
    }

    func pumpFlow(_ role: CircuitRole) -> Double? {
        if case .pump(let p)? = runtime.snapshot[role]?.reading { return p.actualFlow.millilitersPerMinute }
        return nil
    }

    /// Polls `condition` every 2 ms until true or `within` has passed.
    static func waitFor(within: Duration, _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + within
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return await condition()
    }

    private func require(_ result: CommandResult, _ what: String) throws {
        guard result.isAccepted else { throw BenchFailure("\(what) refused: \(result)") }
    }

    /// Self-test, priming, treating at blood 150, plasma 30, recirculation 200 mL/min.
    private func enterTreatment() async throws {
        let selfTest = await supervisor.runSelfTest()
        guard selfTest.passed else {
            throw BenchFailure("self-test failed: " + selfTest.checks.filter { !$0.passed }.map(\.description).joined(separator: "; "))
        }
        try require(await supervisor.perform(.startPriming), "startPriming")
        try require(await supervisor.perform(.setFlow(.blood, .mLPerMinute(100))), "setFlow blood 100")
        guard await Self.waitFor(within: .seconds(3), { abs((pumpFlow(.bloodPump) ?? 0) - 100) < 3 }) else {
            throw BenchFailure("priming: blood pump not at 100 mL/min within 3 s (at \(pumpFlow(.bloodPump).map { String(format: "%.0f", $0) } ?? "?"), lifecycle \(await supervisor.lifecycle), faults \(await supervisor.activeFaults.map { "\($0.requirement) \($0.condition)" }))")
        }
        try require(await supervisor.perform(.finishPriming), "finishPriming")
        try require(await supervisor.perform(.startTreatment), "startTreatment")
        try require(await supervisor.perform(.setFlow(.blood, .mLPerMinute(150))), "setFlow blood 150")
        try require(await supervisor.perform(.setFlow(.plasma, .mLPerMinute(30))), "setFlow plasma 30")
        try require(await supervisor.perform(.setFlow(.recirculation, .mLPerMinute(200))), "setFlow recirculation 200")
        guard await waitNominal(within: .seconds(4)) else {
            throw BenchFailure("treating: flows not nominal / alarm active within 4 s (\(await supervisor.lifecycle), faults \(await supervisor.activeFaults))")
        }
    }

    /// Treating, no active fault, blood and plasma pumps at their set flows.
    func waitNominal(within: Duration) async -> Bool {
        await Self.waitFor(within: within) {
            let lifecycle = await supervisor.lifecycle
            let faults = await supervisor.activeFaults
            return lifecycle == .treating && faults.isEmpty
                && abs((pumpFlow(.bloodPump) ?? 0) - 150) < 3 && abs((pumpFlow(.plasmaPump) ?? 0) - 30) < 2
        }
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
