import HardwareInterfaces

/// The outputs the interlock demands: a pure function of the active faults, the lifecycle
/// (phase and safety hold) and the operator's set-points — never of the history of events
/// (the ABZ pattern).
///
/// 1. The phase allows some outputs (what the treatment step needs):
///    idle, selfTest, ending, fault: nothing runs, heater off, clamp closed;
///    priming and treating: every pump at its set-point, heater on, clamp open;
///    ready: only the bioreactor loop (recirculation) with the heater, clamp closed;
///    paused: blood and recirculation at their set-points, heater on, clamp open (an
///    infusion pauses: its pump stops).
/// 2. Every active fault (acknowledged or not, present or awaiting its acknowledgement)
///    and the hold add their reaction's constraints, joined (``SafetyReaction/joined(with:)``)
///    into one reaction in force, the strictest that includes them all:
///    S1 stops every pump (the infusion pump with the blood pump), heater off, clamp closed;
///    S2 stops the plasma, recirculation and return pumps and the heater (the blood pump
///    keeps the flow the phase gives it); S2-warm (SR-9's S2 level) isolates the plasma
///    from the patient: the plasma pump (which draws plasma from the separator; in a
///    circuit without a return pump it also pushes it back into the blood line) and the
///    plasma-return pump stop, while the recirculation loop and the heater keep what the
///    phase gives them, to rewarm the plasma (the circuits have no bypass valve: stopping
///    those pumps is the bypass); heater off only the heater. Heater off with S2-warm is
///    S2. A join cannot be undone by another member, so overlapping faults never cancel
///    each other, and a heater-off fault (SR-8, SR-10, SR-11) keeps the heater off
///    whatever else is active.
/// 3. The heater runs only while plasma moves through it (plasma or recirculation pump
///    demanded above zero): a heater over stagnant plasma overheats it. So in a circuit
///    without a recirculation loop S2-warm cannot rewarm: the heater stays off with the
///    plasma still, as in S2.
public func requiredOutputs(activeFaults: [ActiveFault], phase: TreatmentPhase, hold: SafetyReaction?,
                            setpoints: FlowSetpoints, configuration: InterlockConfiguration) -> OutputDemand {
    var stopBloodPump = false
    var stopPlasmaSide = false
    var isolatePlasma = false
    var heaterOff = false
    var closeClamp = false
    let inForce = SafetyReaction.joined(activeFaults.map(\.reaction) + (hold.map { [$0] } ?? []))
    switch inForce {
    case .patientSafe?:
        stopBloodPump = true; stopPlasmaSide = true; isolatePlasma = true; heaterOff = true; closeClamp = true
    case .plasmaBypass?:
        stopPlasmaSide = true; isolatePlasma = true; heaterOff = true
    case .plasmaIsolation?:
        isolatePlasma = true
    case .heaterOff?:
        heaterOff = true
    case .alarmOnly?, .preventTreatmentStart?, nil:
        break
    }

    // What the phase allows: blood, plasma, recirculation, return, heater, clamp open.
    let allowed: (blood: Bool, plasma: Bool, recirculation: Bool, plasmaReturn: Bool, heater: Bool, clampOpen: Bool, infusion: Bool) =
        switch phase {
        case .idle, .selfTest, .ending, .fault: (false, false, false, false, false, false, false)
        case .priming, .treating: (true, true, true, true, true, true, true)
        case .ready: (false, false, true, false, true, false, false)
        case .paused: (true, false, true, false, true, true, false)
        }

    func flow(_ pump: PumpRole, allowedByPhase: Bool, stopped: Bool) -> FlowRate? {
        guard configuration.has(pump.deviceRole) else { return nil }
        return allowedByPhase && !stopped ? setpoints[pump] : .zero
    }
    let plasma = flow(.plasma, allowedByPhase: allowed.plasma, stopped: isolatePlasma)
    let recirculation = flow(.recirculation, allowedByPhase: allowed.recirculation, stopped: stopPlasmaSide)
    let plasmaMoves = (plasma?.millilitersPerMinute ?? 0) > 0 || (recirculation?.millilitersPerMinute ?? 0) > 0
    let heaterOn = configuration.has(.plasmaHeater) && allowed.heater && !heaterOff && plasmaMoves

    return OutputDemand(
        bloodPump: flow(.blood, allowedByPhase: allowed.blood, stopped: stopBloodPump),
        plasmaPump: plasma,
        recirculationPump: recirculation,
        plasmaReturnPump: flow(.plasmaReturn, allowedByPhase: allowed.plasmaReturn, stopped: isolatePlasma),
        infusionPump: flow(.infusion, allowedByPhase: allowed.infusion, stopped: stopBloodPump),
        heater: heaterOn ? .on(target: configuration.limits.plasmaTemperatureTarget) : .off,
        returnClamp: allowed.clampOpen && !closeClamp ? .open : .closed)
}
