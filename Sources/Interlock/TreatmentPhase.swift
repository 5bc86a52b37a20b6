/// Where the treatment is: the operator-driven lifecycle underneath any safety hold.
///
/// `idle -> selfTest -> priming -> ready -> treating <-> paused -> ending -> idle`, and
/// `fault` (self-test failure, unrecoverable hardware) from any phase. A trip does not
/// change the phase: it overlays a hold (see ``Lifecycle/safe(_:during:)``), so that
/// resuming returns exactly to where the treatment was.
public enum TreatmentPhase: Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// No treatment; nothing is monitored and nothing runs.
    case idle
    /// The protective system is being tested (SR-18); nothing runs.
    case selfTest
    /// The circuit is being filled with priming solution: pumps at their set flows, clamp open.
    case priming
    /// Primed, waiting to start: only the bioreactor loop runs (kept perfused and warm).
    case ready
    /// Treatment: every pump at its set flow, heater on, clamp open.
    case treating
    /// Treatment paused by the operator: blood and bioreactor loops keep running, no
    /// plasma is drawn or returned.
    case paused
    /// Treatment over: everything stopped and clamped while the patient is disconnected.
    case ending
    /// The machine has given up (self-test failed or hardware unrecoverable): everything
    /// off until the operator acknowledges and returns to idle.
    case fault

    /// The phase watches conditions and can trip (every phase but idle and fault).
    public var isActive: Bool { self != .idle && self != .fault }

    /// The phase's name.
    public var description: String {
        switch self {
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
