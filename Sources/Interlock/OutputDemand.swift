public import HardwareInterfaces

/// What the heater must do.
public enum HeaterDemand: Hashable, Sendable, CustomStringConvertible {
    /// Off.
    case off
    /// On, regulating the plasma to the target.
    case on(target: Temperature)

    /// "off" or "on(37.00 °C)".
    public var description: String {
        switch self {
        case .off: "off"
        case .on(let target): "on(\(target))"
        }
    }
}

/// Where the return-line clamp must be.
public enum ClampDemand: Hashable, Sendable, CustomStringConvertible {
    /// Open: blood may return to the patient.
    case open
    /// Closed: nothing returns to the patient (S1).
    case closed

    /// "open" or "closed".
    public var description: String { self == .open ? "open" : "closed" }
}

/// The outputs the interlock demands: each pump's flow (zero: stopped; nil: no such pump
/// in the circuit), the heater and the return-line clamp.
///
/// Always the value of ``requiredOutputs(activeFaults:phase:hold:setpoints:configuration:)``
/// for the machine's current state: a function of the active faults, not of history.
public struct OutputDemand: Hashable, Sendable, CustomStringConvertible {
    /// Blood pump flow.
    public internal(set) var bloodPump: FlowRate?
    /// Plasma pump flow.
    public internal(set) var plasmaPump: FlowRate?
    /// Recirculation pump flow.
    public internal(set) var recirculationPump: FlowRate?
    /// Plasma return pump flow.
    public internal(set) var plasmaReturnPump: FlowRate?
    /// Infusion pump flow.
    public internal(set) var infusionPump: FlowRate?
    /// The heater.
    public internal(set) var heater: HeaterDemand
    /// The return-line clamp.
    public internal(set) var returnClamp: ClampDemand

    /// The flow of `pump`, nil if the circuit has none.
    public internal(set) subscript(pump: PumpRole) -> FlowRate? {
        get {
            switch pump {
            case .blood: bloodPump
            case .plasma: plasmaPump
            case .recirculation: recirculationPump
            case .plasmaReturn: plasmaReturnPump
            case .infusion: infusionPump
            }
        }
        set {
            switch pump {
            case .blood: bloodPump = newValue
            case .plasma: plasmaPump = newValue
            case .recirculation: recirculationPump = newValue
            case .plasmaReturn: plasmaReturnPump = newValue
            case .infusion: infusionPump = newValue
            }
        }
    }

    /// Some pump is demanded to run.
    public var anyPumpRuns: Bool { PumpRole.allCases.contains { runs($0) } }

    /// `pump` is demanded to run (flow above zero).
    public func runs(_ pump: PumpRole) -> Bool { (self[pump]?.millilitersPerMinute ?? 0) > 0 }

    /// The demand is S1: every pump stopped, heater off, clamp closed.
    public var isPatientSafe: Bool { !anyPumpRuns && heater == .off && returnClamp == .closed }

    /// The demand satisfies S2: plasma, recirculation and return pumps stopped, heater off.
    public var isPlasmaBypassed: Bool {
        !runs(.plasma) && !runs(.recirculation) && !runs(.plasmaReturn) && heater == .off
    }

    /// The demand satisfies S2-warm: no plasma drawn from or returned to the patient (plasma
    /// and plasma-return pumps stopped); recirculation and heater are free.
    public var isPlasmaIsolated: Bool { !runs(.plasma) && !runs(.plasmaReturn) }

    /// The demand satisfies `reaction`'s constraints.
    public func satisfies(_ reaction: SafetyReaction) -> Bool {
        switch reaction {
        case .alarmOnly, .preventTreatmentStart: true
        case .heaterOff: heater == .off
        case .plasmaIsolation: isPlasmaIsolated
        case .plasmaBypass: isPlasmaBypassed
        case .patientSafe: isPatientSafe
        }
    }

    /// The commands that bring actuators at `previous` to this demand (every output when
    /// `previous` is nil), in the safe order.
    ///
    /// Everything that makes safer goes first, in the order SAFETY.md's reaction needs it:
    /// blood pump, clamp, plasma-side pumps, heater. Then everything that enables, in the
    /// reverse dependency order: clamp open before the blood pump pushes against it, blood
    /// flow before plasma is drawn from it, the heater last, once plasma flows.
    func commands(from previous: OutputDemand?) -> [OutputCommand] {
        var safing: [OutputAction] = []
        var enabling: [OutputAction] = []
        func pump(_ role: PumpRole) -> (stop: OutputAction?, run: OutputAction?) {
            guard let flow = self[role] else { return (nil, nil) }
            let before = previous?[role]
            if flow.millilitersPerMinute == 0 {
                return (before.map { $0.millilitersPerMinute == 0 } == true ? nil : .stopPump(role), nil)
            }
            return (nil, before == flow ? nil : .runPump(role, flow))
        }
        // The patient's line: the blood pump, or the infusion pump pushing into the vein.
        let patientLine = [PumpRole.blood, .infusion].map(pump)
        let plasmaSide = [PumpRole.plasma, .recirculation, .plasmaReturn].map(pump)

        safing += patientLine.compactMap(\.stop)
        if returnClamp == .closed, previous?.returnClamp != .closed { safing.append(.closeReturnClamp) }
        safing += plasmaSide.compactMap(\.stop)
        if heater == .off, previous?.heater != .off { safing.append(.heaterOff) }

        if returnClamp == .open, previous?.returnClamp != .open { enabling.append(.openReturnClamp) }
        enabling += patientLine.compactMap(\.run)
        enabling += plasmaSide.compactMap(\.run)
        if case .on(let target) = heater, previous?.heater != heater { enabling.append(.heaterOn(target: target)) }

        return (safing + enabling).map(OutputCommand.init)
    }

    /// "blood 150.0 mL/min, plasma 0.0 mL/min, heater off, clamp closed".
    public var description: String {
        var parts: [String] = []
        for pump in PumpRole.allCases {
            if let flow = self[pump] { parts.append("\(pump) \(flow)") }
        }
        parts.append("heater \(heater)")
        parts.append("clamp \(returnClamp)")
        return parts.joined(separator: ", ")
    }
}
