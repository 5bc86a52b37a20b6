/// Everything the interlock remembers: a plain value, `Hashable` so that exhaustive
/// exploration can tell states apart.
public struct InterlockState: Hashable, Sendable {
    /// The treatment phase under any hold.
    public internal(set) var phase: TreatmentPhase = .idle
    /// The safety hold: set when a latched fault with an output reaction trips, lifted only
    /// by an explicit, accepted ``OperatorCommand/resume`` (so a latched trip never ends by
    /// itself, even after its fault was acknowledged and cleared).
    public internal(set) var hold: SafetyReaction?
    /// The self-test of this treatment passed (SR-18).
    public internal(set) var selfTestPassed = false
    /// The operator's flow set-points.
    public internal(set) var setpoints = FlowSetpoints()
    /// The active faults, in SAFETY.md order (``Condition``'s order): the active SET, so the
    /// same faults are the same state whatever order they tripped in (``ActiveFault/trippedAt``
    /// gives the chronology).
    public internal(set) var faults: [ActiveFault] = []
    /// The clock: the latest time any event carried (monotonic seconds).
    public internal(set) var now: Double

    /// When the current monitoring began (leaving idle): the reference for devices that
    /// have not answered since (SR-15).
    var monitoringSince: Double
    /// When the treatment started (ready → treating): the reference for SR-14.
    var treatmentSince: Double?
    /// Persistence timers of the conditions holding now, in ``Condition`` order.
    var onsets: [ConditionOnset] = []
    /// When each non-latching fault that changed the outputs last cleared by itself: one
    /// that trips again soon after latches (``HardBounds/recurrenceLatchWindow``).
    var recentClears: [Condition: Double] = [:]
    /// Latest readings and the histories conditions need.
    var knowledge = CircuitKnowledge()

    init(startTime: Double) {
        now = startTime
        monitoringSince = startTime
        // Everything starts demanded off.
        knowledge.pumpStopDemandedSince = knowledge.pumpStopDemandedSince.map { _ in startTime }
    }

    /// Adds `fault` at its place in the canonical order.
    mutating func insert(_ fault: ActiveFault) {
        let index = faults.firstIndex { fault.condition < $0.condition } ?? faults.endIndex
        faults.insert(fault, at: index)
    }

    /// Starts `condition`'s persistence timer at `time`, at its place in the canonical order.
    mutating func startOnset(_ condition: Condition, at time: Double) {
        let index = onsets.firstIndex { condition < $0.condition } ?? onsets.endIndex
        onsets.insert(ConditionOnset(condition: condition, since: time), at: index)
    }

    /// The active fault for `condition`, if any.
    public func fault(_ condition: Condition) -> ActiveFault? { faults.first { $0.condition == condition } }

    /// Some fault is not yet acknowledged.
    public var hasUnacknowledgedFault: Bool { faults.contains { !$0.isAcknowledged } }

    /// Diagnostics writes (register writes, calibration, manual pump runs) are allowed only in
    /// idle (SAFETY.md, command gating); the supervisor must also hold the bus exclusively.
    public var permitsDiagnostics: Bool { phase == .idle }

    /// The position the return clamp last reported, if the air detector has answered.
    public var returnClampPosition: ReturnClampPosition? { knowledge.air?.clampPosition }

    /// The reaction in force: the join (``SafetyReaction/joined(with:)``) of the hold's and
    /// every active fault's reaction; the outputs are derived from it.
    public var reactionInForce: SafetyReaction? {
        SafetyReaction.joined(faults.map(\.reaction) + (hold.map { [$0] } ?? []))
    }

    /// The safe state in force: that of the reaction in force (every reaction that reduces
    /// the outputs, heater off included, so no hold is invisible in the lifecycle).
    public var safeState: SafeState? { reactionInForce?.safeState }

    /// The lifecycle as SAFETY.md draws it.
    public var lifecycle: Lifecycle {
        guard phase.isActive, let safeState else { return Lifecycle(phase) }
        return .safe(safeState, during: phase)
    }
}
