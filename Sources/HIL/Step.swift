public import Interlock

/// One step of a scenario, where it was written, and its one-line title for reports.
public struct Step: Sendable {
    /// What the step does.
    public var action: StepAction
    /// Where it is written.
    public var location: SourceLocation

    /// A step doing `action`, written at `location`.
    public init(action: StepAction, location: SourceLocation) {
        self.action = action
        self.location = location
    }

    /// "expect alarm SR-2 within 2 s", "inject condition returnLineRestriction 5".
    public var title: String { action.title }
}

/// What a step does.
public enum StepAction: Sendable {
    /// The pre-treatment self-test (SR-18), expected to pass or to fail.
    case selfTest(expectPass: Bool)
    /// An operator command through the supervisor, expected accepted or refused.
    case command(OperatorCommand, CommandExpectation)
    /// A plain pause (let the circuit settle).
    case wait(Duration)
    /// Waits until a condition holds; the run stops if it does not within the deadline.
    case waitFor(WaitCondition, within: Duration)
    /// A simulator control command (`hepabus simctl` vocabulary) sent through the control
    /// socket; on a rig, asked of the operator. Optionally waits until its effect shows.
    case inject(command: String, until: WaitCondition?, within: Duration)
    /// Reconnects a bus after its line came back (what the controller does on a hotplug add).
    case reconnect(bus: String)
    /// A check; a failed expectation is reported and the run goes on.
    case expect(Expectation)

    /// Steps that set the stage: if one fails, the steps after it are skipped.
    public var isSetup: Bool {
        if case .expect = self { return false }
        return true
    }

    /// The step in one line, as reports show it ("waitFor lifecycle treating within 5 s").
    public var title: String {
        switch self {
        case .selfTest(let pass): "selfTest (expect \(pass ? "pass" : "fail"))"
        case .command(let command, let expectation): "\(ScenarioVocabulary.name(of: command))\(expectation.suffix)"
        case .wait(let d): "wait \(formatDuration(d))"
        case .waitFor(let condition, let within): "waitFor \(condition) within \(formatDuration(within))"
        case .inject(let command, let until, let within):
            "inject \(command)" + (until.map { ", until \($0) within \(formatDuration(within))" } ?? "")
        case .reconnect(let bus): "reconnect \(bus)"
        case .expect(let e): "expect \(e)"
        }
    }
}

/// What an operator command should get.
public enum CommandExpectation: Sendable, Equatable {
    /// Accepted.
    case accepted
    /// Refused; the reason must contain this text when given.
    case refused(reasonContaining: String?)

    var suffix: String {
        switch self {
        case .accepted: ""
        case .refused(let reason?): " (expect refused: \(reason))"
        case .refused(nil): " (expect refused)"
        }
    }
}

/// A comparison of a signal with a value.
public enum Comparison: Sendable, Equatable, CustomStringConvertible {
    /// Greater than the value.
    case above(Double)
    /// Less than the value.
    case below(Double)
    /// Within `tolerance` of `target` (a flow reached, a temperature settled).
    case near(Double, tolerance: Double)

    /// Whether `value` satisfies the comparison.
    public func holds(for value: Double) -> Bool {
        switch self {
        case .above(let limit): value > limit
        case .below(let limit): value < limit
        case .near(let target, let tolerance): abs(value - target) <= tolerance
        }
    }

    public var description: String {
        switch self {
        case .above(let v): "above \(formatNumber(v))"
        case .below(let v): "below \(formatNumber(v))"
        case .near(let v, let t): "at \(formatNumber(v)) ± \(formatNumber(t))"
        }
    }
}

/// Something to wait for.
public enum WaitCondition: Sendable, Equatable, CustomStringConvertible {
    /// A traced signal compared with a value (`venousPressure above 300`).
    case signal(String, Comparison)
    /// The lifecycle (`treating`, `S1`).
    case lifecycle(LifecycleMatch)
    /// No active alarm of this row has its condition present any more, as the interlock
    /// sees it (`cleared: SR-2`): what a resume waits on, without guessing a delay.
    case cleared(SafetyRequirement)

    public var description: String {
        switch self {
        case .signal(let name, let comparison): "\(name) \(comparison)"
        case .lifecycle(let match): "lifecycle \(match)"
        case .cleared(let requirement): "\(requirement) cleared"
        }
    }
}

/// A lifecycle state as a scenario names it: a phase, or a safe state in any phase.
public enum LifecycleMatch: Sendable, Equatable, CustomStringConvertible {
    /// Exactly this lifecycle (no safe state in force).
    case exactly(Lifecycle)
    /// This safe state in force, in whatever phase.
    case safe(SafeState)

    /// The words a scenario may use: the phases, and the safe states S1, S2, S2-warm and
    /// "heater off" (or safe(S1), safe(S2)…).
    public static func parse(_ text: String) -> LifecycleMatch? {
        if let state = SafeState.allCases.first(where: { text == "\($0)" || text == "safe(\($0))" }) { return .safe(state) }
        guard let phase = TreatmentPhase.allCases.first(where: { $0.description == text }) else { return nil }
        return .exactly(Lifecycle(phase))
    }

    /// Every word a scenario may use for a lifecycle.
    public static let vocabulary = TreatmentPhase.allCases.map(\.description) + SafeState.allCases.reversed().map(\.description)

    /// Whether `lifecycle` is the one named.
    public func matches(_ lifecycle: Lifecycle) -> Bool {
        switch self {
        case .exactly(let wanted): lifecycle == wanted
        case .safe(let state): lifecycle.safeState == state
        }
    }

    public var description: String {
        switch self {
        case .exactly(let l): l.description
        case .safe(let s): "safe(\(s))"
        }
    }
}

/// An actuator's state as a scenario names it.
public enum OutputState: String, Sendable, CaseIterable {
    /// A pump stopped or running, the return clamp closed or open, the heater off or on.
    case stopped, running, closed, open, off, on
}

/// One actuator expected in a state: a pump stopped, the return clamp closed, the heater off.
public struct OutputExpectation: Sendable, Equatable, CustomStringConvertible {
    /// A pump role, `returnClamp` or `heater`.
    public var actuator: String
    /// The state expected.
    public var state: OutputState

    /// `actuator` expected in `state`.
    public init(actuator: String, state: OutputState) {
        self.actuator = actuator
        self.state = state
    }

    public var description: String { "\(actuator) \(state.rawValue)" }
}

/// A register of a simulated device, as the wire left it.
public struct RegisterExpectation: Sendable, Equatable, CustomStringConvertible {
    /// The role whose device is read.
    public var role: String
    /// The register's name in the device's specification.
    public var register: String
    /// A bit of a bits register (its index), or nil for the register's engineering value.
    public var bit: Int?
    /// The bit's name, for messages.
    public var bitName: String?
    /// What the value (or the bit, 0 or 1) must satisfy.
    public var comparison: Comparison

    /// An expectation on `role`'s `register` (or one `bit` of it).
    public init(role: String, register: String, bit: Int?, bitName: String?, comparison: Comparison) {
        self.role = role
        self.register = register
        self.bit = bit
        self.bitName = bitName
        self.comparison = comparison
    }

    public var description: String {
        let what = bit.map { " bit \(bitName ?? String($0))" } ?? ""
        if case .near(let v, _) = comparison { return "\(role) \(register)\(what) = \(formatNumber(v))" }
        return "\(role) \(register)\(what) \(comparison)"
    }
}

/// An actuator command the supervisor issued and the device acknowledged on the wire.
public struct WireCommand: Sendable, Equatable, CustomStringConvertible {
    /// The command.
    public enum Kind: String, Sendable, CaseIterable {
        /// A pump stopped or run, the return clamp closed or opened, the heater off or on, a fault
        /// reset.
        case stopPump, runPump, closeClamp, openClamp, heaterOff, heaterOn, faultReset
        /// Kinds that name a role.
        var takesRole: Bool { self == .stopPump || self == .runPump || self == .faultReset }
    }

    /// The command.
    public var kind: Kind
    /// The role it went to (pump commands and fault resets).
    public var role: String?

    /// A `kind` command, to `role` where it takes one.
    public init(kind: Kind, role: String?) {
        self.kind = kind
        self.role = role
    }

    public var description: String { kind.rawValue + (role.map { " \($0)" } ?? "") }
}

/// A check with its deadline.
public enum Expectation: Sendable, CustomStringConvertible {
    /// This row's alarm raised within `within` of the latest stimulus (optionally for one subject device).
    case alarm(SafetyRequirement, subject: String?, within: Duration)
    /// This lifecycle (or safe state) reached within `within` of the latest stimulus.
    case lifecycle(LifecycleMatch, within: Duration)
    /// No alarm raised during the period, and none active at its end.
    case noAlarm(for: Duration)
    /// Actuators in these states (on the simulated device's registers; on a rig, by the device's read-back).
    case outputs([OutputExpectation], within: Duration)
    /// A simulated device's register, as the wire left it.
    case register(RegisterExpectation, within: Duration)
    /// The supervisor issued this actuator command and the device acknowledged it on the wire.
    case onWire(WireCommand, within: Duration)
    /// A traced signal compared with a value.
    case signal(String, Comparison, within: Duration)

    public var description: String {
        switch self {
        case .alarm(let sr, let subject, let d): "alarm \(sr)\(subject.map { " (\($0))" } ?? "") within \(formatDuration(d))"
        case .lifecycle(let m, let d): "lifecycle \(m) within \(formatDuration(d))"
        case .noAlarm(let d): "no alarm for \(formatDuration(d))"
        case .outputs(let o, let d): "outputs \(o.map(\.description).joined(separator: ", ")) within \(formatDuration(d))"
        case .register(let r, let d): "register \(r) within \(formatDuration(d))"
        case .onWire(let c, let d): "on the wire: \(c) acknowledged within \(formatDuration(d))"
        case .signal(let s, let c, let d): "\(s) \(c) within \(formatDuration(d))"
        }
    }
}

/// "1.5 s", "250 ms".
public func formatDuration(_ d: Duration) -> String {
    let seconds = d.seconds
    if seconds < 1 { return "\(formatNumber((seconds * 10_000).rounded() / 10)) ms" }
    return "\(formatNumber(seconds)) s"
}

/// A number without a needless ".0".
public func formatNumber(_ v: Double) -> String {
    if v == v.rounded(), abs(v) < 1e12 { return String(Int64(v)) }
    var text = String(format: "%.3f", v)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text == "-0" ? "0" : text
}

extension Duration {
    /// Whole and fractional seconds.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
