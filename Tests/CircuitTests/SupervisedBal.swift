import Circuit
import CircuitConfiguration
import FirmwareProtocols
import Foundation
import HardwareInterfaces
import Interlock
import Journal
import Modbus
import Simulator
import Testing

/// The supervised `bal` circuit as a treatment controller and an outside tester see it:
/// the simulator serving every device on real ptys, the runtime and supervisor on them
/// with a real journal in a temporary directory, and the simulator driven only through
/// its control socket (as `hepabus simctl` and the HIL rig drive it). The simulated
/// firmware is only ever *read* here, to see what reached the devices.
final class SupervisedBal: @unchecked Sendable {
    let simulator: CircuitSimulator
    let runtime: CircuitRuntime
    let supervisor: Supervisor
    let journal: EventJournal
    let journalPath: String
    let controlSocket: String
    private let recorder: EventRecorder
    private var eventTask: Task<Void, Never>?

    /// Nominal treatment: these flows (mL/min).
    static let bloodFlow = 150.0, plasmaFlow = 30.0, recirculationFlow = 200.0

    private init(simulator: CircuitSimulator, runtime: CircuitRuntime, supervisor: Supervisor, journal: EventJournal,
                 journalPath: String) {
        self.simulator = simulator
        self.runtime = runtime
        self.supervisor = supervisor
        self.journal = journal
        self.journalPath = journalPath
        self.controlSocket = simulator.manifest.control
        self.recorder = EventRecorder(journal: journal)
    }

    /// Runs `body` on a started circuit and stops everything afterwards, whatever happened.
    ///
    /// - Parameters:
    ///   - plasmaTemperature: where the plasma (and the heater) start, °C.
    ///   - prepare: control lines sent before the self-test (the circuit's surroundings).
    ///   - treating: enter treatment (self-test, priming, nominal flows) before `body`.
    static func run(tightening: (@Sendable (inout InterlockLimits) -> Void)? = nil, plasmaTemperature: Double = 37,
                    prepare: [String] = [], treating: Bool = true, _ body: (SupervisedBal) async throws -> Void) async throws {
        let bal = try await start(tightening: tightening, plasmaTemperature: plasmaTemperature)
        do {
            for line in prepare { try bal.simctl(line) }
            if treating { try await bal.enterTreatment() }
            try await body(bal)
        } catch {
            await bal.stop()
            throw error
        }
        await bal.stop()
    }

    private static func start(tightening: (@Sendable (inout InterlockLimits) -> Void)?, plasmaTemperature: Double) async throws -> SupervisedBal {
        let configuration = try CircuitConfigurationLoader.preset("bal")
        var options = CircuitSimulator.Options()
        options.initialPlasmaTemperature = plasmaTemperature
        let simulator = try CircuitSimulator(layout: SimulatedCircuitLayout(configuration: configuration), options: options)
        try simulator.start()
        let endpoints = Dictionary(uniqueKeysWithValues: simulator.manifest.buses.map { ($0.name, BusEndpoint.serial(path: $0.endpoint)) })
        let journalPath = simulator.runDirectory + "/journal.log"
        do {
            let runtime = try await CircuitRuntime(configuration: configuration, endpoints: endpoints)
            let journal = try EventJournal(path: journalPath)
            let supervisor = try Supervisor(runtime: runtime, journal: journal, tightening: tightening)
            let bal = SupervisedBal(simulator: simulator, runtime: runtime, supervisor: supervisor, journal: journal,
                                    journalPath: journalPath)
            let events = await supervisor.events()
            let recorder = bal.recorder
            bal.eventTask = Task { for await event in events { recorder.record(event) } }
            await supervisor.start()
            // Every role sampled at least once before anything is judged.
            guard await eventually(within: .seconds(5), { configuration.roles.allSatisfy { runtime.snapshot[$0]?.reading != nil } }) else {
                throw SupervisedBalError("not every role was read within 5 s of starting")
            }
            return bal
        } catch {
            simulator.stop()
            throw error
        }
    }

    func stop() async {
        await supervisor.stop()
        eventTask?.cancel()
        journal.close()
        simulator.stop()
        // The run directory (ptys' links, control socket, journal) is this test's alone.
        try? FileManager.default.removeItem(atPath: simulator.runDirectory)
    }

    // MARK: The control interface

    /// Sends one command line through the simulator's control socket; throws if refused.
    func simctl(_ line: String) throws {
        let reply = try ControlClient.send(line, to: controlSocket)
        guard reply.hasPrefix("{\"ok\":true") else { throw SupervisedBalError("simctl '\(line)' refused: \(reply)") }
    }

    // MARK: Lifecycle

    func require(_ result: CommandResult, _ what: String) throws {
        guard result.isAccepted else { throw SupervisedBalError("\(what) refused: \(result)") }
    }

    /// Self-test, priming, then treating at the nominal flows with no alarm.
    func enterTreatment() async throws {
        let selfTest = await supervisor.runSelfTest()
        guard selfTest.passed else {
            throw SupervisedBalError("self-test failed: " + selfTest.checks.filter { !$0.passed }.map(\.description).joined(separator: "; "))
        }
        try require(await supervisor.perform(.startPriming), "startPriming")
        try require(await supervisor.perform(.setFlow(.blood, .mLPerMinute(100))), "setFlow blood 100")
        try require(await supervisor.perform(.finishPriming), "finishPriming")
        try require(await supervisor.perform(.startTreatment), "startTreatment")
        try require(await supervisor.perform(.setFlow(.blood, .mLPerMinute(Self.bloodFlow))), "setFlow blood")
        try require(await supervisor.perform(.setFlow(.plasma, .mLPerMinute(Self.plasmaFlow))), "setFlow plasma")
        try require(await supervisor.perform(.setFlow(.recirculation, .mLPerMinute(Self.recirculationFlow))), "setFlow recirculation")
        guard await eventually(within: .seconds(5), { await self.isTreatingNominally() }) else {
            throw SupervisedBalError("not treating nominally within 5 s: \(await supervisor.lifecycle), faults \(await supervisor.activeFaults), "
                + "devices \(devices)")
        }
    }

    /// Treating, no alarm at all, every pump turning at its set flow, heater on, clamp open.
    func isTreatingNominally() async -> Bool {
        let lifecycle = await supervisor.lifecycle
        let faults = await supervisor.activeFaults
        return lifecycle == .treating && faults.isEmpty && devices.matches(.treating)
    }

    /// Acknowledges every alarm and asks to resume until the interlock accepts (bounded).
    /// Returns the last result.
    @discardableResult
    func acknowledgeAndResume(within: Duration = .seconds(10)) async -> CommandResult {
        let deadline = ContinuousClock.now + within
        var last = CommandResult.refused(.nothingToResume)
        while ContinuousClock.now < deadline {
            _ = await supervisor.perform(.acknowledge(.all))
            last = await supervisor.perform(.resume)
            if last.isAccepted { return last }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return last
    }

    // MARK: What reached the devices

    /// What the simulated devices are doing, read from their own registers and mechanics.
    var devices: DeviceOutputs {
        func pump(_ role: String) -> DeviceOutputs.Pump {
            let pump = simulator.device(role: role) as! SimulatedPump
            let control = (try? pump.read(.holding, address: PeristalticPumpProtocol.controlWord.address, count: 1))?.first ?? 0
            return .init(runCommanded: PeristalticPumpProtocol.ControlWord(rawValue: control).contains(.run),
                         rotorSpeed: abs(pump.rotorSpeed))
        }
        let air = simulator.device(role: "airDetector") as! SimulatedAirDetector
        let heater = simulator.device(role: "plasmaHeater") as! SimulatedHeater
        return DeviceOutputs(bloodPump: pump("bloodPump"), plasmaPump: pump("plasmaPump"),
                             recirculationPump: pump("recirculationPump"), heaterEnabled: heater.isEnabled,
                             clampClosed: air.isClampClosed, clampOpen: air.clampPosition >= 1)
    }

    /// Waits (bounded) until the devices show `expected`; the description of what they
    /// showed instead, or nil.
    func devicesReach(_ expected: DeviceOutputs.Expectation, within: Duration = .seconds(3)) async -> String? {
        if await eventually(within: within, { self.devices.matches(expected) }) { return nil }
        return "devices did not reach \(expected) within \(within): \(devices)"
    }

    /// Checks that the devices keep showing `expected` for `duration` (alarm-only rows: nothing stops).
    func devicesHold(_ expected: DeviceOutputs.Expectation, for duration: Duration) async -> String? {
        let end = ContinuousClock.now + duration
        while ContinuousClock.now < end {
            let now = devices
            if !now.matches(expected) { return "devices left \(expected): \(now)" }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    // MARK: Alarms and the journal

    /// How many events have been reported so far (a mark to wait for later ones).
    var eventMark: Int { recorder.count }

    /// Waits (bounded) for the alarm of `requirement` reported after `mark`; throws naming
    /// what was reported instead.
    func alarm(_ requirement: SafetyRequirement, after mark: Int = 0, within: Duration) async throws -> ReportedAlarm {
        let deadline = ContinuousClock.now + within
        while ContinuousClock.now < deadline {
            if let alarm = recorder.alarms(after: mark).first(where: { $0.fault.requirement == requirement }) { return alarm }
            try await Task.sleep(for: .milliseconds(10))
        }
        if let alarm = recorder.alarms(after: mark).first(where: { $0.fault.requirement == requirement }) { return alarm }
        throw SupervisedBalError("no \(requirement) alarm within \(within); alarms reported: "
            + "\(recorder.alarms(after: mark).map { "\($0.fault)" }), lifecycle \(await supervisor.lifecycle), "
            + "faults \(await supervisor.activeFaults.map { "\($0.condition)" }), physics \(simulator.readings)")
    }

    /// Whether the journal on disk holds an entry of `kind` for `requirement` from `mark` on.
    func journalHas(_ kind: JournalEntry.Kind, _ requirement: SafetyRequirement, since mark: UInt64) throws -> Bool {
        try journalFromDisk().contains { $0.sequence >= mark && $0.kind == kind && ($0.fields["sr"] == requirement.id || $0.message.contains(requirement.id + " ")) }
    }

    /// The active fault of `condition`, if any.
    func fault(_ condition: Condition) async -> ActiveFault? {
        await supervisor.activeFaults.first { $0.condition == condition }
    }

    /// Whether the alarm of `requirement` was reported after `mark`.
    func wasRaised(_ requirement: SafetyRequirement, after mark: Int = 0) -> Bool {
        recorder.alarms(after: mark).contains { $0.fault.requirement == requirement }
    }

    /// Every alarm reported after `mark`.
    func alarms(after mark: Int = 0) -> [ReportedAlarm] { recorder.alarms(after: mark) }

    /// Every lifecycle change reported on the event stream after `mark`.
    func lifecycleChanges(after mark: Int = 0) -> [(from: Lifecycle, to: Lifecycle)] { recorder.lifecycleChanges(after: mark) }

    /// The journal as read back from its file.
    func journalFromDisk() throws -> [JournalEntry] { try EventJournal.read(path: journalPath).entries }

    /// The sequence number the journal's next entry will carry (a mark for ``journalProblem``).
    var journalMark: UInt64 { journal.nextSequence }

    /// Checks the journal read back from disk, from `mark` on: the alarm of `requirement`,
    /// each of `safeCommands` acknowledged on the wire before the operator's acknowledgement
    /// (the safe state reached the devices while the alarm stood), then that acknowledgement,
    /// then (if `resumed`) the accepted resume, in that order. The problem, or nil.
    func journalProblem(_ requirement: SafetyRequirement, since mark: UInt64, safeCommands: [String], resumed: Bool) throws -> String? {
        let entries = try journalFromDisk().filter { $0.sequence >= mark }
        guard let alarm = entries.first(where: { $0.kind == .alarmRaised && $0.fields["sr"] == requirement.id }) else {
            return "no alarmRaised entry for \(requirement) in \(journalPath)"
        }
        guard let ack = entries.first(where: { $0.kind == .acknowledgement && $0.fields["sr"] == requirement.id && $0.sequence > alarm.sequence })
        else { return "no acknowledgement of \(requirement) journalled after its alarm" }
        let beforeAck = entries.filter { $0.sequence < ack.sequence }
        for command in safeCommands where !beforeAck.contains(where: {
            $0.kind == .deviceEvent && $0.message.hasPrefix(command + ":") && $0.message.contains("acknowledged on the wire")
        }) {
            return "no '\(command): acknowledged on the wire' entry between the provocation and the acknowledgement of \(requirement)"
        }
        if resumed {
            guard entries.contains(where: { $0.kind == .commandResult && $0.message.hasPrefix("resume") && $0.message.hasSuffix("accepted")
                && $0.sequence > ack.sequence })
            else { return "no accepted resume journalled after the acknowledgement of \(requirement)" }
        }
        return nil
    }
}

/// An alarm as the treatment controller heard it, and whether the journal already held
/// it at that moment (journalled before reported).
struct ReportedAlarm: Sendable {
    var fault: ActiveFault
    var journalledBeforeReport: Bool
    var reportedAt: ContinuousClock.Instant
}

/// Collects the supervisor's events; on each alarm, looks in the journal at once.
final class EventRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [(index: Int, event: SupervisorEvent)] = []
    private var reported: [(index: Int, alarm: ReportedAlarm)] = []
    private let journal: EventJournal

    init(journal: EventJournal) { self.journal = journal }

    func record(_ event: SupervisorEvent) {
        let at = ContinuousClock.now
        var alarm: ReportedAlarm? = nil
        if case .alarmRaised(let fault) = event {
            let entries = (try? journal.entries()) ?? []
            let journalled = entries.contains {
                $0.kind == .alarmRaised && $0.fields["sr"] == fault.requirement.id && $0.fields["condition"] == "\(fault.condition)"
            }
            alarm = ReportedAlarm(fault: fault, journalledBeforeReport: journalled, reportedAt: at)
        }
        lock.withLock {
            let index = events.count + 1
            events.append((index, event))
            if let alarm { reported.append((index, alarm)) }
        }
    }

    var count: Int { lock.withLock { events.count } }

    func alarms(after mark: Int) -> [ReportedAlarm] {
        lock.withLock { reported.filter { $0.index > mark }.map(\.alarm) }
    }

    /// Every lifecycle change reported after `mark`, as the controller's event stream said it.
    func lifecycleChanges(after mark: Int) -> [(from: Lifecycle, to: Lifecycle)] {
        lock.withLock {
            events.filter { $0.index > mark }.compactMap {
                if case .lifecycleChanged(let from, let to) = $0.event { return (from, to) }
                return nil
            }
        }
    }
}

/// What the actuators are doing: each pump's run bit as the host last wrote it and its
/// rotor's true speed, the heater's enable bit, the clamp's true position.
struct DeviceOutputs: CustomStringConvertible {
    struct Pump {
        var runCommanded: Bool
        var rotorSpeed: Double
        var turning: Bool { runCommanded && rotorSpeed > 1 }
        var stopped: Bool { !runCommanded }
    }

    var bloodPump: Pump
    var plasmaPump: Pump
    var recirculationPump: Pump
    var heaterEnabled: Bool
    var clampClosed: Bool
    var clampOpen: Bool

    /// What SAFETY.md prescribes the devices do.
    enum Expectation: CustomStringConvertible {
        /// Nominal treatment: every pump turning, heater on, clamp open (also: alarm only).
        case treating
        /// S1: every pump stopped, heater off, return clamp closed.
        case s1
        /// S2: plasma and recirculation pumps stopped, heater off; blood pump turning, clamp open.
        case s2
        /// S2-warm: plasma pump stopped (no plasma drawn or returned); blood pump, recirculation
        /// and heater running, clamp open.
        case s2Warm
        /// Heater off; the pumps keep turning, clamp open.
        case heaterOff

        var description: String {
            switch self {
            case .treating: "treating (all pumps turning, heater on, clamp open)"
            case .s1: "S1 (all pumps stopped, heater off, clamp closed)"
            case .s2: "S2 (plasma and recirculation stopped, heater off, blood pump turning, clamp open)"
            case .s2Warm: "S2-warm (plasma pump stopped; blood pump, recirculation and heater running, clamp open)"
            case .heaterOff: "heater off (pumps turning, clamp open)"
            }
        }

        init?(_ reaction: SafetyReaction) {
            switch reaction {
            case .patientSafe: self = .s1
            case .plasmaBypass: self = .s2
            case .plasmaIsolation: self = .s2Warm
            case .heaterOff: self = .heaterOff
            case .alarmOnly: self = .treating
            case .preventTreatmentStart: return nil
            }
        }
    }

    func matches(_ expected: Expectation) -> Bool {
        switch expected {
        case .treating:
            bloodPump.turning && plasmaPump.turning && recirculationPump.turning && heaterEnabled && clampOpen
        case .s1:
            bloodPump.stopped && bloodPump.rotorSpeed == 0 && plasmaPump.stopped && recirculationPump.stopped
                && !heaterEnabled && clampClosed
        case .s2:
            bloodPump.turning && plasmaPump.stopped && recirculationPump.stopped && !heaterEnabled && clampOpen
        case .s2Warm:
            bloodPump.turning && plasmaPump.stopped && recirculationPump.turning && heaterEnabled && clampOpen
        case .heaterOff:
            bloodPump.turning && plasmaPump.turning && recirculationPump.turning && !heaterEnabled && clampOpen
        }
    }

    var description: String {
        func pump(_ p: Pump) -> String { "\(p.runCommanded ? "run" : "stop") \(String(format: "%.1f", p.rotorSpeed)) rpm" }
        return "blood \(pump(bloodPump)), plasma \(pump(plasmaPump)), recirculation \(pump(recirculationPump)), "
            + "heater \(heaterEnabled ? "on" : "off"), clamp \(clampClosed ? "closed" : clampOpen ? "open" : "moving")"
    }
}

struct SupervisedBalError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Polls `condition` every 20 ms until it holds or `within` has passed.
func eventually(within: Duration, _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + within
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}
