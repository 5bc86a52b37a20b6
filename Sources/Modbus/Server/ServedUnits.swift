import Synchronization

/// The unit ids one server answers for (several on one RS-485 line, as on a
/// multi-drop bus), with each unit's injected fault and counters.
public final class ServedUnits: Sendable {
    private struct State {
        var models: [UInt8: any ModbusDataModel]
        var faults: [UInt8: ActiveFault] = [:]
        var requestsServed = 0
        var framesDropped = 0
    }
    private let state: Mutex<State>

    /// Serves each unit id of `models` with its model.
    public init(_ models: [UInt8: any ModbusDataModel]) {
        state = Mutex(State(models: models))
    }

    /// Serves `unit` with `model` from now on (replacing any model it had).
    public func add(unit: UInt8, model: any ModbusDataModel) { state.withLock { $0.models[unit] = model } }
    /// Stops answering for `unit`.
    public func remove(unit: UInt8) { _ = state.withLock { $0.models.removeValue(forKey: unit) } }
    /// The unit ids served, ascending.
    public var units: [UInt8] { state.withLock { $0.models.keys.sorted() } }
    /// The model serving `unit`, if any.
    public func model(for unit: UInt8) -> (any ModbusDataModel)? { state.withLock { $0.models[unit] } }
    /// Every model served.
    public var allModels: [any ModbusDataModel] { state.withLock { Array($0.models.values) } }

    /// Makes `unit` misbehave for the next `count` replies (nil: until cleared).
    public func inject(_ fault: ModbusServerFault, unit: UInt8, count: Int? = nil) {
        state.withLock { $0.faults[unit] = ActiveFault(fault: fault, remaining: count) }
    }

    /// Makes `unit` behave again.
    public func clearFault(unit: UInt8) { _ = state.withLock { $0.faults.removeValue(forKey: unit) } }

    /// Requests answered (or deliberately not answered) so far.
    public var requestsServed: Int { state.withLock { $0.requestsServed } }
    /// Frames dropped for a bad CRC, bad length or garbage.
    public var framesDropped: Int { state.withLock { $0.framesDropped } }

    func noteDropped() { state.withLock { $0.framesDropped += 1 } }

    /// Takes the fault that applies to this reply, counting it down.
    func takeFault(unit: UInt8) -> ModbusServerFault? {
        state.withLock { s in
            s.requestsServed += 1
            guard var active = s.faults[unit] else { return nil }
            if let remaining = active.remaining {
                if remaining <= 1 { s.faults.removeValue(forKey: unit) } else {
                    active.remaining = remaining - 1
                    s.faults[unit] = active
                }
            }
            return active.fault
        }
    }
}
