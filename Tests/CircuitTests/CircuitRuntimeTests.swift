import Circuit
import BusRuntime
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

    /// Stopped, and its /tmp run directory removed: a test run leaves nothing behind.
    deinit { try? simulator.removeRunDirectory() }
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

    @Test func aLimitThatBreaksARelationIsTheOneNamed() async throws {
        // A venous high limit below the (untouched) low limit: the error is about the high limit.
        do {
            _ = try await supervisor(limits: "  venousPressureHigh: 5")
            Issue.record("a high limit below the low limit must be refused")
        } catch {
            let text = "\(error)"
            #expect(text.contains("t.yaml:9:3") && text.contains("SR-2 venous pressure high limit: 5 mmHg makes no sense"), "\(text)")
            #expect(text.contains("conflicts with the SR-3 venous pressure low limit 10 mmHg"), "\(text)")
        }
        // The low limit set above the high one is still the low limit's error.
        do {
            _ = try await supervisor(limits: "  venousPressureLow: 350")
            Issue.record("a low limit above the high limit must be refused")
        } catch {
            #expect("\(error)".contains("SR-3 venous pressure low limit: 350 mmHg makes no sense"), "\(error)")
        }
        // The heater's plasma target moved out from between its limits names the target; the high limit moved below it names the high limit.
        do {
            _ = try await supervisor(limits: "  plasmaTemperatureHigh: 36.5")
            Issue.record("a high limit below the target must be refused")
        } catch {
            #expect("\(error)".contains("SR-8 plasma temperature high limit: 36.5 °C makes no sense: conflicts with the plasma temperature target 37 °C"), "\(error)")
        }
    }
}

/// A technician's tubing calibration stored in a pump is kept when plausible for the tubing
/// the circuit file names; an implausible one is overwritten by the file's nominal figure.
@Suite(.serialized) struct TubingCalibrationTests {
    /// Writes `millilitersPerRevolution` into `role`'s pump through its own bus, as `hepabus calibrate` would.
    func store(_ millilitersPerRevolution: Double, in role: CircuitRole, of bal: SimulatedBal) async throws {
        let device = try #require(bal.configuration.device(role))
        let bus = try #require(bal.configuration.bus(named: device.bus))
        let path = try #require(bal.simulator.manifest.buses.first { $0.name == device.bus }?.endpoint)
        let line = try await ModbusBus(endpoint: .rtu(path: path, settings: bus.settings))
        try await PeristalticPumpDriver(device: ModbusDevice(bus: line, unit: device.unit))
            .writeCalibration(TubingCalibration(millilitersPerRevolution: millilitersPerRevolution))
        await line.close()
    }

    @Test func aPlausibleStoredCalibrationIsKeptAndUsedAnImplausibleOneReplaced() async throws {
        let bal = try SimulatedBal()
        try await store(8.6, in: .bloodPump, of: bal)             // nominal 8.0: +7.5 %, a calibration
        try await store(12.0, in: .recirculationPump, of: bal)    // nominal 8.0: +50 %, not this tubing
        let runtime = try await CircuitRuntime(configuration: bal.configuration, endpoints: bal.endpoints)
        #expect(await runtime.configureDevices().isEmpty)
        #expect(runtime.calibration(of: .bloodPump)?.calibration.millilitersPerRevolution == 8.6)
        #expect(runtime.calibration(of: .bloodPump)?.source.contains("stored") == true)
        #expect(runtime.calibration(of: .recirculationPump)?.calibration.millilitersPerRevolution == 8.0)
        #expect(runtime.calibration(of: .recirculationPump)?.source.contains("12.0") == true)

        // Commands use the calibration in force: 150 mL/min at 8.6 mL/rev is 17.44 rpm, not 18.75.
        runtime.start { _ in }
        #expect((try? await runtime.perform(.runPump(.bloodPump, .mLPerMinute(150))).get()) != nil)
        let pump = bal.simulator.device(role: "bloodPump") as? SimulatedPump
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline, abs((pump?.rotorSpeed ?? 0) - 150 / 8.6) > 0.1 {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(abs((pump?.rotorSpeed ?? 0) - 150 / 8.6) < 0.1, "rotor at \(pump?.rotorSpeed ?? .nan) rpm")
        _ = await runtime.perform(.stopPump(.bloodPump))
        await runtime.stop()
    }
}
