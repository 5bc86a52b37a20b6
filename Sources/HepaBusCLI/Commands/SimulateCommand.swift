import ArgumentParser
import CircuitConfiguration
import Foundation
import Simulator

/// `hepabus simulate`: a simulated circuit, served until interrupted.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Serve a simulated circuit on pseudo-terminals (and Modbus TCP) until interrupted.",
        discussion: """
            Every device of the circuit runs simulated firmware implementing its specification in
            firmware-protocols/, on RS-485 segments emulated by pseudo-terminals (several unit ids per
            segment), coupled by circuit physics. Any Modbus master can read and write them.
            The manifest (JSON) names, for each role, its endpoint, unit id, family and specification,
            and the control socket. Drive faults and conditions with `hepabus simctl`.
            """)

    @Option(help: "Circuit: a preset (\(CircuitConfigurationLoader.presetNames.joined(separator: ", "))) or a circuit file.")
    var circuit: String = "bal"

    @Option(help: "Also serve each segment over Modbus TCP: HOST:PORT (segment i at PORT+i; port 0 picks free ports).")
    var tcp: String?

    @Option(help: "Write the manifest here (default: manifest.json in the run directory).")
    var manifest: String?

    @Option(name: .customLong("run-directory"), help: "Where the stable bus paths and the control socket go (default: a new /tmp/hepabus-sim-*).")
    var runDirectory: String?

    @Flag(name: .customLong("wire-time"), help: "Hold each reply for its time on the wire at the segment's baud rate.")
    var wireTime = false

    @Option(help: "Stop after this many seconds (default: run until interrupted).")
    var duration: Double?

    func validate() throws {
        do {
            _ = try CircuitConfigurationLoader.load(circuit)
        } catch {
            throw ValidationError("--circuit: \(error)")
        }
        if let tcp { _ = try Self.parseHostPort(tcp) }
        if let duration, !(duration > 0 && duration <= 86_400 * 7) { throw ValidationError("--duration \(duration) is out of range (0, 604800] seconds") }
    }

    static func parseHostPort(_ text: String) throws -> (String, UInt16) {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
            throw ValidationError("--tcp '\(text)' is not HOST:PORT")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard host == "127.0.0.1" || host == "::1" || host == "localhost" else {
            throw ValidationError("--tcp host '\(host)' must be a loopback address (127.0.0.1 or ::1): the simulator is for this machine")
        }
        return (host == "localhost" ? "127.0.0.1" : host, port)
    }

    func run() async throws {
        var options = CircuitSimulator.Options()
        options.logger = LogSetup.logger
        options.runDirectory = runDirectory
        options.emulatesWireTime = wireTime
        if let tcp {
            let (host, port) = try Self.parseHostPort(tcp)
            options.tcpHost = host
            options.tcpBasePort = port
        }
        // Before anything a client waits for exists: a signal from then on must end us cleanly.
        InterruptFlag.install()
        let simulator: CircuitSimulator
        do {
            let layout = SimulatedCircuitLayout(configuration: try CircuitConfigurationLoader.load(circuit))
            simulator = try CircuitSimulator(layout: layout, options: options)
        } catch {
            throw CommandFailure.device("cannot start the simulator: \(error)")
        }
        do {
            try simulator.start()
        } catch {
            throw CommandFailure.device("cannot start the simulator: \(error)" + Self.kept(simulator))
        }
        let manifestPath = manifest ?? simulator.runDirectory + "/manifest.json"
        do {
            try simulator.writeManifest(to: manifestPath)
        } catch {
            simulator.stop()
            throw CommandFailure.device("cannot write the manifest to \(manifestPath): \(error)" + Self.kept(simulator))
        }
        Terminal.line("simulating circuit '\(circuit)'; manifest: \(manifestPath)")
        for bus in simulator.manifest.buses {
            Terminal.line("  bus \(bus.name): \(bus.endpoint) -> \(bus.pty ?? "-") (\(bus.settings))" + (bus.tcp.map { ", \($0)" } ?? ""))
        }
        for device in simulator.manifest.devices {
            Terminal.line("  \(device.role): \(device.family) unit \(device.unit) on \(device.bus)")
        }
        Terminal.line("  control: \(simulator.manifest.control) (hepabus simctl --manifest \(manifestPath) help)")
        let deadline = duration.map { ContinuousClock.now + .milliseconds(Int64($0 * 1000)) }
        while !InterruptFlag.isRaised {
            if let deadline, ContinuousClock.now >= deadline { break }
            try? await Task.sleep(for: .milliseconds(100))
        }
        simulator.stop()
        // A clean run leaves nothing behind in /tmp (a --run-directory is the caller's).
        do {
            try simulator.removeRunDirectory()
        } catch {
            throw CommandFailure.device("simulator stopped, but its run directory \(simulator.runDirectory) could not be removed: \(error)")
        }
        Terminal.line("simulator stopped")
    }

    /// Where the run directory was kept after a failure, for the message.
    static func kept(_ simulator: CircuitSimulator) -> String {
        "\n(run directory kept for inspection: \(simulator.runDirectory))"
    }
}

/// `hepabus simctl`: one control command to a running simulator.
struct SimctlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simctl",
        abstract: "Send a control command to a running simulator (faults, conditions, unplug/replug, status).",
        discussion: ControlCommand.helpText)

    @Option(help: "The simulator's manifest (its control socket is named there).")
    var manifest: String?

    @Option(help: "The control socket, instead of --manifest.")
    var control: String?

    @Argument(parsing: .allUnrecognized, help: "The command, e.g. fault venousPressure silent")
    var words: [String]

    func validate() throws {
        guard (manifest == nil) != (control == nil) else { throw ValidationError("give exactly one of --manifest or --control") }
        guard !words.isEmpty else { throw ValidationError("give a command (try: help)") }
        do {
            _ = try ControlCommand.parse(words.joined(separator: " "))
        } catch {
            throw ValidationError(error.description)
        }
    }

    func run() async throws {
        var socketPath = control ?? ""
        if let manifest {
            guard let data = FileManager.default.contents(atPath: manifest) else {
                throw CommandFailure.device("cannot read the manifest \(manifest)")
            }
            do {
                socketPath = try JSONDecoder().decode(SimulatorManifest.self, from: data).control
            } catch {
                throw CommandFailure.device("\(manifest) is not a simulator manifest: \(error)")
            }
        }
        let reply = try ControlClient.send(words.joined(separator: " "), to: socketPath)
        Terminal.line(reply)
        if reply.hasPrefix("{\"ok\":false") { throw CommandFailure.device("the simulator refused the command") }
    }
}
