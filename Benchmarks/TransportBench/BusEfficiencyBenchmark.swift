import BusRuntime
import Circuit
import CircuitConfiguration
import FirmwareProtocols
import Serial
import Foundation

/// `hepabus-bench bus-efficiency`: the supervised `bal` circuit in treatment at its
/// nominal poll rates (wire time emulated) for S seconds; per Modbus bus, achieved
/// transactions/s from the poll schedulers' run counts, the wire time those frames take
/// at 115200 8E1, and so how busy the line is and how much of the nominal schedule ran.
enum BusEfficiencyBenchmark {
    /// Registers each driver reads in one grouped read (as in Sources/Drivers).
    static func readRegisters(family: DeviceFamily) -> [RegisterDefinition]? {
        switch family {
        case .peristalticPump:
            [PeristalticPumpProtocol.status, PeristalticPumpProtocol.actualSpeed,
             PeristalticPumpProtocol.actualFlow, PeristalticPumpProtocol.deliveredVolume]
        case .pressureSensor: [PressureSensorProtocol.pressure, PressureSensorProtocol.status]
        case .airDetector: [AirDetectorProtocol.status, AirDetectorProtocol.airEventCount, AirDetectorProtocol.lastBubbleVolume]
        case .temperatureSensor: [TemperatureSensorProtocol.probeA, TemperatureSensorProtocol.probeB, TemperatureSensorProtocol.status]
        case .heater: [HeaterProtocol.status, HeaterProtocol.outputPower, HeaterProtocol.elementTemperature, HeaterProtocol.outletTemperature]
        case .bloodLeakDetector: [BloodLeakDetectorProtocol.haemoglobin, BloodLeakDetectorProtocol.status]
        case .asciiPump: nil  // a line-protocol bus: no Modbus frames
        }
    }

    /// Characters on the wire for one RTU transaction of `job` (request + reply + 2 × 3.5 gaps).
    static func characters(job: String, configuration: CircuitConfiguration) -> Double? {
        let role = job.replacingOccurrences(of: " heartbeat", with: "")
        guard let device = configuration.devices.first(where: { $0.role.rawValue == role }),
              configuration.bus(named: device.bus)?.protocolKind == .modbusRTU else { return nil }
        if job.hasSuffix(" heartbeat") { return 8 + 8 + 7 }  // FC06 request and echo
        guard let device = configuration.devices.first(where: { $0.role.rawValue == job }),
              let family = device.deviceFamily, let registers = readRegisters(family: family), !registers.isEmpty else { return nil }
        let start = registers.map { Int($0.address) }.min()!
        let end = registers.map { Int($0.address) + $0.width }.max()!
        return 8 + Double(5 + 2 * (end - start)) + 7  // FC03/04 request, reply with byte count
    }

    /// The circuit under measurement: its runtime and supervisor, treating.
    struct Subject {
        let runtime: CircuitRuntime
        let supervisor: Supervisor
        let stop: () async -> Void
    }

    /// Saturated: every signal polled as fast as the scheduler allows (10 ms), so the line,
    /// not the schedule, limits the rate; the simulator runs in a child process so that its
    /// servers do not compete with the stack for this process's time.
    static func saturatedSubject(hepabus: String) async throws -> Subject {
        let directory = NSTemporaryDirectory() + "hepabus-saturated-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let (simulator, endpoints) = try SoakBenchmark.startSimulator(hepabus: hepabus, directory: directory)
        func cleanUp() {
            simulator.terminate()
            simulator.waitUntilExit()
            try? FileManager.default.removeItem(atPath: directory)
        }
        do {
            var configuration = try CircuitConfigurationLoader.preset("bal")
            for signal in configuration.pollPeriods.keys { configuration.pollPeriods[signal] = .milliseconds(10) }
            let runtime = try await CircuitRuntime(configuration: configuration, endpoints: endpoints)
            let supervisor = try Supervisor(runtime: runtime)
            await supervisor.start()
            try? await Task.sleep(for: .milliseconds(600))
            try await SoakBenchmark.enterTreatment(supervisor)
            return Subject(runtime: runtime, supervisor: supervisor) {
                await supervisor.stop()
                cleanUp()
            }
        } catch {
            cleanUp()
            throw error
        }
    }

    static func run(seconds: Int, saturated: Bool, hepabus: String) async -> (table: String, json: JSON, ok: Bool) {
        let subject: Subject
        do {
            if saturated {
                subject = try await saturatedSubject(hepabus: hepabus)
            } else {
                let rig = try await ReactionRig.start(RigSetup(tightening: { _ in }))  // SAFETY.md's limits
                subject = Subject(runtime: rig.runtime, supervisor: rig.supervisor) { await rig.stop() }
            }
        } catch {
            let json = JSON.object([("benchmark", .string("bus-efficiency")), ("error", .string("\(error)"))])
            return ("cannot start the circuit: \(error)", json, false)
        }
        let configuration = subject.runtime.configuration
        let before = subject.runtime.pollReports
        let t0 = ContinuousClock.now
        try? await Task.sleep(for: .seconds(seconds))
        let after = subject.runtime.pollReports
        let wall = reactionMs(t0.duration(to: .now)) / 1000
        let faults = await subject.supervisor.activeFaults.map { "\($0.requirement) \($0.condition)" }
        await subject.stop()

        var lines = ["bus      baud  tx/s   wire_ms/tx  line_util  scheduled_tx/s  schedule_met  max_tx/s_for_mix  failures"]
        var buses: [JSON] = []
        for bus in configuration.buses {
            guard let jobs = after[bus.name] else { continue }
            let settings = bus.settings
            let baud = Int(settings.baudRate.rawValue)
            let bitsPerChar = 1.0 + Double(settings.dataBits.rawValue) + (settings.parity == .none ? 0 : 1) + Double(settings.stopBits.rawValue)
            let charSeconds = bitsPerChar / Double(baud)
            var runs = 0, failures = 0, scheduled = 0.0, busy = 0.0
            var modelled = true
            for job in jobs {
                let previous = before[bus.name]?.first { $0.name == job.name }
                let n = job.runs - (previous?.runs ?? 0)
                runs += n
                failures += job.failures - (previous?.failures ?? 0)
                let role = job.name.replacingOccurrences(of: " heartbeat", with: "")
                let period = job.name.hasSuffix(" heartbeat") ? CircuitRuntime.heartbeatPeriod
                    : configuration.pollPeriods[configuration.devices.first { $0.role.rawValue == role }?.role.signalClass ?? .pump] ?? .milliseconds(100)
                scheduled += 1000 / reactionMs(period)
                if let chars = characters(job: job.name, configuration: configuration) {
                    busy += Double(n) * chars * charSeconds
                } else {
                    modelled = false
                }
            }
            let txPerSecond = Double(runs) / wall
            let util: Double? = modelled ? busy / wall : nil
            let meanWire: Double? = modelled && runs > 0 ? busy / Double(runs) : nil
            let maxRate = meanWire.map { 1 / $0 }
            func f(_ v: Double?, _ fmt: String) -> String { v.map { String(format: fmt, $0) } ?? "-" }
            lines.append(String(format: "%-8@ %6d %6.1f ", bus.name, baud, txPerSecond)
                         + "\(f(meanWire.map { $0 * 1000 }, "%10.2f"))  \(f(util.map { $0 * 100 }, "%7.1f %%"))  "
                         + String(format: "%14.1f  %11.1f %%  ", scheduled, txPerSecond / scheduled * 100)
                         + "\(f(maxRate, "%16.0f"))  \(failures)")
            func num(_ v: Double?, _ d: Int = 2) -> JSON { v.map { .number($0, decimals: d) } ?? .null }
            buses.append(.object([
                ("bus", .string(bus.name)), ("baud", .int(baud)), ("bits_per_char", num(bitsPerChar, 0)),
                ("transactions", .int(runs)), ("failures", .int(failures)),
                ("achieved_tx_per_s", num(txPerSecond, 1)),
                ("scheduled_tx_per_s", num(scheduled, 1)),
                ("schedule_met_fraction", num(txPerSecond / scheduled, 3)),
                ("mean_wire_ms_per_tx", num(meanWire.map { $0 * 1000 }, 3)),
                ("max_tx_per_s_for_this_mix", num(maxRate, 0)),
                ("line_utilisation", num(util, 3)),
                ("efficiency", num(util, 3)),
                ("efficiency_target", saturated ? .number(0.9, decimals: 2) : .null),
                ("efficiency_within_target", saturated ? util.map { .bool($0 >= 0.9) } ?? .null : .null),
                ("jobs", .array(jobs.map { job in
                    let previous = before[bus.name]?.first { $0.name == job.name }
                    return .object([("name", .string(job.name)), ("runs", .int(job.runs - (previous?.runs ?? 0))),
                                    ("wire_chars", num(characters(job: job.name, configuration: configuration), 1)),
                                    ("worst_lateness_ms", num(reactionMs(job.worstLateness), 2))])
                })),
            ]))
        }
        let json = JSON.object([
            ("benchmark", .string("bus-efficiency")), ("circuit", .string("bal")),
            ("mode", .string(saturated ? "saturated" : "nominal")),
            ("seconds", .number(wall, decimals: 2)), ("buses", .array(buses)),
            ("active_faults_at_end", .array(faults.map { .string($0) })),
            ("notes", .string((saturated ? """
                SATURATED: every poll period set to 10 ms (the scheduler's minimum), so the line limits the \
                rate and efficiency = achieved transactions x their wire time / wall time is the share of the \
                theoretical maximum for this frame mix that the stack achieves (target 0.9); the simulator runs \
                in a child process (hepabus simulate --wire-time). \

                """ : "") + """
                Treating at blood 150, plasma 30, recirculation 200 mL/min with the preset's nominal poll \
                periods and SAFETY.md persistence, wire time emulated by the simulator. achieved_tx_per_s = \
                poll-scheduler runs (reads and heartbeats) over the window / wall time; actuator commands \
                outside the poll plan are not counted (none in steady state). Wire time per transaction = \
                (request + reply bytes + 2 x 3.5 character gaps) x bits per character / baud, with reads sized \
                from the drivers' grouped spans (FC03/04: 8 + 5 + 2N bytes) and heartbeats FC06 (8 + 8). \
                efficiency = line_utilisation = modelled wire time / wall time: low because the schedule \
                is nominal, not saturated; max_tx_per_s_for_this_mix is 1 / mean wire time (a saturated line \
                with zero host turnaround). schedule_met_fraction = achieved / nominal scheduled rate. The \
                heparin bus is an ASCII line protocol whose frames are not modelled (null).
                """)),
        ])
        return (lines.joined(separator: "\n"), json, true)
    }
}

/// `bus-efficiency` subcommand.
func runBusEfficiency(_ args: ArraySlice<String>) async -> Int32 {
    var seconds = 10
    var jsonOnly = false
    var saturated = false
    var hepabus = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("hepabus").path
    var rest = args
    while let arg = rest.popFirst() {
        switch arg {
        case "--seconds": seconds = positiveInt(rest.popFirst(), "--seconds")
        case "--json": jsonOnly = true
        case "--saturated": saturated = true
        case "--hepabus":
            guard let path = rest.popFirst() else { usageError("--hepabus needs a path") }
            hepabus = path
        default: usageError("unknown option \(arg)")
        }
    }
    if saturated, !FileManager.default.isExecutableFile(atPath: hepabus) {
        usageError("no hepabus executable at \(hepabus): build it (swift build -c release --product hepabus) or pass --hepabus PATH")
    }
    let report = await BusEfficiencyBenchmark.run(seconds: seconds, saturated: saturated, hepabus: hepabus)
    if !jsonOnly { print(report.table + "\n") }
    print(report.json.encoded)
    fflush(nil)
    return report.ok ? 0 : 1
}
