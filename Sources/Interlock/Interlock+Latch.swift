extension Interlock {
    /// Feeds one condition's present value through its persistence timer and two-stage latch.
    ///
    /// - Holding: the timer starts (or runs); the fault trips once the condition has held
    ///   for its persistence, always unacknowledged. A tripped latched fault whose condition
    ///   had cleared becomes present again. SR-6 latches and escalates to high priority
    ///   once it has held longer than its latch time.
    /// - Not holding: the timer stops. A non-latching fault leaves the set; a latched one
    ///   leaves only if already acknowledged, else it waits for the acknowledgement.
    mutating func update(_ condition: Condition, holds: Bool, notes: inout [InterlockAction]) {
        let index = state.faults.firstIndex { $0.condition == condition }
        guard holds else {
            if let onset = state.onsets.firstIndex(where: { $0.condition == condition }) { state.onsets.remove(at: onset) }
            guard let index else { return }
            let fault = state.faults[index]
            if !fault.isLatched || fault.isAcknowledged {
                state.faults.remove(at: index)
                notes.append(.alarmCleared(condition))
                if !fault.isLatched, condition.reaction.changesOutputs { state.recentClears[condition] = state.now }
            } else if fault.isConditionPresent {
                state.faults[index].isConditionPresent = false
                notes.append(.alarmConditionCleared(condition))
            }
            return
        }

        let since: Double
        if let onset = state.onsets.first(where: { $0.condition == condition }) {
            since = onset.since
        } else {
            since = state.now
            state.startOnset(condition, at: since)
        }
        let held = state.now - since
        // SR-6: "no, latches if > 10 s", priority medium → high.
        let latchesNow = condition.kind == .transmembranePressureHigh && held > configuration.limits.transmembraneLatchTime

        if let index {
            state.faults[index].isConditionPresent = true
            if latchesNow, !state.faults[index].isLatched {
                state.faults[index].isLatched = true
                state.faults[index].priority = .high
                // An escalated alarm is news: it needs a new acknowledgement.
                state.faults[index].isAcknowledged = false
                notes.append(.alarmEscalated(state.faults[index]))
                raiseHold(for: condition)
            }
        } else if held >= configuration.limits.persistence[condition.kind] {
            // Tripping again soon after clearing by itself: the cause persists; latch.
            let recurred = state.recentClears.removeValue(forKey: condition)
                .map { state.now - $0 <= HardBounds.recurrenceLatchWindow } ?? false
            let fault = ActiveFault(
                condition: condition, trippedAt: state.now, isAcknowledged: false, isConditionPresent: true,
                isLatched: condition.kind.isLatching || latchesNow || recurred,
                priority: latchesNow || recurred ? .high : condition.kind.initialPriority,
                detail: detail(condition) + (recurred ? "; tripped again within \(Int(HardBounds.recurrenceLatchWindow)) s of clearing: latched" : ""))
            state.insert(fault)
            notes.append(.alarmRaised(fault))
            if fault.isLatched { raiseHold(for: condition) }
        }
    }

    /// Raises `condition` now, without persistence (SR-16 unrecoverable, SR-18), or marks
    /// it present again if already active.
    mutating func raiseDirectly(_ condition: Condition, detail: String, notes: inout [InterlockAction]) {
        if let index = state.faults.firstIndex(where: { $0.condition == condition }) {
            state.faults[index].isConditionPresent = true
            return
        }
        let fault = ActiveFault(
            condition: condition, trippedAt: state.now, isAcknowledged: false, isConditionPresent: true,
            isLatched: true, priority: condition.kind.initialPriority, detail: detail)
        state.insert(fault)
        notes.append(.alarmRaised(fault))
    }

    /// A latched fault that changes the outputs holds them reduced until an explicit resume.
    mutating func raiseHold(for condition: Condition) {
        let reaction = condition.reaction
        guard reaction.changesOutputs, state.phase.isActive else { return }
        state.hold = state.hold.map { $0.joined(with: reaction) } ?? reaction
    }

    /// Acknowledges the active faults of `conditions`; those whose condition has cleared
    /// leave the set. Acknowledging a fault whose condition persists clears nothing.
    mutating func acknowledge(_ conditions: [Condition], notes: inout [InterlockAction]) {
        for condition in conditions {
            guard let index = state.faults.firstIndex(where: { $0.condition == condition }) else { continue }
            if !state.faults[index].isAcknowledged {
                state.faults[index].isAcknowledged = true
                notes.append(.alarmAcknowledged(condition))
            }
            if !state.faults[index].isConditionPresent {
                state.faults.remove(at: index)
                notes.append(.alarmCleared(condition))
            }
        }
    }

    /// The machine gives up: everything off until the operator returns to idle. Set-points
    /// and hold mean nothing any more (the only way out is idle, which starts afresh).
    mutating func enterFault() {
        // Leaving idle: devices were not polled there, so their deadlines start now (SR-15).
        if state.phase == .idle { state.monitoringSince = state.now }
        state.phase = .fault
        state.selfTestPassed = false
        state.hold = nil
        state.setpoints = FlowSetpoints()
        state.treatmentSince = nil
    }

    /// Back to idle: nothing monitored, nothing active. Only reached with every alarm
    /// acknowledged. What is known of the devices stays (a device still gone trips again
    /// as soon as monitoring restarts).
    mutating func enterIdle(notes: inout [InterlockAction]) {
        for fault in state.faults { notes.append(.alarmCleared(fault.condition)) }
        state.faults.removeAll()
        state.onsets.removeAll()
        state.recentClears.removeAll()
        state.phase = .idle
        state.hold = nil
        state.selfTestPassed = false
        state.setpoints = FlowSetpoints()
        state.treatmentSince = nil
    }
}
