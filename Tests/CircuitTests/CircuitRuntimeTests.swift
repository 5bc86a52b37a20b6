import Circuit
import CircuitConfiguration
import Drivers
import HardwareInterfaces
import Simulator
import Testing

/// The circuit runtime against the simulated bal circuit, over real ptys.
final class SimulatedBal {
    let configuration: CircuitConfiguration
    let simulator: CircuitSimulator

    init() throws {
        configuration = try CircuitConfigurationLoader.preset("bal")
        simulator = try CircuitSimulator(layout: SimulatedCircuitLayout(configuration: configuration))
        try simulator.start()
    }

    /// Where the runtime finds each bus: the simulator's stable paths.
    var endpoints: [String: BusEndpoint] {
        Dictionary(uniqueKeysWithValues: simulator.manifest.buses.map { ($0.name, BusEndpoint.serial(path: $0.endpoint)) })
    }

    deinit { simulator.stop() }
}

@Suite(.serialized) struct CircuitRuntimeTests {
    /// Waits (bounded) until `condition` holds on the runtime's snapshot.
    func waitFor(_ runtime: CircuitRuntime, within: Duration = .seconds(3), _ condition: (CircuitSnapshot) -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + within
        while ContinuousClock.now < deadline {
            if condition(runtime.snapshot) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    @Test func everyRoleIsPolledAndIdentified() async throws {
        let bal = try SimulatedBal()
        let runtime = try await CircuitRuntime(configuration: bal.configuration, endpoints: bal.endpoints)
        let identities = await runtime.identifyAll()
        for role in bal.configuration.roles {
            if case .failure(let e) = identities[role]! { Issue.record("\(role): \(e)") }
        }
        runtime.start { _ in }
        let allRead = try await waitFor(runtime) { snap in bal.configuration.roles.allSatisfy { snap[$0]?.reading != nil } }
        #expect(allRead)
        if case .pressure(let venous)? = runtime.snapshot[.venousPressure]?.reading {
            #expect(abs(venous.pressure.millimetersOfMercury - 15) < 3)  // at rest: the return sink
        } else {
            Issue.record("venous pressure has no pressure reading")
        }
        await runtime.stop()
    }

    @Test func aPumpRunsWhileTheRuntimeFeedsItsWatchdogAndStopsOnCommand() async throws {
        let bal = try SimulatedBal()
        let runtime = try await CircuitRuntime(configuration: bal.configuration, endpoints: bal.endpoints)
        runtime.start { _ in }
        let run = await runtime.perform(.runPump(.bloodPump, .mLPerMinute(150)))
        #expect((try? run.get()) != nil, "\(run)")
        // 150 mL/min at 8 mL/rev = 18.75 rpm; the pump reports what the tachometer sees.
        let running = try await waitFor(runtime) { snap in
            if case .pump(let p)? = snap[.bloodPump]?.reading { return abs(p.actualFlow.millilitersPerMinute - 150) < 2 }
            return false
        }
        #expect(running)
        // Well past the 500 ms watchdog: still running, because the runtime's heartbeats feed it.
        try await Task.sleep(for: .milliseconds(1200))
        if case .pump(let p)? = runtime.snapshot[.bloodPump]?.reading {
            #expect(p.isRunning)
            #expect(!p.status.contains(.watchdogExpired))
        }
        // Physics: the running blood pump raises venous pressure.
        if case .pressure(let v)? = runtime.snapshot[.venousPressure]?.reading {
            #expect(v.pressure.millimetersOfMercury > 100)
        }
        let stop = await runtime.perform(.stopPump(.bloodPump))
        #expect((try? stop.get()) != nil)
        let stopped = try await waitFor(runtime) { snap in
            if case .pump(let p)? = snap[.bloodPump]?.reading { return !p.isRunning && p.actualSpeed.revolutionsPerMinute == 0 }
            return false
        }
        #expect(stopped)
        await runtime.stop()
    }

    @Test func aSilentDeviceIsCountedAndReportedNotHidden() async throws {
        let bal = try SimulatedBal()
        let runtime = try await CircuitRuntime(configuration: bal.configuration, endpoints: bal.endpoints)
        try bal.simulator.inject(.silent, role: "venousPressure")
        runtime.start { _ in }
        let failing = try await waitFor(runtime) { ($0[.venousPressure]?.consecutiveFailures ?? 0) >= 3 }
        #expect(failing)
        #expect(runtime.snapshot[.venousPressure]?.lastError?.kind == .timeout)
        // The other roles on the same bus keep being read.
        let arterialFresh = try await waitFor(runtime) { $0[.arterialPressure]?.reading != nil }
        #expect(arterialFresh)
        await runtime.stop()
    }
}

@Suite struct CircuitLimitTests {
    func supervisor(limits: String) async throws -> Supervisor {
        let text = """
            circuit: t
            buses:
              - {name: blood, port: /dev/null}
            devices:
              - {role: bloodPump, family: peristalticPump, bus: blood, unit: 1}
              - {role: venousPressure, family: pressureSensor, bus: blood, unit: 4}
              - {role: airDetector, family: airDetector, bus: blood, unit: 5}
            limits:
            \(limits)
            """
        let circuit = try CircuitConfigurationLoader.parse(text, file: "t.yaml")
        let bal = try SimulatedBal()
        let runtime = try await CircuitRuntime(configuration: circuit, endpoints: ["blood": bal.endpoints["blood"]!])
        defer { Task { await runtime.stop() } }
        return try Supervisor(runtime: runtime)
    }

    @Test func tighterLimitsAreTakenLooserOnesRefusedWithFileLineAndBound() async throws {
        _ = try await supervisor(limits: "  venousPressureHigh: 250")
        do {
            _ = try await supervisor(limits: "  venousPressureHigh: 500")
            Issue.record("a limit past its hard bound must be refused")
        } catch {
            #expect("\(error)".contains("t.yaml:9:3"))
            #expect("\(error)".contains("450"))
        }
        do {
            _ = try await supervisor(limits: "  venousPresureHigh: 250")
            Issue.record("an unknown limit must be refused")
        } catch {
            #expect("\(error)".contains("'venousPresureHigh' is not a limit"))
        }
    }
}
