import Circuit
import CircuitConfiguration
import Foundation
import HardwareInterfaces
import Interlock
import Simulator

/// How a row's circuit is set up: the limits tightened for it, where the plasma starts,
/// and control lines sent before the self-test (the circuit's surroundings).
struct RigSetup: Sendable {
    var tightening: @Sendable (inout InterlockLimits) -> Void
    var plasmaTemperature = 37.0
    var prepare: [String] = []
}

/// The simulated `bal` circuit (wire time emulated at the preset's baud rates) under
/// the real stack (CircuitRuntime + Supervisor, no journal, the row's limits), driven
/// into treatment as the demo does. Records when each safety command's acknowledgement
/// and each alarm reached the supervisor's event stream.
final class ReactionRig: @unchecked Sendable {
    let simulator: CircuitSimulator
    let runtime: CircuitRuntime
    let supervisor: Supervisor
    /// The instant the supervisor's clock starts from (taken just before it was built, so
    /// at most microseconds early): `trippedAt` seconds are measured from here.
    let supervisorOrigin: ContinuousClock.Instant
    private let lock = NSLock()
    private var safetyAcks: [ContinuousClock.Instant] = []
    private var alarms: [(at: ContinuousClock.Instant, fault: ActiveFault)] = []
    private var eventTask: Task<Void, Never>?

    private init(simulator: CircuitSimulator, runtime: CircuitRuntime, supervisor: Supervisor, origin: ContinuousClock.Instant) {
        self.simulator = simulator
        self.runtime = runtime
        self.supervisor = supervisor
        self.supervisorOrigin = origin
    }

    /// Builds and starts everything; throws a description when a step fails.
    static func start(_ setup: RigSetup) async throws -> ReactionRig {
        let configuration = try CircuitConfigurationLoader.preset("bal")
        var options = CircuitSimulator.Options()
        options.emulatesWireTime = true
        options.initialPlasmaTemperature = setup.plasmaTemperature
        let simulator = try CircuitSimulator(layout: SimulatedCircuitLayout(configuration: configuration), options: options)
        try simulator.start()
        let endpoints = Dictionary(uniqueKeysWithValues: simulator.manifest.buses.map { ($0.name, BusEndpoint.serial(path: $0.endpoint)) })
        let runtime: CircuitRuntime
        let supervisor: Supervisor
        let origin: ContinuousClock.Instant
        do {
            runtime = try await CircuitRuntime(configuration: configuration, endpoints: endpoints)
            origin = ContinuousClock.now
            supervisor = try Supervisor(runtime: runtime, journal: nil, tightening: setup.tightening)
        } catch {
            simulator.stop()
            throw error
        }
        let rig = ReactionRig(simulator: simulator, runtime: runtime, supervisor: supervisor, origin: origin)
        let events = await supervisor.events()
        rig.eventTask = Task { [weak rig] in
            for await event in events {
                let at = ContinuousClock.now
                guard let rig else { return }
                switch event {
                case .actuatorCommanded(let command, .success, _) where command.isSafetyCommand:
                    rig.lock.withLock { rig.safetyAcks.append(at) }
                case .alarmRaised(let fault):
                    rig.lock.withLock { rig.alarms.append((at, fault)) }
                default:
                    break
                }
            }
        }
        await supervisor.start()
        do {
            for line in setup.prepare { try rig.control(line) }
            try? await Task.sleep(for: .milliseconds(600))  // first samples of every role
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

    /// One line of the simulator's control interface, run in process (the same dispatch
    /// as the control socket, without the socket's latency in the measurement).
    func control(_ line: String) throws {
        let reply = try simulator.perform(ControlCommand.parse(line))
        guard reply.hasPrefix("{\"ok\":true") else { throw BenchFailure("'\(line)': \(reply)") }
    }

    /// The last safety-command acknowledgement received in `from...to`.
    func lastSafetyAck(from: ContinuousClock.Instant, to: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        lock.withLock { safetyAcks.filter { $0 >= from && $0 <= to }.max() }
    }

    /// How many alarms have been reported so far.
    var alarmCount: Int { lock.withLock { alarms.count } }

    /// The first alarm reported after the first `mark` ones that `matches`.
    func alarm(after mark: Int, _ matches: (ActiveFault) -> Bool) -> (at: ContinuousClock.Instant, fault: ActiveFault)? {
        lock.withLock { alarms.dropFirst(mark).first { matches($0.fault) } }
    }

    /// The instant of a fault's `trippedAt` on the continuous clock.
    func instant(ofSupervisorTime seconds: Double) -> ContinuousClock.Instant {
        supervisorOrigin + .nanoseconds(Int64((seconds * 1e9).rounded()))
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
