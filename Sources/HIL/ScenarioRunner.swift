import Circuit
import CircuitConfiguration
import Foundation
import Interlock
import Journal
public import Logging
import Synchronization

/// What the runner says as it goes (a terminal prints it with timing).
public enum RunProgress: Sendable {
    /// Bring-up and tear-down news.
    case note(String, at: Double)
    /// Step `number` started, `at` seconds into the run.
    case stepStarted(number: Int, title: String, at: Double)
    /// A step finished, with its outcome.
    case stepFinished(StepOutcome)
    /// What the supervisor reported as it happened: alarms, clearances, lifecycle changes.
    case event(String, at: Double)
}

/// A run's result with its trace.
public struct ScenarioRun: Sendable {
    /// Every step's outcome.
    public var result: ScenarioResult
    /// Every signal, traced through the run.
    public var trace: SignalTrace
}

/// Runs a scenario through the real stack: the circuit (simulated on ptys, or a rig), a
/// `CircuitRuntime` polling its buses, the `Supervisor` with the interlock live and the
/// limits tightened as the scenario says, the durable journal; steps in order, every
/// signal traced.
///
/// `within` deadlines count from the latest stimulus (the last injection, operator
/// command or self-test): an expectation checks a reaction, not how long the steps
/// before it took. A failed set-up step (a command refused unexpectedly, a `waitFor`
/// that never came, an injection the simulator refused) skips the rest; a failed
/// expectation is reported and the run goes on.
public struct ScenarioRunner: Sendable {
    /// How a run is traced, journalled and reported.
    public struct Options: Sendable {
        /// How often every signal is traced.
        public var tracePeriod: Duration = .milliseconds(100)
        /// How long to wait for every role's first reading after start.
        public var firstReadingDeadline: Duration = .seconds(5)
        /// Where the journal is written (default: the run directory).
        public var journalPath: String?
        /// The rig operator's terminal.
        public var console: OperatorConsole?
        /// Told what happens as it happens (nil: nobody).
        public var progress: (@Sendable (RunProgress) -> Void)?
        /// The host's logger for the stack under test (runtime and supervisor; frames at
        /// `.trace`). By default nothing is logged.
        public var logger = Logger(label: "hepabus.hil", factory: { _ in SwiftLogNoOpLogHandler() })
        /// The supervisor's own logger, when it should differ from ``logger`` (the CLI traces
        /// frames without the supervisor's debug lines). Nil: ``logger``.
        public var supervisorLogger: Logger?

        /// Defaults: traced every 100 ms, 5 s for the first readings, the journal in the run
        /// directory, no console, no progress.
        public init() {}
    }

    /// The scenario run.
    public let scenario: Scenario
    /// How it is run.
    public let options: Options

    /// A runner of `scenario`.
    public init(scenario: Scenario, options: Options = Options()) {
        self.scenario = scenario
        self.options = options
    }

    /// Brings the circuit up, runs every step in order, tears it down; never throws: a failure
    /// is in the result (a set-up error, or a step's outcome).
    public func run() async -> ScenarioRun {
        let wallStart = ISO8601DateFormatter().string(from: Date())
        let origin = ContinuousClock.now
        let signals = SignalCatalog.signals(for: scenario.circuit)
        var trace = SignalTrace(columns: signals.map { .init(name: $0.name, unit: $0.unit, panel: $0.panel) })
        func result(_ steps: [StepOutcome], _ setupError: String?) -> ScenarioResult {
            ScenarioResult(scenario: scenario.name, file: scenario.file, target: scenario.target.rawValue, timestamp: wallStart,
                           duration: origin.duration(to: .now).seconds, steps: steps, setupError: setupError)
        }
        // Progress times count from the steps' start once it is known (bring-up news from the origin).
        let zero = Mutex(origin)
        let elapsed: @Sendable () -> Double = { zero.withLock { $0 }.duration(to: .now).seconds }
        let note: @Sendable (String) -> Void = { [options] text in options.progress?(.note(text, at: elapsed())) }

        // 1. The circuit and the stack.
        let cut: CircuitUnderTest
        let runtime: CircuitRuntime
        let supervisor: Supervisor
        let journal: EventJournal
        do {
            cut = scenario.target == .simulator ? try CircuitUnderTest.simulated(scenario.circuit) : try CircuitUnderTest.rig(scenario.circuit)
        } catch {
            return ScenarioRun(result: result([], "cannot start the \(scenario.target.rawValue) circuit: \(error)"), trace: trace)
        }
        note(scenario.target == .simulator
             ? "simulated circuit '\(scenario.circuit.name)' on ptys (wire time emulated) in \(cut.runDirectory)"
             : "rig circuit '\(scenario.circuit.name)' at its file's ports")
        do {
            journal = try EventJournal(path: options.journalPath ?? cut.runDirectory + "/journal.log")
            runtime = try await CircuitRuntime(configuration: scenario.circuit, endpoints: cut.endpoints, logger: options.logger)
            supervisor = try Supervisor(runtime: runtime, journal: journal, tightening: scenario.tightening.closure,
                                        logger: options.supervisorLogger)
        } catch {
            cut.stop()
            return ScenarioRun(result: result([], "cannot open the circuit: \(error)"), trace: trace)
        }
        let recorder = EventRecorder()
        let events = await supervisor.events()
        let listener = Task { [options] in
            for await event in events {
                recorder.record(event)
                if let text = Self.progressText(event) { options.progress?(.event(text, at: elapsed())) }
            }
        }
        await supervisor.start()
        let firstReadings = await Self.eventually(within: options.firstReadingDeadline) {
            runtime.snapshot.samples.values.allSatisfy { $0.reading != nil }
        }
        if !firstReadings {
            let missing = runtime.snapshot.samples.values.filter { $0.reading == nil }.map(\.role.rawValue).sorted()
            note("no first reading from \(missing.joined(separator: ", ")) within \(formatDuration(options.firstReadingDeadline))")
        }
        let runStart = ContinuousClock.now
        zero.withLock { $0 = runStart }

        // 2. The trace, sampled on its own task.
        let rows = Mutex<[SignalTrace.Row]>([])
        let sampler = Task { [options] in
            while !Task.isCancelled {
                let snapshot = runtime.snapshot
                let lifecycle = await supervisor.lifecycle
                let faults = await supervisor.activeFaults
                let row = SignalTrace.Row(time: runStart.duration(to: snapshot.takenAt).seconds, lifecycle: lifecycle.description,
                                          safeState: lifecycle.safeState?.description ?? "",
                                          alarms: faults.map { "\($0.condition)" }, values: signals.map { $0.value(snapshot) })
                rows.withLock { $0.append(row) }
                try? await Task.sleep(for: options.tracePeriod)
            }
        }

        // 3. The steps.
        let context = StepExecution(scenario: scenario, cut: cut, runtime: runtime, supervisor: supervisor, recorder: recorder,
                                    signals: signals, runStart: runStart, console: options.console)
        var outcomes: [StepOutcome] = []
        var abortedBy: StepOutcome? = nil
        for (index, step) in scenario.steps.enumerated() {
            let number = index + 1
            let startedAt = runStart.duration(to: .now).seconds
            if let abortedBy {
                let outcome = StepOutcome(number: number, title: step.title, location: step.location.description, status: .skipped,
                                          message: "skipped: step \(abortedBy.number) (\(abortedBy.title)) failed", startedAt: startedAt, duration: 0)
                outcomes.append(outcome)
                options.progress?(.stepFinished(outcome))
                continue
            }
            options.progress?(.stepStarted(number: number, title: step.title, at: startedAt))
            let (passed, message) = await context.execute(step)
            let outcome = StepOutcome(number: number, title: step.title, location: step.location.description,
                                      status: passed ? .passed : .failed, message: message, startedAt: startedAt,
                                      duration: runStart.duration(to: .now).seconds - startedAt)
            outcomes.append(outcome)
            options.progress?(.stepFinished(outcome))
            if !passed, step.action.isSetup { abortedBy = outcome }
        }

        // 4. Tear-down: the supervisor stops, the devices fall back to their own safe states.
        sampler.cancel()
        await sampler.value
        await supervisor.stop()
        listener.cancel()
        journal.close()
        cut.stop()
        note("journal: \(options.journalPath ?? cut.runDirectory + "/journal.log")")

        trace.rows = rows.withLock { $0 }
        trace.markers = Self.markers(recorder.entries(), runStart: runStart)
        return ScenarioRun(result: result(outcomes, nil), trace: trace)
    }

    /// The events worth a progress line (actuator commands are left to the journal).
    static func progressText(_ event: SupervisorEvent) -> String? {
        switch event {
        case .alarmRaised, .alarmEscalated, .alarmConditionCleared, .alarmCleared, .lifecycleChanged, .deviceProblem, .journalFailed: "\(event)"
        default: nil
        }
    }

    /// Alarm trips and safe-state changes, for the plot.
    static func markers(_ entries: [EventRecorder.Entry], runStart: ContinuousClock.Instant) -> [SignalTrace.Marker] {
        var markers: [SignalTrace.Marker] = []
        for entry in entries {
            let time = runStart.duration(to: entry.at).seconds
            switch entry.event {
            case .alarmRaised(let fault):
                markers.append(.init(kind: .alarm, time: time, label: "\(fault.condition)"))
            case .lifecycleChanged(let from, let to) where from.safeState != to.safeState:
                markers.append(.init(kind: .safeState, time: time, label: to.safeState.map { "\($0)" } ?? "\(to)"))
            default:
                break
            }
        }
        return markers
    }

    /// Polls `condition` until it holds or `within` has passed.
    static func eventually(within: Duration, every: Duration = .milliseconds(10), _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + within
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: every)
        }
        return await condition()
    }
}
