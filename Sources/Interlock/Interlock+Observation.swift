extension Interlock {
    /// A machine that watches a circuit as the interlock would during `phase`, for a
    /// read-only monitor: it was not driven there by operator commands (no self-test, no
    /// treatment start), and nobody applies its outputs. Feed it readings, failures and
    /// ticks; read ``InterlockState/faults`` and ``pendingConditions``.
    ///
    /// Conditions that depend on a treatment's own history cannot be judged by an
    /// observer and stay absent: SR-14 (counted from the treatment's start, which an
    /// observer never saw) and SR-18 (raised by a self-test). SR-12 compares a tachometer
    /// with a command an observer never gave: callers should not show it (see
    /// ``ConditionKind/isJudgedByObservers``).
    ///
    /// - Precondition: `phase` watches conditions (``TreatmentPhase/isActive``).
    public static func observer(configuration: InterlockConfiguration, phase: TreatmentPhase, startTime: Double) -> Interlock {
        precondition(phase.isActive, "an observer watches as during an active phase, not \(phase)")
        var machine = Interlock(configuration: configuration, startTime: startTime)
        machine.state.phase = phase
        machine.state.monitoringSince = startTime
        return machine
    }

    /// The conditions holding now whose persistence has not yet elapsed: an alarm on its way.
    public var pendingConditions: [Condition] {
        state.onsets.map(\.condition).filter { state.fault($0) == nil }
    }
}

extension ConditionKind {
    /// Whether a read-only observer (``Interlock/observer(configuration:phase:startTime:)``)
    /// can judge this condition: not SR-12 (it needs the speed the pump was commanded),
    /// SR-14 (the treatment's start) or SR-18 (a self-test's result).
    public var isJudgedByObservers: Bool {
        switch self {
        case .pumpSpeedDeviation, .bloodPumpStopped, .selfTestFailed: false
        default: true
        }
    }
}
