import ArgumentParser
import BusRuntime
import Circuit
import CircuitConfiguration
import Drivers
import FirmwareProtocols
import Foundation
import HardwareInterfaces
internal import SystemCalls

/// `hepabus calibrate pump ROLE`: the guided tubing calibration of a peristaltic pump.
struct CalibratePumpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pump",
        abstract: "Calibrate a pump's tubing (mL per revolution) from a measured volume.",
        discussion: """
            Runs the pump forward for --revolutions at --speed (its watchdog fed, the pump stopped at the
            end, on Ctrl-C and on any error), then takes the volume the technician measured: asked for
            on a terminal, read from the first line of standard input otherwise, or given with
            --measured-volume. The new mL/rev is the measured volume divided by the revolutions the
            pump's tachometer counted; it is stored in the pump, read back and checked. A volume that
            cannot be right (outside 0.1-20 mL/rev, or more than 50 % from the tubing's nominal figure:
            the circuit file's tubingMlPerRev, else the pump's present calibration) is refused and
            nothing is stored. The bus is opened exclusively: refused while another process
            (a treatment, the demo, a monitor) holds it.
            """)

    @Argument(help: "The pump's role in the circuit (e.g. bloodPump).")
    var role: String

    @OptionGroup var circuitOptions: CircuitOptions

    @Option(help: "Revolutions to run (1-100).")
    var revolutions: Int = 10

    @Option(help: "Rotor speed during the run, rpm (1-100, and at most the pump's maxSpeed).")
    var speed: Double = 20

    @Option(name: .customLong("measured-volume"), help: "The volume delivered, mL (instead of being asked).")
    var measuredVolume: String?

    @Flag(name: .customLong("allow-unlocked-tcp"), help: "Run over a Modbus TCP bus, which cannot be locked (you checked no treatment uses it).")
    var allowUnlockedTCP = false

    @Flag(help: "Print the result as one JSON object.")
    var json = false

    func validate() throws {
        guard (1...100).contains(revolutions) else { throw ValidationError("--revolutions \(revolutions) is out of range 1-100") }
        guard speed.isFinite, (1...100).contains(speed) else { throw ValidationError("--speed \(speed) is out of range 1-100 rpm") }
        if let measuredVolume {
            let volume: Double
            switch MeasuredVolume.parse(measuredVolume) {
            case .success(let value): volume = value
            case .failure(let refusal): throw ValidationError("--measured-volume \(refusal)")
            }
            // A volume no run of this length could give is refused before the pump turns.
            let perRevolution = volume / Double(revolutions)
            guard MeasuredVolume.storable.contains(perRevolution) else {
                throw ValidationError("--measured-volume \(measuredVolume) mL over --revolutions \(revolutions) is "
                    + "\(String(format: "%.3f", perRevolution)) mL/rev, outside the 0.1-20 mL/rev a pump can hold")
            }
        }
        let configuration = try circuitOptions.configuration()
        _ = try CircuitOptions.role(role, in: configuration, where: Self.isCalibratable, kind: "pump")
        _ = try circuitOptions.endpoints(for: configuration)
    }

    func run() async throws {
        let configuration = try circuitOptions.configuration()
        let device = try CircuitOptions.role(role, in: configuration, where: Self.isCalibratable, kind: "pump")
        let session = try await DeviceSession.open(device, of: configuration, endpoints: try circuitOptions.endpoints(for: configuration),
                                                   allowUnlockedTCP: allowUnlockedTCP, doing: "calibrate \(role)")
        // Ctrl-C during the run stops the pump first (the run checks the flag between transactions).
        InterruptFlag.install()
        do {
            try await calibrate(session)
        } catch {
            await session.close()
            throw error
        }
        await session.close()
    }

    private func calibrate(_ session: DeviceSession) async throws {
        let pump: any CalibratedPump = switch session.link {
        case .modbus(_, let unit): ModbusCalibratedPump(driver: PeristalticPumpDriver(device: unit))
        case .line(let line): LineCalibratedPump(driver: try AsciiPumpDriver(device: line, address: Int(session.device.unit)))
        }
        let place = "\(role) (unit \(session.device.unit) on bus \(session.device.bus), \(session.endpoint.text))"
        func deviceStep<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
            do { return try await body() } catch { throw CommandFailure.device("\(what) of \(place): \(error)") }
        }
        _ = try await deviceStep("identifying") { try await pump.identify() }
        let present = try await deviceStep("reading the tubing calibration") { try await pump.readCalibration() }
        if let maxSpeed = try await deviceStep("reading the maximum speed", { try await pump.readMaxSpeed() }),
           speed > maxSpeed.revolutionsPerMinute {
            throw CommandFailure.usage("--speed \(speed) rpm is above \(role)'s maximum speed \(maxSpeed)")
        }
        // The pump counts revolutions through its delivered volume, in steps: too few revolutions cannot give a figure worth storing.
        let stepRevolutions = pump.volumeStep.milliliters / present.millilitersPerRevolution
        guard stepRevolutions / Double(revolutions) <= Self.coarsestCount else {
            let needed = Int((stepRevolutions / Self.coarsestCount).rounded(.up))
            throw CommandFailure.usage("--revolutions \(revolutions) cannot calibrate \(role) finer than "
                + "±\(String(format: "%.1f", stepRevolutions / Double(revolutions) * 100)) %: it counts its volume in "
                + "\(pump.volumeStep) steps, \(String(format: "%.2f", stepRevolutions)) revolutions of its \(present) tubing; "
                + "use at least \(needed)")
        }
        // The watchdog is the last line of defence if this process or the line dies mid-run.
        let watchdog = try await deviceStep("reading the watchdog timeout") { try await pump.readWatchdogTimeout() }
        guard watchdog > .zero && watchdog <= .seconds(10) else {
            throw CommandFailure.device("\(role)'s host watchdog is not armed (timeout \(watchdog)): refusing to run it unattended by one")
        }
        var state = try await deviceStep("reading the state") { try await pump.readState() }
        guard !state.isRunning else {
            throw CommandFailure.device("\(role) is running (\(state.speed)): calibrate only a stopped pump")
        }
        if !state.faultNames.isEmpty {
            // A latched fault whose cause has gone (a lapsed watchdog) clears with a fault reset; a present cause does not.
            try await deviceStep("resetting latched faults") { try await pump.faultReset() }
            state = try await deviceStep("reading the state") { try await pump.readState() }
            guard state.faultNames.isEmpty else {
                throw CommandFailure.device("\(role) reports \(state.faultNames.joined(separator: ", ")): clear the cause before calibrating")
            }
        }

        let progress = ProgressLine(enabled: Terminal.stderrIsTerminal)
        progress.show("running \(role) \(revolutions) revolutions at \(RotationalSpeed.rpm(speed))")
        let run = TubingCalibrationRun(pump: pump, role: role, revolutions: Double(revolutions), speed: .rpm(speed),
                                       calibration: present, watchdogTimeout: watchdog) { counted in
            progress.show("running \(role): \(TubingCalibrationRun.figure(counted)) of \(revolutions) revolutions")
        }
        let counted: Double
        do {
            counted = try await run.perform()
        } catch {
            progress.finish()
            throw error
        }
        progress.finish()
        Terminal.writeStderr("\(role) turned \(String(format: "%.4f", counted)) revolutions (its tachometer's count) and is stopped\n")
        // From here on the pump is still: Ctrl-C at the prompt simply ends the command.
        ProcessControl.restoreDefaultTermination()

        let nominal = session.device.tubingMillilitersPerRevolution.map { TubingCalibration(millilitersPerRevolution: $0) }
        let (volume, calibration) = try obtainCalibration(revolutions: counted, nominal: nominal ?? present,
                                                          source: nominal == nil ? "the present" : "the circuit's nominal")
        try await deviceStep("writing the tubing calibration") { try await pump.writeCalibration(calibration) }
        let stored = try await deviceStep("reading the tubing calibration back") { try await pump.readCalibration() }
        let expected = (calibration.millilitersPerRevolution * 1000).rounded() / 1000
        guard abs(stored.millilitersPerRevolution - expected) < 0.0005 else {
            throw CommandFailure.device("\(role) reads back \(stored) after \(TubingCalibration(millilitersPerRevolution: expected)) "
                + "was written: calibration NOT verified")
        }
        let change = (stored.millilitersPerRevolution / present.millilitersPerRevolution - 1) * 100
        let fileFigure = session.device.tubingMillilitersPerRevolution
        if json {
            var fields = ["\"role\":\"\(role)\"", "\"revolutions\":\(rounded(counted, 4))", "\"speed_rpm\":\(speed)",
                          "\"measured_volume_ml\":\(volume)", "\"old_ml_per_rev\":\(rounded(present.millilitersPerRevolution, 3))",
                          "\"new_ml_per_rev\":\(rounded(stored.millilitersPerRevolution, 3))",
                          "\"change_percent\":\(rounded(change, 2))", "\"verified\":true", "\"pump_stopped\":true"]
            if let fileFigure { fields.append("\"circuit_file_ml_per_rev\":\(fileFigure)") }
            Terminal.line("{" + fields.joined(separator: ",") + "}")
        } else {
            Terminal.line("\(role): \(MeasuredVolume.figure(volume)) mL over \(TubingCalibrationRun.figure(counted)) revolutions")
            Terminal.line("tubing calibration: \(present) -> \(stored) (\(String(format: "%+.1f", change)) %), stored and read back")
            Terminal.line("pump stopped")
            let uncertainty = stepRevolutions / counted
            if uncertainty > 0.01 {
                Terminal.line("note: \(role) counts its volume in \(pump.volumeStep) steps: this figure is good to about "
                    + "±\(String(format: "%.1f", uncertainty * 100)) %; more revolutions give a finer one")
            }
            if let fileFigure {
                // CircuitRuntime keeps a stored figure within its tolerance of the file's nominal.
                Terminal.line("a treatment uses this calibration: it is within "
                    + "\(Int(CircuitRuntime.calibrationTolerance * 100)) % of the circuit's nominal \(fileFigure) mL/rev")
            }
        }
    }

    /// The measured volume (given, asked on a terminal, or read from standard input) and
    /// the calibration it gives; refused figures are asked again on a terminal only.
    private func obtainCalibration(revolutions counted: Double, nominal: TubingCalibration, source: String) throws -> (Double, TubingCalibration) {
        if let measuredVolume {
            // validate() refused a volume that does not parse; checked again rather than trusted.
            let volume: Double
            switch MeasuredVolume.parse(measuredVolume) {
            case .success(let value): volume = value
            case .failure(let refusal): throw CommandFailure.usage("--measured-volume \(refusal); calibration unchanged")
            }
            switch MeasuredVolume.calibration(volume: volume, revolutions: counted, nominal: nominal, source: source) {
            case .success(let calibration): return (volume, calibration)
            case .failure(let refusal): throw CommandFailure.usage("--measured-volume: \(refusal); calibration unchanged")
            }
        }
        let interactive = ProcessControl.StandardStream.input.isTerminal
        for _ in 0..<(interactive ? 3 : 1) {
            if interactive {
                Terminal.writeStderr("Measure the volume the pump delivered and type it in mL: ")
            } else {
                Terminal.writeStderr("reading the measured volume (mL) from standard input\n")
            }
            guard let line = readLine() else {
                throw CommandFailure.usage("no measured volume given (standard input ended; use --measured-volume ML); calibration unchanged")
            }
            let volume: Double
            switch MeasuredVolume.parse(line) {
            case .success(let value): volume = value
            case .failure(let refusal):
                if interactive { Terminal.writeStderr("\(refusal)\n"); continue }
                throw CommandFailure.usage("measured volume \(refusal); calibration unchanged")
            }
            switch MeasuredVolume.calibration(volume: volume, revolutions: counted, nominal: nominal, source: source) {
            case .success(let calibration): return (volume, calibration)
            case .failure(let refusal):
                if interactive { Terminal.writeStderr("\(refusal)\n"); continue }
                throw CommandFailure.usage("measured volume: \(refusal); calibration unchanged")
            }
        }
        throw CommandFailure.usage("no acceptable measured volume after 3 attempts; calibration unchanged")
    }

    /// The coarsest count of revolutions a run may rest on (one volume step of the pump's count, as a fraction of the run).
    static let coarsestCount = 0.05

    /// Modbus peristaltic pumps and line-protocol pumps.
    static func isCalibratable(_ device: CircuitConfiguration.Device) -> Bool {
        device.role.isPump && device.deviceFamily?.capabilities.contains(.pump) == true
    }

    private func rounded(_ value: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", value) }
}
