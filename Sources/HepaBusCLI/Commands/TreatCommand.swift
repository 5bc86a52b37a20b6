import ArgumentParser
import Circuit
import CircuitConfiguration
import Foundation
import Interlock
import Journal

/// `hepabus treat`: a supervised treatment of a circuit, driven by an operator on standard
/// input, until ended. The circuit's buses are held exclusively for the whole treatment (a
/// technician's write is refused, naming this process), every event is journalled before
/// it is printed, and the interlock is live: a bench rig or a test harness provokes hazards
/// from outside (`hepabus simctl` on a simulator) and watches what reaches the devices
/// (`hepabus sniff`) and the journal (`hepabus journal export`).
struct TreatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "treat",
        abstract: "Run a supervised treatment of a circuit, driven by operator commands on standard input.",
        discussion: """
            Opens every bus of the circuit exclusively, starts the supervisor with the interlock live
            and the journal, runs the self-test (SR-18), primes, starts the treatment at the given
            flows, then prints every state change, alarm and command as it happens (journalled
            first) until ended. A failed self-test names each failed check and what clears it, and
            waits for the operator: acknowledge, selftest (return to idle and test again), status,
            end; with standard input closed it exits 1. Operator commands during the treatment,
            one per line on standard input: acknowledge, resume, pause, end, flow PUMP ML_PER_MIN,
            status. Ends on `end`, on --duration, on SIGINT/SIGTERM (the treatment is ended
            properly: pumps stopped, clamp closed), or by itself when a cell infusion has delivered
            its dose. Exit 0 when the treatment ended through the lifecycle, 1 if the self-test
            never passed or priming failed.
            """)

    @OptionGroup var circuitOptions: CircuitOptions

    @Option(help: "The event journal (an fsynced, CRC-framed log; appended to if it exists; a file that is not a journal, a symbolic link or a damaged journal is refused, exit 2).")
    var journal: String

    @Option(help: "Blood pump flow during the treatment, mL/min.")
    var blood: Double = 150
    @Option(help: "Plasma pump flow, mL/min (circuits with a plasma pump).")
    var plasma: Double = 30
    @Option(help: "Recirculation pump flow, mL/min (circuits with a bioreactor loop).")
    var recirculation: Double = 200
    @Option(help: "Infusion rate, mL/min (cell infusion).")
    var infusion: Double = 2

    @Option(help: "End the treatment after this many seconds.")
    var duration: Double?

    @Flag(help: "Print each event as one JSON object per line.")
    var json = false

    func validate() throws {
        let configuration = try circuitOptions.configuration()
        _ = try circuitOptions.endpoints(for: configuration)
        for (name, value) in [("--blood", blood), ("--plasma", plasma), ("--recirculation", recirculation), ("--infusion", infusion)]
        where !(value.isFinite && value > 0) {
            throw ValidationError("\(name) \(value) must be a positive flow in mL/min")
        }
        if let duration, !(duration > 0 && duration <= 86_400) { throw ValidationError("--duration \(duration) is out of range (0, 86400] seconds") }
    }

    /// The flows to set once treating, for the pumps this circuit has.
    func flows(for configuration: CircuitConfiguration) -> [(PumpRole, Double)] {
        var flows: [(PumpRole, Double)] = []
        if configuration.device(.bloodPump) != nil { flows.append((.blood, blood)) }
        if configuration.device(.plasmaPump) != nil { flows.append((.plasma, plasma)) }
        if configuration.device(.recirculationPump) != nil { flows.append((.recirculation, recirculation)) }
        if configuration.device(.infusionPump) != nil { flows.append((.infusion, infusion)) }
        return flows
    }

    func run() async throws {
        let configuration = try circuitOptions.configuration()
        // The journal first: a path that cannot be one stops us before a bus is opened.
        let eventJournal = try JournalFile.open(journal)
        let given = try circuitOptions.endpoints(for: configuration)
        let endpoints = Dictionary(uniqueKeysWithValues: configuration.buses.map { ($0.name, configuration.endpoint(of: $0, in: given)) })
        let runtime: CircuitRuntime
        do {
            runtime = try await CircuitRuntime(configuration: configuration, endpoints: endpoints, logger: LogSetup.busLogger)
        } catch {
            if let refusal = ExclusiveAccess.refusal(error, doing: "start a treatment", bus: nil) { throw refusal }
            throw CommandFailure.device("cannot open the circuit's buses: \(error)")
        }
        let supervisor: Supervisor
        do {
            supervisor = try Supervisor(runtime: runtime, journal: eventJournal, logger: LogSetup.logger)
        } catch {
            await runtime.stop()
            throw CommandFailure.usage("cannot start the supervisor: \(error)")
        }
        let printer = EventPrinter(json: json)
        let events = await supervisor.events()
        let printing = Task { for await event in events { printer.print(event) } }
        InterruptFlag.install()
        await supervisor.start()
        try? await Task.sleep(for: .milliseconds(600))

        let operatorInput = OperatorInput()
        let started = ContinuousClock.now
        do {
            try await selfTest(supervisor, operatorInput: operatorInput, printer: printer, started: started)
            try await prepare(supervisor, configuration: configuration, printer: printer)
        } catch {
            await finish(supervisor, printer: printer, endedBy: InterruptFlag.signalName)
            printing.cancel()
            eventJournal.close()
            throw error
        }
        printer.note("treating; commands: acknowledge, resume, pause, end, flow PUMP ML_PER_MIN, status")
        var lastStatus = ContinuousClock.now
        while !InterruptFlag.isRaised {
            if let duration, started.duration(to: .now) >= .seconds(duration) { printer.note("--duration reached"); break }
            if let line = operatorInput.next() {
                if await handle(line, supervisor, printer: printer) { break }
                continue
            }
            let lifecycle = await supervisor.lifecycle
            if lifecycle == .ending || lifecycle == .idle { break }  // the dose delivered, or ended
            if !json, lastStatus.duration(to: .now) >= .seconds(5) {
                printer.note(await status(supervisor))
                lastStatus = .now
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        await finish(supervisor, printer: printer, endedBy: InterruptFlag.signalName)
        printing.cancel()
        eventJournal.close()
        printer.note("journal: \(journal)")
    }

    /// The self-test (SR-18), until it passes. A failed one is not a dead end: each failed
    /// check says what clears it, and the operator removes the cause, acknowledges and tests
    /// again, or ends. Nothing is acknowledged or retried on the operator's behalf; with no
    /// operator (standard input closed), a signal or --duration, it fails as before.
    private func selfTest(_ supervisor: Supervisor, operatorInput: OperatorInput, printer: EventPrinter,
                          started: ContinuousClock.Instant) async throws {
        var result = await supervisor.runSelfTest()
        while !result.passed {
            let failed = result.checks.filter { !$0.passed }.map(\.description).joined(separator: "; ")
            printer.note("self-test FAILED (SR-18): \(failed)")
            printer.note("self-test: commands: acknowledge, selftest, status, end")
            var retry = false
            while !retry {
                if InterruptFlag.isRaised || operatorInput.isClosed && !operatorInput.hasPending
                    || duration.map({ started.duration(to: .now) >= .seconds($0) }) == true {
                    throw CommandFailure.device("self-test FAILED (SR-18): \(failed)")
                }
                guard let line = operatorInput.next() else {
                    try? await Task.sleep(for: .milliseconds(50))
                    continue
                }
                switch line {
                case "acknowledge": _ = await supervisor.perform(.acknowledge(.all))  // printed from the event stream
                case "status": printer.note(await status(supervisor))
                case "end": throw CommandFailure.device("ended by the operator: the self-test (SR-18) did not pass: \(failed)")
                case "selftest":
                    if await supervisor.lifecycle != .idle {
                        let back = await supervisor.perform(.returnToIdle)
                        guard back.isAccepted else { continue }  // the refusal, with its reason, is printed
                    }
                    retry = true
                default: printer.note("unknown command '\(line)' before treatment (acknowledge, selftest, status, end)")
                }
            }
            result = await supervisor.runSelfTest()
        }
    }

    /// Priming (the blood or infusion pump at a priming flow), then treatment at the flows.
    private func prepare(_ supervisor: Supervisor, configuration: CircuitConfiguration, printer: EventPrinter) async throws {
        try await require(supervisor.perform(.startPriming), "startPriming")
        let primingPump: PumpRole = configuration.device(.bloodPump) != nil ? .blood : .infusion
        let primingFlow = primingPump == .blood ? min(blood, 100) : min(infusion, 1)
        try await require(supervisor.perform(.setFlow(primingPump, .mLPerMinute(primingFlow))), "setFlow \(primingPump) \(primingFlow)")
        try? await Task.sleep(for: .seconds(2))
        try await require(supervisor.perform(.finishPriming), "finishPriming")
        try await require(supervisor.perform(.startTreatment), "startTreatment")
        for (pump, flow) in flows(for: configuration) {
            try await require(supervisor.perform(.setFlow(pump, .mLPerMinute(flow))), "setFlow \(pump) \(flow)")
        }
    }

    private func require(_ result: CommandResult, _ what: String) throws {
        guard result.isAccepted else { throw CommandFailure.device("\(what) refused: \(result)") }
    }

    /// One operator line; returns true when the treatment is to end.
    private func handle(_ line: String, _ supervisor: Supervisor, printer: EventPrinter) async -> Bool {
        let words = line.split(separator: " ").map(String.init)
        guard let verb = words.first else { return false }
        let command: OperatorCommand
        switch verb {
        case "acknowledge": command = .acknowledge(.all)
        case "resume": command = .resume
        case "pause": command = .pause
        case "end": return true
        case "status":
            printer.note(await status(supervisor))
            return false
        case "flow":
            let pumps: [String: PumpRole] = ["blood": .blood, "plasma": .plasma, "recirculation": .recirculation, "infusion": .infusion]
            guard words.count == 3, let pump = pumps[words[1]], let value = Double(words[2]), value.isFinite, value >= 0 else {
                printer.note("usage: flow blood|plasma|recirculation|infusion ML_PER_MIN (got '\(line)')")
                return false
            }
            command = .setFlow(pump, .mLPerMinute(value))
        default:
            printer.note("unknown command '\(verb)' (acknowledge, resume, pause, end, flow PUMP ML_PER_MIN, status)")
            return false
        }
        _ = await supervisor.perform(command)  // its result is printed from the event stream
        return false
    }

    private func status(_ supervisor: Supervisor) async -> String {
        let lifecycle = await supervisor.lifecycle
        let faults = await supervisor.activeFaults
        var text = "status: \(lifecycle)"
        if !faults.isEmpty { text += "; active: " + faults.map { "\($0.condition)" }.joined(separator: ", ") }
        if let hold = await supervisor.safetyHold { text += "; held at \(hold) until resumed" }
        if let infusion = await supervisor.infusion { text += "; infusion \(infusion)" }
        return text
    }

    /// Ends the treatment through the lifecycle (pumps stopped, clamp closed), back to idle
    /// when no alarm awaits acknowledgement.
    ///
    /// Nothing is acknowledged here: an acknowledgement is an operator's act, and the
    /// journal must not say one was made when the process was ended (by `end`, a
    /// signal, or a failure). Alarms still unacknowledged are journalled and printed,
    /// and the circuit stays in its safe state. `endedBy` names the signal, if one ended it.
    private func finish(_ supervisor: Supervisor, printer: EventPrinter, endedBy signal: String? = nil) async {
        let source = signal ?? "operator"
        let lifecycle = await supervisor.lifecycle
        if lifecycle == .treating || lifecycle == .paused || lifecycle.safeState != nil {
            _ = await supervisor.perform(.endTreatment, source: source)
        }
        let unacknowledged = await supervisor.activeFaults.filter { !$0.isAcknowledged }
        if !unacknowledged.isEmpty {
            let names = unacknowledged.map { "\($0.condition)" }.joined(separator: ", ")
            await supervisor.recordNote("ended by \(source) with alarms unacknowledged: \(names); left in the safe state", source: source)
            printer.note("ended with alarms unacknowledged (not acknowledged on the operator's behalf): \(names)")
        } else if await supervisor.lifecycle != .idle {
            _ = await supervisor.perform(.returnToIdle, source: source)
        }
        try? await Task.sleep(for: .milliseconds(200))
        await supervisor.stop()
    }
}

/// Lines the operator types, read on a thread of their own (standard input blocks).
///
/// Read with read(2), not `readLine()`: a blocked `readLine()` holds stdin's stdio lock,
/// and `fflush(nil)` anywhere in the process (as `Terminal.line` does) would then wait
/// for the operator's next line.
final class OperatorInput: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    private var ended = false

    init() {
        let thread = Thread { [self] in
            var pending = Data()
            while true {
                let chunk = FileHandle.standardInput.availableData
                if chunk.isEmpty {  // end of input: a treatment goes on; a failed self-test ends
                    lock.withLock { ended = true }
                    break
                }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
                    if !trimmed.isEmpty { lock.withLock { lines.append(trimmed) } }
                }
            }
        }
        thread.start()
    }

    /// The next line typed, if any.
    func next() -> String? { lock.withLock { lines.isEmpty ? nil : lines.removeFirst() } }

    /// True once standard input has ended: no operator will type anything more.
    var isClosed: Bool { lock.withLock { ended } }

    /// True while typed lines wait to be read.
    var hasPending: Bool { lock.withLock { !lines.isEmpty } }
}

/// Prints supervisor events as timestamped lines, or one JSON object per line.
struct EventPrinter: Sendable {
    let json: Bool
    let start = Terminal.now()

    func print(_ event: SupervisorEvent) {
        if json {
            Terminal.line(#"{"t":\#(String(format: "%.3f", Terminal.now() - start)),"event":"\#(jsonEscaped(event.description))"}"#)
        } else {
            Terminal.line("\(Terminal.timestamp(Terminal.now())) \(event)")
        }
    }

    func note(_ text: String) {
        if json {
            Terminal.line(#"{"t":\#(String(format: "%.3f", Terminal.now() - start)),"note":"\#(jsonEscaped(text))"}"#)
        } else {
            Terminal.line("\(Terminal.timestamp(Terminal.now())) \(text)")
        }
    }
}
