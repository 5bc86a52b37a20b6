import ArgumentParser
import Circuit
import CircuitConfiguration
import Foundation
import Interlock
import Serial
import Synchronization

/// `hepabus monitor`: every role of a circuit, live, judged by the interlock's rules,
/// without writing anything to any device.
struct MonitorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Watch every role of a circuit live: value, age, limits, alarm state (read-only).",
        discussion: """
            Polls every device at the circuit's poll rates and never writes to any device: no
            commands, no watchdog heartbeats (an actuator left running stops when its watchdog
            lapses). Each role is judged by the interlock's own rules as during --phase (limits
            from the circuit file, persistence, latching); a monitor commands nothing, so it does not
            judge tachometers against commands (SR-12), the blood pump's stop time (SR-14) or the
            self-test (SR-18). Serial ports are opened exclusively, like any other user of the line.
            On a terminal the panel refreshes in place; otherwise one block of lines (or, with
            --json, one JSON object) per refresh. Ctrl-C ends it.
            """)

    @OptionGroup var circuitOptions: CircuitOptions

    @Flag(help: "One JSON object per refresh.")
    var json = false

    @Option(help: "Stop after this many refreshes (default: until interrupted).")
    var count: Int?

    @Option(help: "Refresh period, ms (100-60000).")
    var interval: Int = 500

    @Option(help: "Judge alarms as during this treatment phase: selfTest, priming, ready, treating, paused, ending.")
    var phase: PhaseArgument = .treating

    func validate() throws {
        if let count, !(1...1_000_000).contains(count) { throw ValidationError("--count \(count) is out of range 1-1000000") }
        guard (100...60_000).contains(interval) else { throw ValidationError("--interval \(interval) is out of range 100-60000 ms") }
        _ = try circuitOptions.endpoints(for: try circuitOptions.configuration())
    }

    func run() async throws {
        let configuration = try circuitOptions.configuration()
        let given = try circuitOptions.endpoints(for: configuration)
        let endpoints = Dictionary(uniqueKeysWithValues: configuration.buses.map { ($0.name, configuration.endpoint(of: $0, in: given)) })
        var observer: CircuitObserver
        do {
            observer = try CircuitObserver(circuit: configuration, phase: phase.phase)
        } catch {
            throw CommandFailure.usage("--circuit \(circuitOptions.circuit): \(error)")
        }
        let (runtime, unreachable) = try await openReachableBuses(configuration, endpoints)
        InterruptFlag.install()
        // Samples arrive on the bus threads; the loop below hands them to the observer in order.
        let arrived = Mutex<[RoleSample]>([])
        runtime.start(feedingWatchdogs: false) { sample in arrived.withLock { $0.append(sample) } }
        let view = MonitorView(live: !json && Terminal.stdoutIsTerminal)
        var refreshes = 0
        var nextRefresh = ContinuousClock.now + .milliseconds(interval)
        while !InterruptFlag.isRaised {
            try? await Task.sleep(for: .milliseconds(20))
            for sample in arrived.withLock({ list in defer { list.removeAll() }; return list }) { observer.observe(sample) }
            observer.tick()
            guard ContinuousClock.now >= nextRefresh else { continue }
            nextRefresh += .milliseconds(interval)
            let now = ContinuousClock.now
            let snapshot = runtime.snapshot
            let rows = configuration.devices.map { device in
                var row = RoleDisplay(sample: snapshot[device.role], device: device, at: now, observer: observer)
                if let problem = unreachable[device.bus] { row.error = "bus \(device.bus) cannot be opened: \(problem)" }
                return row
            }
            if json {
                view.json(rows, circuit: configuration.name, phase: phase.phase)
            } else {
                view.render(rows, circuit: configuration.name, phase: phase.phase)
            }
            refreshes += 1
            if let count, refreshes >= count { break }
        }
        await runtime.stop()
    }
}

extension MonitorCommand {
    /// The runtime over every bus that opens. A bus that does not (unplugged, wrong path)
    /// leaves its devices shown with the reason and no reading (the interlock's rules then
    /// call their data stale), so the rest of the circuit can still be watched. A port
    /// another process holds ends the command: two users of one line are never right.
    func openReachableBuses(_ configuration: CircuitConfiguration, _ endpoints: [String: BusEndpoint]) async throws
        -> (CircuitRuntime, unreachable: [String: String]) {
        func busy(_ error: any Error) -> CommandFailure? {
            guard let path = ExclusiveAccess.busyPath(error) else { return nil }
            return .device("cannot monitor: \(path) is in use by another process, "
                + (PortHolder.describe(path) ?? "which the kernel's lock table does not name"))
        }
        do {
            return (try await CircuitRuntime(configuration: configuration, endpoints: endpoints, logger: LogSetup.busLogger), [:])
        } catch {
            if let refusal = busy(error) { throw refusal }
        }
        var unreachable: [String: String] = [:]
        for bus in configuration.buses {
            if let problem = await BusProbe.failure(of: bus, at: endpoints[bus.name]!) { unreachable[bus.name] = problem }
        }
        var reachable = configuration
        reachable.buses.removeAll { unreachable[$0.name] != nil }
        reachable.devices.removeAll { unreachable[$0.bus] != nil }
        guard !reachable.buses.isEmpty else {
            throw CommandFailure.device("cannot monitor circuit '\(configuration.name)': no bus opens ("
                + unreachable.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ") + ")")
        }
        for (bus, problem) in unreachable.sorted(by: { $0.key < $1.key }) {
            Terminal.writeStderr("hepabus: bus \(bus) cannot be opened (\(problem)); its devices are shown without readings\n")
        }
        do {
            return (try await CircuitRuntime(configuration: reachable, endpoints: endpoints, logger: LogSetup.busLogger), unreachable)
        } catch {
            throw busy(error) ?? CommandFailure.device("cannot open the circuit '\(configuration.name)': \(error)")
        }
    }
}

/// `--phase`.
enum PhaseArgument: String, ExpressibleByArgument, CaseIterable {
    case selfTest, priming, ready, treating, paused, ending

    var phase: TreatmentPhase {
        switch self {
        case .selfTest: .selfTest
        case .priming: .priming
        case .ready: .ready
        case .treating: .treating
        case .paused: .paused
        case .ending: .ending
        }
    }
}
