import HardwareInterfaces

extension Interlock {
    /// Gates and executes an operator command. A refused command changes nothing.
    mutating func execute(_ command: OperatorCommand, notes: inout [InterlockAction]) -> CommandResult {
        if let refusal = refusal(of: command) { return .refused(refusal) }
        switch command {
        case .startSelfTest:
            state.phase = .selfTest
            state.selfTestPassed = false
            state.monitoringSince = state.now
        case .startPriming:
            state.phase = .priming
        case .finishPriming:
            state.phase = .ready
        case .startTreatment:
            state.phase = .treating
            state.treatmentSince = state.now
        case .setFlow(let pump, let flow):
            state.setpoints[pump] = flow
        case .pause:
            state.phase = .paused
        case .resume:
            if state.hold != nil { state.hold = nil } else { state.phase = .treating }
        case .acknowledge(.all):
            acknowledge(state.faults.map(\.condition), notes: &notes)
        case .acknowledge(.fault(let condition)):
            acknowledge([condition], notes: &notes)
        case .endTreatment:
            state.phase = .ending
        case .returnToIdle:
            enterIdle(notes: &notes)
        }
        return .accepted
    }

    /// Why `command` may not run now, or nil if it may.
    func refusal(of command: OperatorCommand) -> CommandRefusal? {
        let phase = state.phase
        let notAllowed = CommandRefusal.notAllowed(in: state.lifecycle)
        switch command {
        case .startSelfTest:
            return phase == .idle ? nil : notAllowed
        case .startPriming:
            guard phase == .selfTest else { return notAllowed }
            if let hold = state.hold { return .safetyHold(hold) }
            guard state.selfTestPassed else { return .selfTestNotPassed }
            return firstUnacknowledged.map(CommandRefusal.unacknowledgedFault)
        case .finishPriming:
            guard phase == .priming else { return notAllowed }
            if let hold = state.hold { return .safetyHold(hold) }
            return returnLineRefusal
        case .startTreatment:
            guard phase == .ready else { return notAllowed }
            if let hold = state.hold { return .safetyHold(hold) }
            if let condition = firstUnacknowledged { return .unacknowledgedFault(condition) }
            if let fault = state.faults.first(where: { $0.reaction.changesOutputs }) {
                return .safetyFaultActive(fault.condition)
            }
            return returnLineRefusal
        case .setFlow(let pump, let flow):
            guard configuration.has(pump.deviceRole) else { return .roleAbsent(pump.deviceRole) }
            guard [.priming, .treating, .paused].contains(phase) else { return notAllowed }
            let range = configuration.limits.flowRanges[pump]
            return range.allows(flow) ? nil : .flowOutOfRange(pump, flow, allowed: range)
        case .pause:
            return phase == .treating ? nil : notAllowed
        case .resume:
            if state.hold != nil {
                guard phase.isActive else { return notAllowed }
                // An S1 condition that persists blocks everything; then every alarm must be
                // acknowledged; then no latched condition may persist. A non-latching fault
                // may stay: it keeps its own reaction until it clears by itself.
                if let fault = state.faults.first(where: { $0.reaction == .patientSafe && $0.isConditionPresent }) {
                    return .s1FaultActive(fault.condition)
                }
                if let condition = firstUnacknowledged { return .unacknowledgedFault(condition) }
                if let fault = state.faults.first(where: { $0.isLatched && $0.isConditionPresent }) {
                    return .faultConditionPersists(fault.condition)
                }
                return nil
            }
            guard phase == .paused else { return phase.isActive ? .nothingToResume : notAllowed }
            return firstUnacknowledged.map(CommandRefusal.unacknowledgedFault)
        case .acknowledge(.all):
            return state.hasUnacknowledgedFault ? nil : .nothingToAcknowledge
        case .acknowledge(.fault(let condition)):
            return state.fault(condition) == nil ? .noSuchFault(condition) : nil
        case .endTreatment:
            return phase == .treating || phase == .paused ? nil : notAllowed
        case .returnToIdle:
            // Not from treating or paused: the patient is connected; end the treatment first.
            guard [.selfTest, .priming, .ready, .ending, .fault].contains(phase) else { return notAllowed }
            return firstUnacknowledged.map(CommandRefusal.unacknowledgedFault)
        }
    }

    /// The first alarm not yet acknowledged.
    var firstUnacknowledged: Condition? { state.faults.first { !$0.isAcknowledged }?.condition }

    /// The return line must be air-free and its clamp working before blood may return.
    var returnLineRefusal: CommandRefusal? {
        guard let air = state.knowledge.air else { return nil }
        if air.airDetected { return .airDetected }
        if air.clampPosition == .fault { return .returnClampFault }
        return nil
    }
}
