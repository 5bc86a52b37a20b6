/// The lifecycle as SAFETY.md draws it: the phases, with `safe(S1|S2|S2-warm|heater off)`
/// reachable from every active phase and `fault` from all.
///
/// Derived from the phase and the safe state in force (a latched hold or an active
/// fault's reaction), never stored separately, so it cannot disagree with the outputs:
/// every hold that reduces the outputs shows here, the heater held off after SR-11 as
/// `safe(heater off) during treating`.
public enum Lifecycle: Hashable, Sendable, CustomStringConvertible {
    /// No treatment.
    case idle
    /// Self-test in progress.
    case selfTest
    /// Priming.
    case priming
    /// Primed, ready to start.
    case ready
    /// Treating.
    case treating
    /// Paused by the operator.
    case paused
    /// Ending.
    case ending
    /// A safe state in force during `phase` (which a resume returns to).
    case safe(SafeState, during: TreatmentPhase)
    /// Fault: self-test failed or hardware unrecoverable.
    case fault

    /// The lifecycle of a phase with no safe state in force.
    public init(_ phase: TreatmentPhase) {
        switch phase {
        case .idle: self = .idle
        case .selfTest: self = .selfTest
        case .priming: self = .priming
        case .ready: self = .ready
        case .treating: self = .treating
        case .paused: self = .paused
        case .ending: self = .ending
        case .fault: self = .fault
        }
    }

    /// The safe state in force, if any.
    public var safeState: SafeState? {
        if case .safe(let state, _) = self { return state }
        return nil
    }

    /// The treatment phase underneath (what a resume returns to).
    public var phase: TreatmentPhase {
        switch self {
        case .idle: .idle
        case .selfTest: .selfTest
        case .priming: .priming
        case .ready: .ready
        case .treating: .treating
        case .paused: .paused
        case .ending: .ending
        case .fault: .fault
        case .safe(_, let phase): phase
        }
    }

    /// "treating", "safe(S1) during treating", "safe(heater off) during treating"…
    public var description: String {
        switch self {
        case .safe(let state, let phase): "safe(\(state)) during \(phase)"
        case .idle: "idle"
        case .selfTest: "selfTest"
        case .priming: "priming"
        case .ready: "ready"
        case .treating: "treating"
        case .paused: "paused"
        case .ending: "ending"
        case .fault: "fault"
        }
    }
}
