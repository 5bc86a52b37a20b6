import Foundation

/// The first instant a condition held in the simulated circuit, as the devices saw it:
/// checked after every physics step, once the step has handed its new values to the
/// simulated firmware (so from that instant a poll reads them). For measuring a reaction
/// from the moment a ramp (a pressure, a temperature, a rotor slowing) crossed its limit.
///
/// Resolution: one physics step (``CircuitSimulator/Options/physicsPeriod``, 10 ms by default).
public final class Tripwire: @unchecked Sendable {
    private let lock = NSLock()
    private let condition: @Sendable (CircuitSimulator) -> Bool
    private var crossed: ContinuousClock.Instant?

    init(_ condition: @escaping @Sendable (CircuitSimulator) -> Bool) { self.condition = condition }

    /// When the condition first held, or nil if it has not yet.
    public var crossedAt: ContinuousClock.Instant? { lock.withLock { crossed } }

    /// Checks the condition now (after a physics step); records the first instant it holds.
    func check(_ simulator: CircuitSimulator) {
        guard crossedAt == nil, condition(simulator) else { return }
        let now = ContinuousClock.now
        lock.withLock { if crossed == nil { crossed = now } }
    }
}
