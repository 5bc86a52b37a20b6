public import BusRuntime
public import CircuitConfiguration
import Drivers
import Foundation
import HardwareInterfaces
public import Interlock
public import Journal
public import Logging

/// The supervisor: feeds every fresh sample and every clock tick to the interlock
/// and applies its actions at once, in the safe order the interlock gives (blood
/// pump, clamp, plasma pumps, heater), each checked by the device's answer on the
/// wire and, afterwards, by its feedback (the interlock compares tachometers with
/// what was commanded). Every state change, alarm, acknowledgement and command is
/// journalled durably before it is reported.
///
/// Nothing else commands an actuator during a treatment: the runtime is private to
/// the supervisor, and the only actuator commands it issues are the interlock's.
/// It runs on its own thread, so journal flushes never stall Swift's cooperative pool.
///
/// Every event it publishes is also logged through ``logger`` (state changes `.info`,
/// alarms `.warning`/`.error`, a journal failure `.critical`), with its role, bus or safety
/// requirement as metadata; nothing is ever printed.
public actor Supervisor {
    /// The supervisor's own thread: journal flushes never stall Swift's cooperative pool.
    public nonisolated let executor = BusThreadExecutor(name: "supervisor")
    /// Runs the actor on ``executor``.
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// The circuit supervised.
    public nonisolated let circuit: CircuitConfiguration
    let runtime: CircuitRuntime
    private let journal: EventJournal?
    /// The host's logger (the circuit's name in its metadata).
    public nonisolated let logger: Logger
    var interlock: Interlock
    private let origin = ContinuousClock.now
    private var commandedSpeed: [PumpRole: RotationalSpeed] = [:]
    private var subscribers: [UUID: AsyncStream<SupervisorEvent>.Continuation] = [:]
    var inputs: AsyncStream<Input>.Continuation?
    private var loop: Task<Void, Never>?
    private var ticker: Task<Void, Never>?
    private var reportedDeviceProblems: Set<CircuitRole> = []
    /// Buses whose port vanished, with why: their samples are not believed until every
    /// device on them has been re-identified (Supervisor+Ports.swift).
    var quarantinedBuses: [String: String] = [:]
    /// Buses being re-identified right now (a hotplug add and a retry may race).
    var busesReturning: Set<String> = []
    /// Each device's identity (with its serial number) as the self-test found it.
    var knownIdentities: [CircuitRole: String] = [:]
    var portWatch: PortWatch?
    /// The cell infusion's dose, when the circuit has an infusion plan.
    private var dose: InfusionDose?
    var portRecovery: Task<Void, Never>?
    /// Trip-to-safe-state times measured so far (seconds), for the summary and benchmarks.
    public private(set) var reactionTimes: [(requirement: SafetyRequirement, seconds: Double)] = []
    /// The tick period: how often time-based conditions (persistence, stale data) are evaluated.
    public static let tickPeriod: Duration = .milliseconds(10)

    /// Everything that changes the interlock goes through one queue, handled one at a
    /// time to the end of its actuation: a later event's outputs can never be overtaken
    /// by an earlier event's, whatever awaits in between (actor reentrancy).
    enum Input: Sendable {
        case sample(RoleSample)
        /// A clock tick, at the instant it was due: a tick queued behind a stall is judged
        /// at its own time, not at the time it is reached, so the fresh samples queued
        /// behind it are not mistaken for missing (a false SR-15).
        case tick(ContinuousClock.Instant)
        case event(InterlockEvent, CheckedContinuation<[InterlockAction], Never>)
        /// A bus's port vanished (hotplug remove, or the line said so).
        case portLost(bus: String, reason: String, CheckedContinuation<Void, Never>)
        /// A bus's devices were re-identified: believe its samples again, re-send the demand.
        case portBack(bus: String, CheckedContinuation<Void, Never>)
    }

    /// A supervisor for `runtime`'s circuit; the circuit's limits are checked against the
    /// interlock's hard bounds here (an error names the file, line and bound).
    ///
    /// `tightening` may tighten the limits further in code (a benchmark sets every
    /// persistence to zero); the result is checked against the hard bounds like the file's.
    ///
    /// `logger`: where the supervisor's diagnostics go; by default the runtime's logger
    /// (``CircuitRuntime/logger``), so one logger given to the runtime carries everything.
    public init(runtime: CircuitRuntime, journal: EventJournal? = nil,
                tightening: (@Sendable (inout InterlockLimits) -> Void)? = nil, logger: Logger? = nil) throws {
        try runtime.claimForSupervision()
        self.runtime = runtime
        self.circuit = runtime.configuration
        self.journal = journal
        var logger = logger ?? runtime.logger
        logger[metadataKey: "circuit"] = "\(runtime.configuration.name)"
        logger[metadataKey: "component"] = "supervisor"
        self.logger = logger
        var configuration = try InterlockMapping.configuration(for: runtime.configuration)
        if let tightening {
            configuration = try InterlockConfiguration(roles: configuration.roles, limits: configuration.limits.tightened(tightening))
        }
        self.interlock = Interlock(configuration: configuration, startTime: 0)
        if let plan = runtime.configuration.infusion, runtime.configuration.device(.infusionPump) != nil {
            dose = InfusionDose(plan: plan)
        }
    }

    /// The cell infusion's progress toward its dose (nil when the circuit has no infusion plan).
    public var infusion: InfusionProgress? { dose?.progress }

    /// The interlock's view, for the controller and tests.
    public var lifecycle: Lifecycle { interlock.lifecycle }
    /// The active alarms, in SAFETY.md order, each with its latch state.
    public var activeFaults: [ActiveFault] { interlock.state.faults }
    /// What the interlock demands of the actuators now.
    public var outputs: OutputDemand { interlock.outputs }
    /// The safety hold in force, if any: after a latched trip the outputs stay reduced until
    /// an accepted resume, even once its alarm is acknowledged and cleared. Every hold also
    /// shows in ``lifecycle`` (a heater-off hold after SR-11 as `safe(heater off) during
    /// treating`), so a controller following the lifecycle sees it.
    public var safetyHold: SafetyReaction? { interlock.state.hold }

    private var now: Double {
        let elapsed = origin.duration(to: .now)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    /// Monotonic seconds of `instant` on the interlock's clock.
    private func seconds(_ instant: ContinuousClock.Instant) -> Double {
        let elapsed = origin.duration(to: instant)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    /// Puts the hardware in the interlock's initial demand (everything off, clamp closed),
    /// then starts polling, ticking and supervising.
    ///
    /// `watchingPorts`: follow the buses' ports coming and going (udev events where a udev
    /// daemon runs, and the port paths themselves), and retry a lost bus until its devices
    /// are re-identified. Off only for benchmarks that measure the bare supervision.
    public func start(watchingPorts: Bool = true) async {
        journalNote("supervisor started for circuit \(circuit.name)")
        for problem in await runtime.configureSupervised() {
            journal(.deviceEvent, source: problem.role.rawValue, "configuration failed: \(problem.error)")
            publish(.deviceProblem(problem.role, problem.error))
        }
        for role in circuit.roles {
            guard let (calibration, source) = runtime.calibration(of: role) else { continue }
            journal(.deviceEvent, source: role.rawValue, "tubing calibration \(calibration.millilitersPerRevolution) mL/rev, \(source)")
        }
        for command in interlock.initialCommands { await apply(command) }
        let (stream, continuation) = AsyncStream.makeStream(of: Input.self, bufferingPolicy: .unbounded)
        inputs = continuation
        runtime.start { sample in continuation.yield(.sample(sample)) }
        // Both on the supervisor's own thread: a sample or tick reaches the interlock with
        // one thread switch (from the bus thread), not three through the global pool.
        loop = Task(executorPreference: executor) { [weak self] in
            for await input in stream {
                guard let self else { return }
                await self.process(input)
            }
        }
        // Ticks from the supervisor thread's own timer: no dispatch timer, no pool thread.
        ticker = Task(executorPreference: executor) { [executor] in
            var next = ContinuousClock.now + Self.tickPeriod
            while !Task.isCancelled {
                await executor.sleep(until: next)
                continuation.yield(.tick(.now))
                next = max(next + Self.tickPeriod, .now)
            }
        }
        if watchingPorts { startWatchingPorts() }
    }

    /// Stops supervising: polling ends and the buses close (devices fall back to their
    /// own safe states when their watchdogs lapse).
    public func stop() async {
        stopWatchingPorts()
        ticker?.cancel()
        await ticker?.value
        inputs?.finish()
        inputs = nil
        await loop?.value
        await runtime.stop()
        for continuation in subscribers.values { continuation.finish() }
        subscribers.removeAll()
        journalNote("supervisor stopped")
    }

    /// A stream of everything that happens from now on.
    public func events() -> AsyncStream<SupervisorEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: SupervisorEvent.self, bufferingPolicy: .bufferingNewest(1024))
        let id = UUID()
        subscribers[id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.unsubscribe(id) }
        }
        return stream
    }

    private func unsubscribe(_ id: UUID) { subscribers.removeValue(forKey: id) }

    /// Every role's latest value and its age, every `interval`.
    public nonisolated func snapshots(every interval: Duration = .milliseconds(100)) -> AsyncStream<CircuitSnapshot> {
        let runtime = self.runtime
        return AsyncStream { continuation in
            let task = Task {
                while !Task.isCancelled {
                    continuation.yield(runtime.snapshot)
                    try? await Task.sleep(for: interval)
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// The latest snapshot.
    public nonisolated var snapshot: CircuitSnapshot { runtime.snapshot }

    // MARK: Operator commands

    /// Carries out an operator command, gated by the interlock. The command is journalled
    /// before it is handled, and its result before it is returned.
    ///
    /// - Parameters:
    ///   - command: the operator command; refused with the reason (``/Interlock/CommandResult``)
    ///     when the lifecycle or an active fault forbids it.
    ///   - source: who gave the command, as the journal records it: "operator"
    ///     for a person, or what acted for nobody (a signal, the infusion dose, a lapsed lease).
    public func perform(_ command: OperatorCommand, source: String = "operator") async -> CommandResult {
        journal(.command, source: source, "\(command)")
        // Asking to resume also asks the devices to drop latches whose causes have gone
        // (an acknowledgement may have come while the air was still in the line).
        if case .resume = command, interlock.state.faults.allSatisfy(\.isAcknowledged) {
            // The devices' answers to the reset must reach the interlock before it judges the
            // resume: otherwise the first resume is refused on the latch just cleared.
            let reset = await resetDeviceLatches()
            await awaitFreshSamples(of: reset, within: .seconds(1))
        }
        let actions = await submit(.command(command))
        let result = actions.compactMap { action -> CommandResult? in
            if case .commandResult(_, let r) = action { return r }
            return nil
        }.first ?? .refused(.notAllowed(in: interlock.lifecycle))
        if case .acknowledge = command, result.isAccepted { await resetDeviceLatches() }
        return result
    }

    /// The operator's acknowledgement reaches the devices' own latches too (the air
    /// detector's air alarm, a pump's or heater's latched fault): each device with one
    /// gets a fault reset, which its firmware honours only where the cause has gone.
    /// Without it a latched air alarm would hold SR-1 forever.
    @discardableResult
    private func resetDeviceLatches() async -> [CircuitRole] {
        var reset: [CircuitRole] = []
        let snapshot = runtime.snapshot
        for (role, sample) in snapshot.samples {
            guard sample.reading?.isDeviceLatchSet == true else { continue }
            let result = await runtime.performSupervised(.faultReset(role))
            journal(.deviceEvent, source: role.rawValue, "fault reset after acknowledgement: \(result)")
            if case .success = result { reset.append(role) }
        }
        return reset
    }

    /// Waits (bounded) until each of `roles` has been sampled after now and that sample has
    /// been through the supervision queue.
    private func awaitFreshSamples(of roles: [CircuitRole], within limit: Duration) async {
        _ = await freshSnapshot(of: roles, since: .now, within: limit)
        // Everything queued so far (those samples included) is handled before the command.
        _ = await submit(.tick(at: now))
    }

    /// Hands an event to the supervision queue and waits until it has been handled and its
    /// outputs applied.
    private func submit(_ event: InterlockEvent) async -> [InterlockAction] {
        guard let inputs else {
            // Not started: nothing polls or ticks, so nothing can overtake.
            let actions = interlock.handle(event)
            await apply(actions)
            return actions
        }
        return await withCheckedContinuation { continuation in
            inputs.yield(.event(event, continuation))
        }
    }

    /// The pre-treatment protective system test (SR-18): every device present and
    /// identified as its family, every reading plausible, every actuator's watchdog
    /// armed, the return clamp's feedback following a close command.
    @discardableResult
    public func runSelfTest() async -> (passed: Bool, checks: [SelfTestCheck]) {
        let started = await perform(.startSelfTest)
        guard started.isAccepted else { return (false, [SelfTestCheck(.other("startSelfTest"), passed: false, detail: "\(started)")]) }
        let testStarted = ContinuousClock.now
        var checks: [SelfTestCheck] = []
        let identities = await runtime.identifyAll()
        for case let (role, .success(identity)) in identities { knownIdentities[role] = identity }
        // Judged on samples taken since the test began, never on an older snapshot.
        let fresh = await freshSnapshot(of: circuit.roles, since: testStarted, within: .milliseconds(1500))
        for role in circuit.roles {
            // Roles the interlock does not watch (the heparin pump, the bioreactor probe) are
            // devices of the circuit all the same: missing, they fail the test.
            let deviceRoles = InterlockMapping.deviceRoles(role)
            let items: [(present: SelfTestCheck.Item, plausible: SelfTestCheck.Item, watchdog: SelfTestCheck.Item?)] =
                deviceRoles.isEmpty
                ? [(.other("devicePresent(\(role.rawValue))"), .other("plausibleReading(\(role.rawValue))"),
                    circuit.device(role)?.deviceFamily?.hasHostWatchdog == true ? .other("watchdogArmed(\(role.rawValue))") : nil)]
                : deviceRoles.map { (.devicePresent($0), .plausibleReading($0), $0.isActuator ? .watchdogArmed($0) : nil) }
            for item in items {
                switch identities[role] {
                case .success(let identity)?: checks.append(SelfTestCheck(item.present, passed: true, detail: identity))
                case .failure(let error)?: checks.append(SelfTestCheck(item.present, passed: false, detail: "\(error)"))
                case nil: checks.append(SelfTestCheck(item.present, passed: false, detail: "not identified"))
                }
                let sample = fresh[role]
                let plausible = sample?.reading != nil && sample?.lastError == nil && (sample?.sampledAt.map { $0 > testStarted } ?? false)
                checks.append(SelfTestCheck(item.plausible, passed: plausible,
                                            detail: plausible ? sample!.reading!.summary
                                                : (sample?.lastError.map { "\($0)" } ?? "no reading since the self-test began")))
                if let watchdogItem = item.watchdog {
                    switch await runtime.readWatchdogTimeout(role) {
                    case .success(let timeout):
                        let armed = timeout > .zero && timeout <= .seconds(10)
                        checks.append(SelfTestCheck(watchdogItem, passed: armed, detail: "timeout \(timeout)"))
                    case .failure(let error):
                        checks.append(SelfTestCheck(watchdogItem, passed: false, detail: "\(error)"))
                    }
                }
            }
        }
        checks.append(await checkClampFeedback())
        // An alarm already active holds the circuit in its safe state: a self-test that passed
        // over it would end in a refused startPriming with nothing saying why. Each is a failed
        // check that says what clears it.
        for fault in interlock.state.faults {
            checks.append(SelfTestCheck(.other("noActiveAlarm(\(fault.requirement))"), passed: false, detail: Self.whatClears(fault)))
        }
        let actions = await submit(.selfTestCompleted(checks))
        let passed = actions.contains { if case .selfTestEvaluated(true, _) = $0 { return true } else { return false } }
        publish(.selfTestEvaluated(passed: passed, checks: checks))
        return (passed, checks)
    }

    /// An active alarm, and what the operator must do to clear it.
    static func whatClears(_ fault: ActiveFault) -> String {
        let after = "; then return to idle and run the self-test again"
        switch (fault.isConditionPresent, fault.isAcknowledged) {
        case (true, false): return "\(fault): its condition is still present: remove its cause, then acknowledge" + after
        case (true, true): return "\(fault): acknowledged; it clears when its condition goes" + after
        case (false, _): return "\(fault): its condition has cleared: acknowledge it (a device's own latch is reset with the acknowledgement)" + after
        }
    }

    /// The runtime's snapshot once each of `roles` has been sampled since `since`, or as it
    /// is when `within` has passed.
    private func freshSnapshot(of roles: [CircuitRole], since: ContinuousClock.Instant,
                               within limit: Duration) async -> CircuitSnapshot {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let snapshot = runtime.snapshot
            // A device still failing keeps us waiting to the limit: its next poll (perhaps
            // backed off) may be the first to answer.
            if roles.allSatisfy({ snapshot[$0]?.sampledAt.map { $0 > since } ?? false }) { return snapshot }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return runtime.snapshot
    }

    /// Moves the return clamp both ways and watches the position feedback follow: closed,
    /// open, closed again (it is closed at rest, so a clamp that cannot open would otherwise
    /// pass). Safe here: nothing runs during the self-test.
    private func checkClampFeedback() async -> SelfTestCheck {
        guard circuit.device(.airDetector) != nil else {
            return SelfTestCheck(.returnClampFeedback, passed: false, detail: "the circuit has no air detector / clamp")
        }
        for (command, position) in [(ActuatorCommand.closeClamp, ClampPosition.closed), (.openClamp, .open), (.closeClamp, .closed)] {
            if case .failure(let error) = await runtime.performSupervised(command) {
                return SelfTestCheck(.returnClampFeedback, passed: false, detail: "\(command) failed: \(error)")
            }
            let commanded = ContinuousClock.now
            var confirmed = false
            while ContinuousClock.now < commanded + .seconds(1) {
                if let sample = runtime.snapshot[.airDetector], case .airDetector(let r)? = sample.reading,
                   let at = sample.sampledAt, at > commanded, r.clampPosition == position {
                    confirmed = true
                    break
                }
                try? await Task.sleep(for: .milliseconds(20))
            }
            if !confirmed {
                _ = await runtime.performSupervised(.closeClamp)
                return SelfTestCheck(.returnClampFeedback, passed: false, detail: "no \(position) feedback within 1 s of '\(command)'")
            }
        }
        return SelfTestCheck(.returnClampFeedback, passed: true, detail: "closed, opened and closed again, each confirmed by position feedback")
    }

    // MARK: Supervision

    private func process(_ input: Input) async {
        switch input {
        case .tick(let at):
            await handle(.tick(at: seconds(at)))
        case .event(let event, let continuation):
            let actions = interlock.handle(event)
            await apply(actions)
            continuation.resume(returning: actions)
        case .portLost(let bus, let reason, let continuation):
            await losePort(bus, reason: reason)
            continuation.resume()
        case .portBack(let bus, let continuation):
            await readmit(bus)
            continuation.resume()
        case .sample(let sample):
            // A lost bus's samples are not believed until its devices are re-identified.
            if let bus = runtime.bus(of: sample.role) {
                if quarantinedBuses[bus] != nil { return }
                if let error = sample.lastError, error.kind == .disconnected {
                    await losePort(bus, reason: "\(sample.role.rawValue): \(error)")
                    return
                }
            }
            noteDeviceHealth(sample)
            let commanded = InterlockMapping.pumpRole(sample.role).flatMap { commandedSpeed[$0] } ?? .zero
            for event in InterlockMapping.events(for: sample, at: sampleTime(sample), commanded: commanded) {
                await handle(event)
            }
            if sample.role == .infusionPump { await superviseDose(sample) }
        }
    }

    private func sampleTime(_ sample: RoleSample) -> Double {
        // A failed poll carries no sample time: it happened now.
        guard sample.lastError == nil, let at = sample.sampledAt else { return now }
        return seconds(at)
    }

    /// Journals and reports a device that stops answering (once) and that answers again.
    private func noteDeviceHealth(_ sample: RoleSample) {
        if let error = sample.lastError {
            guard reportedDeviceProblems.insert(sample.role).inserted else { return }
            journal(.deviceEvent, source: sample.role.rawValue, "device not answering: \(error)", ["kind": error.kind.rawValue])
            publish(.deviceProblem(sample.role, error))
        } else if reportedDeviceProblems.remove(sample.role) != nil {
            journal(.deviceEvent, source: sample.role.rawValue, "device answering again")
        }
    }

    /// Counts the infusion pump's delivered volume from the treatment's start, and ends the
    /// treatment (every pump stopped by the interlock) the moment the dose is delivered.
    private func superviseDose(_ sample: RoleSample) async {
        guard var tracker = dose, case .pump(let reading)? = sample.reading, sample.lastError == nil else { return }
        // Treating, or treating with only the heater held off (the infusion pump runs).
        if !tracker.counting, [.treating, .safe(.heaterOff, during: .treating)].contains(interlock.lifecycle) {
            tracker.startCounting()
            journal(.note, source: "infusion", "counting the dose from here: target \(tracker.progress.targetMilliliters) mL")
        }
        let wasComplete = tracker.progress.isComplete
        tracker.observe(counter: reading.deliveredVolume.milliliters)
        dose = tracker
        guard !wasComplete, tracker.progress.isComplete else { return }
        journal(.note, source: "infusion", "dose delivered: \(tracker.progress); ending the infusion")
        publish(.doseDelivered(tracker.progress))
        let actions = interlock.handle(.command(.endTreatment))
        journal(.command, source: "infusion", "endTreatment (dose delivered)")
        await apply(actions)
    }

    private func handle(_ event: InterlockEvent) async {
        await apply(interlock.handle(event))
    }

    /// Applies the interlock's actions in the order given (outputs first, in the safe order).
    func apply(_ actions: [InterlockAction]) async {
        var tripTimes: [(SafetyRequirement, Double)] = []
        var lastSafing: ContinuousClock.Instant? = nil
        let outputs = actions.compactMap { action -> OutputCommand? in
            if case .output(let command) = action { return command }
            return nil
        }
        // A safe state's commands go to every bus at once, each bus's in the safe order
        // (the blood pump stops before the clamp closes on the same line). Anything that
        // starts something keeps the global order: no plasma pump before the blood pump runs.
        if outputs.count > 1, outputs.allSatisfy(\.action.isSafing) {
            lastSafing = await applyAcrossBuses(outputs)
        }
        for action in actions {
            switch action {
            case .output(let command):
                guard lastSafing == nil else { continue }  // already applied across the buses
                let finished = await apply(command)
                if command.action.isSafing { lastSafing = finished }
            case .alarmRaised(let fault):
                journal(.alarmRaised, source: "interlock", "\(fault.requirement) \(fault)",
                        ["sr": "\(fault.requirement)", "condition": "\(fault.condition)", "priority": "\(fault.priority)"])
                publish(.alarmRaised(fault))
                tripTimes.append((fault.requirement, fault.trippedAt))
            case .alarmEscalated(let fault):
                journal(.alarmRaised, source: "interlock", "escalated \(fault.requirement) \(fault)", ["sr": "\(fault.requirement)"])
                publish(.alarmEscalated(fault))
            case .alarmAcknowledged(let condition):
                journal(.acknowledgement, source: "operator", "acknowledged \(condition)", ["sr": "\(condition.requirement)"])
                publish(.alarmAcknowledged(condition))
            case .alarmConditionCleared(let condition):
                journal(.alarmCleared, source: "interlock", "condition cleared \(condition), awaiting acknowledgement")
                publish(.alarmConditionCleared(condition))
            case .alarmCleared(let condition):
                journal(.alarmCleared, source: "interlock", "alarm cleared \(condition)", ["sr": "\(condition.requirement)"])
                publish(.alarmCleared(condition))
            case .lifecycleChanged(let from, let to):
                journal(.stateChange, source: "interlock", "\(from) -> \(to)", ["from": "\(from)", "to": "\(to)"])
                publish(.lifecycleChanged(from: from, to: to))
            case .selfTestEvaluated(let passed, let failures):
                journal(.note, source: "self-test", passed ? "self-test passed" : "self-test failed: " + failures.joined(separator: "; "))
            case .commandResult(let command, let result):
                journal(.commandResult, source: "interlock", "\(command): \(result)")
                publish(.commandResult(command, result))
            case .eventIgnored:
                break
            }
        }
        if let lastSafing {
            for (requirement, trippedAt) in tripTimes {
                reactionTimes.append((requirement, max(0, seconds(lastSafing) - trippedAt)))
            }
        }
    }

    /// One actuator command on the wire; returns when the device acknowledged it.
    @discardableResult
    func apply(_ command: OutputCommand) async -> ContinuousClock.Instant {
        guard let actuator = actuatorCommand(for: command) else { return .now }
        let started = ContinuousClock.now
        let result = await runtime.performSupervised(actuator)
        let finished = ContinuousClock.now
        await record(actuator, result, elapsed: started.duration(to: finished))
        return finished
    }

    /// Safing commands on every bus concurrently, in order within each bus; returns when
    /// the last one was acknowledged (or failed). Results are journalled in the interlock's order.
    private func applyAcrossBuses(_ commands: [OutputCommand]) async -> ContinuousClock.Instant {
        let actuators = commands.compactMap { actuatorCommand(for: $0) }
        var byBus: [String: [(index: Int, command: ActuatorCommand)]] = [:]
        for (index, actuator) in actuators.enumerated() {
            byBus[runtime.bus(of: actuator.role) ?? "", default: []].append((index, actuator))
        }
        typealias Outcome = (index: Int, result: Result<Void, DeviceError>, elapsed: Duration, finished: ContinuousClock.Instant)
        let runtime = self.runtime
        var outcomes: [Outcome] = []
        await withTaskGroup(of: [Outcome].self) { group in
            for queue in byBus.values {
                group.addTask {
                    var done: [Outcome] = []
                    for (index, actuator) in queue {
                        let started = ContinuousClock.now
                        let result = await runtime.performSupervised(actuator)
                        let finished = ContinuousClock.now
                        done.append((index, result, started.duration(to: finished), finished))
                    }
                    return done
                }
            }
            for await done in group { outcomes += done }
        }
        for outcome in outcomes.sorted(by: { $0.index < $1.index }) {
            await record(actuators[outcome.index], outcome.result, elapsed: outcome.elapsed)
        }
        return outcomes.map(\.finished).max() ?? .now
    }

    /// The device command for an interlock output (nil when the circuit lacks the device);
    /// remembers commanded pump speeds for the tachometer check.
    func actuatorCommand(for command: OutputCommand) -> ActuatorCommand? {
        let actuator: ActuatorCommand
        switch command.action {
        case .stopPump(let pump):
            commandedSpeed[pump] = .zero
            guard let role = InterlockMapping.circuitRole(pump) else { return nil }
            actuator = .stopPump(role)
        case .runPump(let pump, let flow):
            guard let role = InterlockMapping.circuitRole(pump) else { return nil }
            // The calibration the pump was actually given (a technician's, or the file's nominal).
            let tubing = runtime.calibration(of: role)?.calibration.millilitersPerRevolution
                ?? circuit.device(role)?.tubingMillilitersPerRevolution ?? 8
            commandedSpeed[pump] = .rpm(flow.millilitersPerMinute / tubing)
            actuator = .runPump(role, flow)
        case .closeReturnClamp: actuator = .closeClamp
        case .openReturnClamp: actuator = .openClamp
        case .heaterOff: actuator = .disableHeater
        case .heaterOn(let target): actuator = .enableHeater(target)
        }
        guard circuit.device(actuator.role) != nil else { return nil }
        return actuator
    }

    /// Journals and reports how a device took a command; a refused or lost command counts
    /// as the device failing (SR-16).
    private func record(_ actuator: ActuatorCommand, _ result: Result<Void, DeviceError>, elapsed: Duration) async {
        switch result {
        case .success:
            journal(.deviceEvent, source: actuator.role.rawValue, "\(actuator): acknowledged on the wire", ["ms": "\(elapsed.milliseconds)"])
        case .failure(let error):
            journal(.deviceEvent, source: actuator.role.rawValue, "\(actuator): FAILED \(error)", ["kind": error.kind.rawValue])
            // The device did not take the command: the interlock counts it (SR-16).
            for role in InterlockMapping.deviceRoles(actuator.role) {
                await apply(interlock.handle(.readingFailed(role, error.kind)))
            }
        }
        publish(.actuatorCommanded(actuator, result, elapsed: elapsed))
    }

    // MARK: Journal and subscribers

    /// Tells every subscriber, and the host's logger.
    func publish(_ event: SupervisorEvent) {
        logger.log(level: event.logLevel, "\(event)", metadata: event.logMetadata)
        for continuation in subscribers.values { continuation.yield(event) }
    }

    func journal(_ kind: JournalEntry.Kind, source: String, _ message: String, _ fields: [String: String] = [:]) {
        guard let journal else { return }
        do {
            try journal.append(kind: kind, source: source, message: message, fields: fields)
        } catch {
            // A journal that cannot write is itself a hazard to report, never a reason to stop
            // supervising: the host hears of every entry lost (logged at .critical with the
            // entry, so its own log keeps what the journal could not, and as an event).
            let shownFields = fields.isEmpty ? "" : " " + fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            publish(.journalFailed("\(error); entry lost: \(kind) from \(source): \(message)\(shownFields)"))
        }
    }

    private func journalNote(_ message: String) { journal(.note, source: "supervisor", message) }

    /// Journals a note from the host (why a treatment ended, say), under `source`.
    public func recordNote(_ message: String, source: String) { journal(.note, source: source, message) }
}

extension Duration {
    /// Whole and fractional milliseconds, for reports.
    var milliseconds: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) * 1e-15 }
}
