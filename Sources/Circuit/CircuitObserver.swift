public import CircuitConfiguration
import HardwareInterfaces
public import Interlock

/// One limit a role is watched against, as the circuit's interlock configuration sets it.
public struct RoleLimit: Sendable, Equatable, CustomStringConvertible {
    /// How the value is compared with ``value``.
    public enum Comparison: String, Sendable {
        /// Alarm above the value.
        case above
        /// Alarm below the value.
        case below
        /// Alarm when two redundant readings differ by more than the value.
        case disagreement
        /// Alarm on any detection (no number).
        case anyDetection
        /// Readings older than the value (seconds) are stale.
        case olderThan
        /// The allowed set-point range (minimum, maximum): a range, not an alarm level.
        case setpointRange
    }

    /// The limit's name in circuit files ("venousPressureHigh"), or the rule's name.
    public var name: String
    /// The SAFETY.md row ("SR-2"), if any.
    public var requirement: String?
    /// How ``value`` is compared with the reading.
    public var comparison: Comparison
    /// The level, or the range's minimum.
    public var value: Double?
    /// The range's maximum (``Comparison/setpointRange`` only).
    public var maximum: Double?
    /// The unit of ``value`` and ``maximum`` ("mmHg", "°C", "ppm", "s").
    public var unit: String

    /// "SR-2 > 300.0 mmHg".
    public var description: String {
        let prefix = requirement.map { "\($0) " } ?? ""
        let number = { (v: Double) in v == v.rounded() && abs(v) < 1e6 ? String(Int(v)) : String(v) }
        switch comparison {
        case .above: return "\(prefix)> \(number(value ?? 0)) \(unit)"
        case .below: return "\(prefix)< \(number(value ?? 0)) \(unit)"
        case .disagreement: return "\(prefix)Δ > \(number(value ?? 0)) \(unit)"
        case .anyDetection: return "\(prefix)any"
        case .olderThan: return "\(prefix)age > \(number(value ?? 0)) \(unit)"
        case .setpointRange: return "\(prefix)\(number(value ?? 0))-\(number(maximum ?? 0)) \(unit)"
        }
    }
}

/// What the interlock's rules say about a role now.
public struct RoleAlarm: Sendable, Equatable, CustomStringConvertible {
    /// Where an alarm stands in its persistence and latch.
    public enum State: String, Sendable {
        /// Tripped, its condition holds.
        case active
        /// Tripped and latched; its condition has gone, an acknowledgement would clear it.
        case latched
        /// The condition holds; its persistence time has not yet elapsed.
        case pending
    }

    /// "SR-2".
    public var requirement: String
    /// "SR-2 venous pressure high", "SR-15 stale data (filtratePressure)".
    public var condition: String
    /// Tripped and holding, latched and cleared, or pending its persistence.
    public var state: State
    /// What was seen, when the alarm tripped.
    public var detail: String

    /// "SR-2 venous pressure high active (venous 320.0 mmHg)".
    public var description: String { "\(condition) \(state.rawValue)" + (detail.isEmpty ? "" : " (\(detail))") }
}

/// Watches a circuit read-only with the interlock's own monitoring rules (limits,
/// persistence, latching, phase table) without commanding anything: every sample and
/// tick goes to a private interlock that observes as during `phase`, and whose outputs
/// nobody applies. For `hepabus monitor`.
///
/// An observer commands nothing, so it cannot judge a tachometer against a command
/// (SR-12), count from a treatment's start (SR-14) or hold a self-test result (SR-18):
/// those never show.
public struct CircuitObserver: Sendable {
    /// The circuit observed.
    public let circuit: CircuitConfiguration
    /// The phase the observer judges as during (which rows apply: see the monitoring policy).
    public let phase: TreatmentPhase
    private var interlock: Interlock
    private let origin: ContinuousClock.Instant

    /// An observer of `circuit`, judging as during `phase` (an active phase), the circuit's
    /// limits checked against the hard bounds as for a treatment.
    public init(circuit: CircuitConfiguration, phase: TreatmentPhase = .treating, origin: ContinuousClock.Instant = .now) throws {
        guard phase.isActive else { throw CircuitError("an observer judges as during an active phase, not \(phase)") }
        self.circuit = circuit
        self.phase = phase
        self.origin = origin
        interlock = .observer(configuration: try InterlockMapping.configuration(for: circuit), phase: phase, startTime: 0)
    }

    private func seconds(_ instant: ContinuousClock.Instant) -> Double {
        let elapsed = origin.duration(to: instant)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    /// One poll's outcome.
    public mutating func observe(_ sample: RoleSample) {
        let time = sample.lastError == nil ? sample.sampledAt.map(seconds) ?? seconds(.now) : seconds(.now)
        for event in InterlockMapping.events(for: sample, at: time, commanded: .zero) {
            _ = interlock.handle(event)
        }
    }

    /// Time passing (persistence, stale data).
    public mutating func tick(at instant: ContinuousClock.Instant = .now) {
        _ = interlock.handle(.tick(at: seconds(instant)))
    }

    /// The alarms of `role`: tripped (active or latched) and pending.
    public func alarms(for role: CircuitRole) -> [RoleAlarm] {
        var result: [RoleAlarm] = []
        for fault in interlock.state.faults where Self.shows(fault.condition) && Self.roles(of: fault.condition).contains(role) {
            result.append(RoleAlarm(requirement: fault.requirement.id, condition: Self.name(fault.condition),
                                    state: fault.isConditionPresent ? .active : .latched, detail: fault.detail))
        }
        for condition in interlock.pendingConditions where Self.shows(condition) && Self.roles(of: condition).contains(role) {
            result.append(RoleAlarm(requirement: condition.requirement.id, condition: Self.name(condition), state: .pending, detail: ""))
        }
        return result
    }

    /// The limits `role` is watched against, from the circuit's interlock configuration.
    public func limits(for role: CircuitRole) -> [RoleLimit] {
        let l = interlock.configuration.limits
        func mmHg(_ name: String, _ sr: String, _ c: RoleLimit.Comparison, _ p: Pressure) -> RoleLimit {
            RoleLimit(name: name, requirement: sr, comparison: c, value: p.millimetersOfMercury, unit: "mmHg")
        }
        func celsius(_ name: String, _ sr: String, _ c: RoleLimit.Comparison, _ t: Temperature) -> RoleLimit {
            RoleLimit(name: name, requirement: sr, comparison: c, value: t.degreesCelsius, unit: "°C")
        }
        var result: [RoleLimit]
        switch role {
        case .venousPressure:
            result = [mmHg("venousPressureLow", "SR-3", .below, l.venousPressureLow), mmHg("venousPressureHigh", "SR-2", .above, l.venousPressureHigh)]
        case .arterialPressure: result = [mmHg("arterialPressureLow", "SR-4", .below, l.arterialPressureLow)]
        case .preFilterPressure: result = [mmHg("preFilterPressureHigh", "SR-5", .above, l.preFilterPressureHigh)]
        case .filtratePressure:
            // TMP = (pre-filter + venous) / 2 − filtrate: shown with the filtrate pressure.
            result = [mmHg("transmembranePressureHigh", "SR-6", .above, l.transmembranePressureHigh)]
        case .plasmaTemperature:
            result = [celsius("plasmaTemperatureVeryLow", "SR-9", .below, l.plasmaTemperatureVeryLow),
                      celsius("plasmaTemperatureLow", "SR-9", .below, l.plasmaTemperatureLow),
                      celsius("plasmaTemperatureHigh", "SR-8", .above, l.plasmaTemperatureHigh),
                      RoleLimit(name: "temperatureProbeDisagreement", requirement: "SR-10", comparison: .disagreement,
                                value: l.temperatureProbeDisagreement, unit: "°C")]
        case .plasmaHeater: result = [celsius("heaterElementHigh", "SR-11", .above, l.heaterElementHigh)]
        case .bloodLeakDetector:
            result = [RoleLimit(name: "bloodLeak", requirement: "SR-7", comparison: .above, value: l.bloodLeak.partsPerMillion, unit: "ppm")]
        case .airDetector: result = [RoleLimit(name: "airAtReturnLine", requirement: "SR-1", comparison: .anyDetection, unit: "")]
        case .bloodPump, .plasmaPump, .recirculationPump, .infusionPump, .heparinPump, .bioreactorTemperature: result = []
        }
        if let pump = InterlockMapping.pumpRole(role) {
            let range = l.flowRanges[pump]
            result.append(RoleLimit(name: "flowRange", requirement: nil, comparison: .setpointRange,
                                    value: range.minimum.millilitersPerMinute, maximum: range.maximum.millilitersPerMinute, unit: "mL/min"))
        } else if let range = circuit.flows[role] {
            result.append(RoleLimit(name: "flowRange", requirement: nil, comparison: .setpointRange,
                                    value: range.lowerBound, maximum: range.upperBound, unit: "mL/min"))
        }
        // SR-15: the tightest deadline of the interlock roles behind this circuit role.
        if let deadline = InterlockMapping.deviceRoles(role).map({ l.staleDeadlines[$0] }).min() {
            result.append(RoleLimit(name: "staleDeadline", requirement: "SR-15", comparison: .olderThan, value: deadline, unit: "s"))
        }
        return result
    }

    /// Whether an observer may show `condition` (see the type's documentation).
    static func shows(_ condition: Condition) -> Bool { condition.kind.isJudgedByObservers }

    /// "SR-2 venous pressure high", "SR-16 device lost (venousPressure)".
    static func name(_ condition: Condition) -> String {
        "\(condition.requirement.id) \(condition.kind)" + (condition.subject.map { " (\($0))" } ?? "")
    }

    /// The circuit roles a condition is about.
    static func roles(of condition: Condition) -> [CircuitRole] {
        if let subject = condition.subject {
            return CircuitRole.allCases.filter { InterlockMapping.deviceRoles($0).contains(subject) }
        }
        switch condition.kind {
        case .airAtReturnLine: return [.airDetector]
        case .venousPressureHigh, .venousPressureLow: return [.venousPressure]
        case .arterialPressureLow: return [.arterialPressure]
        case .preFilterPressureHigh: return [.preFilterPressure]
        case .transmembranePressureHigh: return [.filtratePressure]
        case .bloodLeak: return [.bloodLeakDetector]
        case .plasmaTemperatureHigh, .plasmaTemperatureLow, .plasmaTemperatureVeryLow, .temperatureProbesDisagree: return [.plasmaTemperature]
        case .heaterElementOverTemperature: return [.plasmaHeater]
        case .bloodPumpStopped: return [.bloodPump]
        default: return []
        }
    }
}
