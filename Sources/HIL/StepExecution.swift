import Circuit
import CircuitConfiguration
import Foundation
import Interlock
import Synchronization

/// Carries out one step at a time against the running stack and judges it.
final class StepExecution: Sendable {
    let scenario: Scenario
    let cut: CircuitUnderTest
    let runtime: CircuitRuntime
    let supervisor: Supervisor
    let recorder: EventRecorder
    let signals: [Signal]
    let runStart: ContinuousClock.Instant
    let console: OperatorConsole?
    /// The latest stimulus: the instant `within` deadlines count from, and what it was.
    private let stimulus: Mutex<(at: ContinuousClock.Instant, what: String)>

    init(scenario: Scenario, cut: CircuitUnderTest, runtime: CircuitRuntime, supervisor: Supervisor, recorder: EventRecorder,
         signals: [Signal], runStart: ContinuousClock.Instant, console: OperatorConsole?) {
        self.scenario = scenario
        self.cut = cut
        self.runtime = runtime
        self.supervisor = supervisor
        self.recorder = recorder
        self.signals = signals
        self.runStart = runStart
        self.console = console
        self.stimulus = Mutex((runStart, "the start"))
    }

    /// Seconds since the run's start, for messages ("at 3.42 s").
    func time(_ instant: ContinuousClock.Instant = .now) -> String { String(format: "%.2f s", runStart.duration(to: instant).seconds) }

    func markStimulus(_ what: String, at: ContinuousClock.Instant = .now) { stimulus.withLock { $0 = (at, what) } }

    /// Runs `step`; true if it held, with what was seen.
    func execute(_ step: Step) async -> (Bool, String) {
        switch step.action {
        case .selfTest(let expectPass):
            markStimulus("the self-test")
            let (passed, checks) = await supervisor.runSelfTest()
            let failed = checks.filter { !$0.passed }.map(\.description)
            let seen = passed ? "self-test passed (\(checks.count) checks)" : "self-test failed: \(failed.joined(separator: "; "))"
            return (passed == expectPass, passed == expectPass ? seen : "expected the self-test to \(expectPass ? "pass" : "fail"); \(seen) at \(time())")

        case .command(let command, let expectation):
            markStimulus(ScenarioVocabulary.name(of: command))
            let result = await supervisor.perform(command)
            switch (expectation, result) {
            case (.accepted, .accepted):
                return (true, "accepted")
            case (.accepted, .refused(let why)):
                return (false, "expected accepted; refused at \(time()): \(why) (lifecycle \(await supervisor.lifecycle))")
            case (.refused, .accepted):
                return (false, "expected refused; accepted at \(time())")
            case (.refused(let reason), .refused(let why)):
                if let reason, !"\(why)".localizedCaseInsensitiveContains(reason) {
                    return (false, "expected refused with a reason containing '\(reason)'; refused at \(time()): \(why)")
                }
                return (true, "refused: \(why)")
            }

        case .wait(let duration):
            try? await Task.sleep(for: duration)
            return (true, "waited \(formatDuration(duration))")

        case .waitFor(let condition, let within):
            let started = ContinuousClock.now
            let held = await ScenarioRunner.eventually(within: within) { await self.holds(condition).holds }
            let seen = await holds(condition).seen
            if held { return (true, "\(condition) after \(formatDuration(started.duration(to: .now))): \(seen)") }
            return (false, "expected \(condition) within \(formatDuration(within)); at \(time()) \(seen)")

        case .inject(let command, let until, let within):
            return await inject(command, until: until, within: within)

        case .reconnect(let bus):
            // The supervisor readmits a returned port on its own (hotplug add, or its retry
            // every second) after re-identifying every device on it; this asks it now and
            // waits (bounded) until the bus is in use again.
            markStimulus("reconnect \(bus)")
            let deadline = ContinuousClock.now + .seconds(5)
            var outcome = await supervisor.portReturned(bus: bus)
            while ContinuousClock.now < deadline {
                switch outcome {
                case .readmitted, .notLost: return (true, "bus \(bus) re-identified and in use (\(outcome))")
                case .rejected(let why): return (false, "bus \(bus) refused at \(time()): \(why)")
                case .notYet: break
                }
                try? await Task.sleep(for: .milliseconds(100))
                outcome = await supervisor.portReturned(bus: bus)
            }
            return (false, "bus \(bus) not back in use at \(time()): \(outcome)")

        case .expect(let expectation):
            return await check(expectation)
        }
    }

    // MARK: Injections

    private func inject(_ command: String, until: WaitCondition?, within: Duration) async -> (Bool, String) {
        let sentAt = ContinuousClock.now
        markStimulus("'\(command)'", at: sentAt)
        if scenario.target == .rig {
            // Nothing can impose a fault on real hardware from here: the operator does it.
            guard let console else { return (false, "a rig injection needs an operator console") }
            let token = console.ask(until.map { "impose '\(command)' on the rig (the runner watches for \($0))" } ?? "impose '\(command)' on the rig")
            let limit = until == nil ? Duration.seconds(3600) : max(within, .seconds(1))
            var confirmedBy = "the operator"
            let done = await ScenarioRunner.eventually(within: limit, every: .milliseconds(50)) {
                if console.confirmed(after: token) { return true }
                if let until, await self.holds(until).holds { confirmedBy = "\(until) appearing"; return true }
                return false
            }
            markStimulus("'\(command)'")
            return done ? (true, "imposed on the rig, confirmed by \(confirmedBy)") : (false, "'\(command)' was not confirmed within \(formatDuration(limit))")
        }
        do {
            try cut.inject(command)
        } catch {
            return (false, "\(error)")
        }
        guard let until else { return (true, "sent through the control socket") }
        let held = await ScenarioRunner.eventually(within: within) { await self.holds(until).holds }
        let seen = await holds(until).seen
        return held ? (true, "sent; \(until) after \(formatDuration(sentAt.duration(to: .now))): \(seen)")
                    : (false, "sent, but not \(until) within \(formatDuration(within)); at \(time()) \(seen)")
    }

    // MARK: Conditions

    func value(_ signal: String) -> Double? {
        let snapshot = runtime.snapshot
        return signals.first { $0.name == signal }?.value(snapshot)
    }

    func holds(_ condition: WaitCondition) async -> (holds: Bool, seen: String) {
        switch condition {
        case .signal(let name, let comparison):
            guard let v = value(name) else { return (false, "\(name) has no reading") }
            let unit = signals.first { $0.name == name }?.unit ?? ""
            return (comparison.holds(for: v), "\(name) \(formatNumber((v * 100).rounded() / 100)) \(unit)")
        case .lifecycle(let match):
            let lifecycle = await supervisor.lifecycle
            return (match.matches(lifecycle), "lifecycle \(lifecycle)")
        case .cleared(let requirement):
            let present = await supervisor.activeFaults.filter { $0.requirement == requirement && $0.isConditionPresent }
            return (present.isEmpty, present.isEmpty ? "no \(requirement) condition present"
                                                     : "still present: " + present.map { "\($0.condition)" }.joined(separator: ", "))
        }
    }

    // MARK: Expectations

    private func check(_ expectation: Expectation) async -> (Bool, String) {
        let (since, what) = stimulus.withLock { $0 }
        switch expectation {
        case .alarm(let requirement, let subject, let within):
            let deadline = since + within
            func matching() -> EventRecorder.Entry? {
                recorder.entries(since: since).first { entry in
                    guard case .alarmRaised(let fault) = entry.event, fault.requirement == requirement, entry.at <= deadline else { return false }
                    return subject.map { "\(fault.condition)".contains("(\($0))") } ?? true
                }
            }
            _ = await ScenarioRunner.eventually(within: max(.zero, ContinuousClock.now.duration(to: deadline))) { matching() != nil }
            if let entry = matching(), case .alarmRaised(let fault) = entry.event {
                return (true, "\(fault.condition) raised \(formatDuration(since.duration(to: entry.at))) after \(what): \(fault.detail)")
            }
            let seen = recorder.entries(since: since).compactMap { entry -> String? in
                guard case .alarmRaised(let fault) = entry.event else { return nil }
                return "\(fault.condition) at \(time(entry.at))" + (fault.detail.isEmpty ? "" : " (\(fault.detail))")
            }
            return (false, "expected \(requirement)\(subject.map { " (\($0))" } ?? "") within \(formatDuration(within)) of \(what) (by \(time(deadline))); "
                + (seen.isEmpty ? "no alarm was raised" : "seen: \(seen.joined(separator: ", "))")
                + "; active: \(await activeSummary())")

        case .lifecycle(let match, let within):
            let deadline = since + within
            _ = await ScenarioRunner.eventually(within: max(.zero, ContinuousClock.now.duration(to: deadline))) {
                match.matches(await self.supervisor.lifecycle)
            }
            let lifecycle = await supervisor.lifecycle
            if match.matches(lifecycle) { return (true, "lifecycle \(lifecycle) at \(time())") }
            return (false, "expected lifecycle \(match) within \(formatDuration(within)) of \(what); at \(time()) lifecycle \(lifecycle), active: \(await activeSummary())")

        case .noAlarm(let period):
            let from = ContinuousClock.now
            try? await Task.sleep(for: period)
            let raised = recorder.entries(since: from).compactMap { entry -> String? in
                guard case .alarmRaised(let fault) = entry.event else { return nil }
                return "\(fault.condition) at \(time(entry.at))" + (fault.detail.isEmpty ? "" : " (\(fault.detail))")
            }
            let active = await supervisor.activeFaults
            if raised.isEmpty && active.isEmpty { return (true, "no alarm from \(time(from)) to \(time())") }
            return (false, "expected no alarm for \(formatDuration(period)) from \(time(from)); "
                + (raised.isEmpty ? "" : "raised: \(raised.joined(separator: ", ")); ") + "active at \(time()): \(await activeSummary())")

        case .outputs(let outputs, let within):
            let deadline = since + within
            func all() -> [(holds: Bool, seen: String)] { outputs.map { cut.check($0, snapshot: runtime.snapshot) } }
            _ = await ScenarioRunner.eventually(within: max(.zero, ContinuousClock.now.duration(to: deadline))) { all().allSatisfy(\.holds) }
            let checks = all()
            if checks.allSatisfy(\.holds) { return (true, checks.map(\.seen).joined(separator: "; ") + " at \(time())") }
            return (false, "expected \(outputs.map(\.description).joined(separator: ", ")) within \(formatDuration(within)) of \(what); at \(time()) "
                + checks.filter { !$0.holds }.map(\.seen).joined(separator: "; "))

        case .register(let register, let within):
            let deadline = since + within
            _ = await ScenarioRunner.eventually(within: max(.zero, ContinuousClock.now.duration(to: deadline))) { cut.check(register).holds }
            let check = cut.check(register)
            if check.holds { return (true, "\(check.seen) at \(time())") }
            return (false, "expected \(register) within \(formatDuration(within)) of \(what); at \(time()) \(check.seen)")

        case .onWire(let command, let within):
            let deadline = since + within
            func matching() -> (EventRecorder.Entry, Duration)? {
                for entry in recorder.entries(since: since) where entry.at <= deadline {
                    if case .actuatorCommanded(let actuator, .success, let elapsed) = entry.event, Self.matches(actuator, command) {
                        return (entry, elapsed)
                    }
                }
                return nil
            }
            _ = await ScenarioRunner.eventually(within: max(.zero, ContinuousClock.now.duration(to: deadline))) { matching() != nil }
            if let (entry, elapsed) = matching() {
                return (true, "\(command) acknowledged on the wire \(formatDuration(since.duration(to: entry.at))) after \(what) (transaction \(formatDuration(elapsed)))")
            }
            let seen = recorder.entries(since: since).compactMap { entry -> String? in
                guard case .actuatorCommanded(let actuator, let result, _) = entry.event else { return nil }
                if case .failure(let error) = result { return "\(actuator) FAILED (\(error)) at \(time(entry.at))" }
                return "\(actuator) at \(time(entry.at))"
            }
            return (false, "expected \(command) acknowledged on the wire within \(formatDuration(within)) of \(what); "
                + (seen.isEmpty ? "no actuator command was issued" : "seen: \(seen.joined(separator: ", "))"))

        case .signal(let name, let comparison, let within):
            let condition = WaitCondition.signal(name, comparison)
            let deadline = since + within
            _ = await ScenarioRunner.eventually(within: max(.zero, ContinuousClock.now.duration(to: deadline))) { await self.holds(condition).holds }
            let (held, seen) = await holds(condition)
            return held ? (true, "\(seen) at \(time())") : (false, "expected \(condition) within \(formatDuration(within)) of \(what); at \(time()) \(seen)")
        }
    }

    static func matches(_ actuator: ActuatorCommand, _ wanted: WireCommand) -> Bool {
        switch (actuator, wanted.kind) {
        case (.stopPump(let role), .stopPump), (.runPump(let role, _), .runPump), (.faultReset(let role), .faultReset):
            return role.rawValue == wanted.role
        case (.closeClamp, .closeClamp), (.openClamp, .openClamp), (.disableHeater, .heaterOff), (.enableHeater, .heaterOn):
            return true
        default:
            return false
        }
    }

    private func activeSummary() async -> String {
        let faults = await supervisor.activeFaults
        return faults.isEmpty ? "none" : faults.map { "\($0.condition)" }.joined(separator: ", ")
    }
}
