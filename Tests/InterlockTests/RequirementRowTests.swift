import HardwareInterfaces
import Interlock
import Testing

/// One row of SAFETY.md as a test case: how to provoke the condition in a treating
/// circuit, how to clear it, and what SAFETY.md says must happen.
struct RequirementRow: Sendable, CustomTestStringConvertible {
    let requirement: SafetyRequirement
    let condition: Condition
    /// Time from provoking the condition to its trip (its persistence, or its own duration limit).
    let delay: Double
    let reaction: SafetyReaction
    let latched: Bool
    let priority: AlarmPriority
    let technical: Bool
    /// Time from restoring the condition to its fault leaving the set (SR-9's S2 level ends
    /// once the plasma has been back in range for its persistence).
    let clearing: Double
    let provoke: @Sendable (inout Rig) -> Void
    let restore: @Sendable (inout Rig) -> Void

    var testDescription: String { "\(requirement.id) \(condition.kind)\(condition.subject.map { " (\($0))" } ?? "")" }

    init(_ requirement: SafetyRequirement, _ condition: Condition, delay: Double, _ reaction: SafetyReaction,
         latched: Bool, _ priority: AlarmPriority, technical: Bool = false, clearing: Double = 0,
         provoke: @escaping @Sendable (inout Rig) -> Void, restore: @escaping @Sendable (inout Rig) -> Void) {
        self.requirement = requirement
        self.condition = condition
        self.delay = delay
        self.reaction = reaction
        self.latched = latched
        self.priority = priority
        self.technical = technical
        self.clearing = clearing
        self.provoke = provoke
        self.restore = restore
    }

    /// Every SAFETY.md row the interlock evaluates during treatment (SR-18 has its own tests).
    static let all: [RequirementRow] = [
        RequirementRow(.sr1, .airAtReturnLine, delay: 0, .patientSafe, latched: true, .high,
                       provoke: { $0.plant.air = true }, restore: { $0.plant.air = false }),
        RequirementRow(.sr2, .venousPressureHigh, delay: 1, .patientSafe, latched: true, .high,
                       provoke: { $0.plant.pressures[.venous] = 320 }, restore: { $0.plant.pressures[.venous] = 100 }),
        RequirementRow(.sr3, .venousPressureLow, delay: 1, .patientSafe, latched: true, .high,
                       provoke: { $0.plant.pressures[.venous] = 5 }, restore: { $0.plant.pressures[.venous] = 100 }),
        RequirementRow(.sr4, .arterialPressureLow, delay: 1, .patientSafe, latched: true, .high,
                       provoke: { $0.plant.pressures[.arterial] = -260 }, restore: { $0.plant.pressures[.arterial] = -100 }),
        // The filtrate rises with the pre-filter pressure so that TMP (SR-6) stays normal.
        RequirementRow(.sr5, .preFilterPressureHigh, delay: 2, .patientSafe, latched: true, .high,
                       provoke: { $0.plant.pressures[.preFilter] = 420; $0.plant.pressures[.filtrate] = 250 },
                       restore: { $0.plant.pressures[.preFilter] = 150; $0.plant.pressures[.filtrate] = 100 }),
        // TMP = (150 + 100) / 2 − 50 = 75 mmHg; cleared before its 10 s latch time.
        RequirementRow(.sr6, .transmembranePressureHigh, delay: 2, .plasmaBypass, latched: false, .medium,
                       provoke: { $0.plant.pressures[.filtrate] = 50 }, restore: { $0.plant.pressures[.filtrate] = 100 }),
        RequirementRow(.sr7, .bloodLeak, delay: 5, .plasmaBypass, latched: true, .high,
                       provoke: { $0.plant.bloodLeak = 400 }, restore: { $0.plant.bloodLeak = 10 }),
        RequirementRow(.sr8, .plasmaTemperatureHigh, delay: 1, .plasmaBypass, latched: true, .high,
                       provoke: { $0.plant.temperatures = [.a: 41.5, .b: 41.4] },
                       restore: { $0.plant.temperatures = [.a: 37.0, .b: 37.2] }),
        RequirementRow(.sr9, .plasmaTemperatureLow, delay: 60, .alarmOnly, latched: false, .medium,
                       provoke: { $0.plant.temperatures = [.a: 34.0, .b: 34.2] },
                       restore: { $0.plant.temperatures = [.a: 37.0, .b: 37.2] }),
        // S2-warm; the bypass ends by itself once both probes are back at or above 35 °C for 5 s.
        RequirementRow(.sr9, .plasmaTemperatureVeryLow, delay: 5, .plasmaIsolation, latched: false, .medium, clearing: 5,
                       provoke: { $0.plant.temperatures = [.a: 32.0, .b: 32.2] },
                       restore: { $0.plant.temperatures = [.a: 37.0, .b: 37.2] }),
        RequirementRow(.sr10, .temperatureProbesDisagree, delay: 5, .plasmaBypass, latched: true, .medium,
                       provoke: { $0.plant.temperatures = [.a: 37.0, .b: 38.5] },
                       restore: { $0.plant.temperatures = [.a: 37.0, .b: 37.2] }),
        RequirementRow(.sr11, .heaterElementOverTemperature, delay: 0, .heaterOff, latched: true, .high,
                       provoke: { $0.plant.heaterElement = 46 }, restore: { $0.plant.heaterElement = 40 }),
        // A pump running 20 % slow, and still turning after its stop: the deviation persists.
        RequirementRow(.sr12, .pumpSpeedDeviation(.blood), delay: 2, .patientSafe, latched: true, .high,
                       provoke: { $0.plant.runaway = [.blood: 120] }, restore: { $0.plant.runaway = [:] }),
        RequirementRow(.sr12, .pumpSpeedDeviation(.plasma), delay: 2, .plasmaBypass, latched: true, .high,
                       provoke: { $0.plant.runaway = [.plasma: 24] }, restore: { $0.plant.runaway = [:] }),
        RequirementRow(.sr13, .pumpFirmwareFault(.blood), delay: 0, .patientSafe, latched: true, .high,
                       provoke: { $0.plant.pumpFaults[.blood] = .doorOpen }, restore: { $0.plant.pumpFaults[.blood] = nil }),
        RequirementRow(.sr13, .pumpFirmwareFault(.plasma), delay: 0, .plasmaBypass, latched: true, .high,
                       provoke: { $0.plant.pumpFaults[.plasma] = .occlusion }, restore: { $0.plant.pumpFaults[.plasma] = nil }),
        RequirementRow(.sr13, .pumpFirmwareFault(.recirculation), delay: 0, .plasmaBypass, latched: true, .high,
                       provoke: { $0.plant.pumpFaults[.recirculation] = .reversedRotation },
                       restore: { $0.plant.pumpFaults[.recirculation] = nil }),
        RequirementRow(.sr14, .bloodPumpStopped, delay: 120, .alarmOnly, latched: false, .medium,
                       provoke: { $0.command(.setFlow(.blood, .zero)) },
                       restore: { $0.command(.setFlow(.blood, .mLPerMinute(150))) }),
        RequirementRow(.sr15, .staleData(.venousPressure), delay: 0.3, .patientSafe, latched: true, .high, technical: true,
                       provoke: { $0.plant.silent = [.venousPressure] }, restore: { $0.plant.silent = [] }),
        RequirementRow(.sr15, .staleData(.plasmaTemperatureA), delay: 3, .patientSafe, latched: true, .high, technical: true,
                       provoke: { $0.plant.silent = [.plasmaTemperatureA] }, restore: { $0.plant.silent = [] }),
        // Three consecutive timeouts at 20 Hz.
        RequirementRow(.sr16, .deviceLost(.venousPressure), delay: 0.15, .patientSafe, latched: true, .high, technical: true,
                       provoke: { $0.plant.failing = [.venousPressure: .timeout] }, restore: { $0.plant.failing = [:] }),
        RequirementRow(.sr16, .deviceLost(.plasmaPump), delay: 0.15, .patientSafe, latched: true, .high, technical: true,
                       provoke: { $0.plant.failing = [.plasmaPump: .corruptFrame] }, restore: { $0.plant.failing = [:] }),
        RequirementRow(.sr17, .frozenSensor(.venous), delay: 10, .alarmOnly, latched: false, .medium, technical: true,
                       provoke: { $0.plant.frozen = [.venous] }, restore: { $0.plant.frozen = [] }),
    ]
}

@Suite("SAFETY.md rows: trip, persistence, latch, acknowledge, clear, resume")
struct RequirementRowTests {
    @Test("every SR row", arguments: RequirementRow.all)
    func row(_ row: RequirementRow) {
        var rig = Rig()
        rig.toTreating()
        let nominal = rig.outputs
        #expect(nominal.anyPumpRuns && nominal.heater != .off && nominal.returnClamp == .open)

        row.provoke(&rig)
        // Persistence: not before.
        if row.delay > 0 {
            rig.run(for: row.delay - 0.1)
            #expect(rig.fault(row.condition) == nil, "\(row.requirement.id) tripped before its persistence")
            #expect(rig.outputs == nominal || row.condition == .bloodPumpStopped)
        }
        // …and yes after.
        rig.run(for: 0.2)
        guard let fault = rig.fault(row.condition) else {
            Issue.record("\(row.requirement.id) did not trip; active: \(rig.state.faults)")
            return
        }
        #expect(fault.requirement == row.requirement)
        #expect(fault.priority == row.priority)
        #expect(fault.isLatched == row.latched)
        #expect(fault.isTechnical == row.technical)
        #expect(!fault.isAcknowledged)
        #expect(rig.log.contains(.alarmRaised(fault)))
        let tripped = rig.outputs
        expectReaction(row, tripped, nominal: nominal, lifecycle: rig.lifecycle)

        // Acknowledging while the condition persists clears nothing.
        #expect(rig.command(.acknowledge(.fault(row.condition))) == .accepted)
        rig.run(for: 0.5)
        #expect(rig.fault(row.condition)?.isAcknowledged == true)
        #expect(rig.fault(row.condition)?.isConditionPresent == true)
        #expect(rig.outputs == tripped)
        if row.latched && row.reaction.changesOutputs {
            let refusal: CommandRefusal = row.reaction == .patientSafe
                ? .s1FaultActive(row.condition) : .faultConditionPersists(row.condition)
            #expect(rig.command(.resume) == .refused(refusal))
        }

        // Clear: an acknowledged fault leaves the set when its condition clears.
        row.restore(&rig)
        if row.clearing > 0 {
            rig.run(for: row.clearing - 0.1)
            #expect(rig.fault(row.condition) != nil, "\(row.requirement.id) cleared before its persistence")
            #expect(rig.outputs == tripped)
        }
        rig.run(for: 0.5)
        #expect(rig.fault(row.condition) == nil)
        #expect(rig.log.contains(.alarmCleared(row.condition)))

        if row.latched && row.reaction.changesOutputs {
            // A latched trip holds its safe state until an explicit resume.
            #expect(rig.outputs == tripped)
            if let safeState = row.reaction.safeState {
                #expect(rig.lifecycle == .safe(safeState, during: .treating))
            }
            #expect(rig.command(.resume) == .accepted)
            rig.run(for: 0.5)
        } else {
            // Not latched: the outputs come back by themselves; there is nothing to resume.
            #expect(rig.command(.resume) == .refused(.nothingToResume))
        }
        #expect(rig.outputs == nominal)
        #expect(rig.lifecycle == .treating)
        #expect(rig.state.faults.isEmpty, "left over: \(rig.state.faults)")
    }

    func expectReaction(_ row: RequirementRow, _ outputs: OutputDemand, nominal: OutputDemand, lifecycle: Lifecycle) {
        switch row.reaction {
        case .patientSafe:
            // S1: every pump stopped, heater off, return clamp closed.
            #expect(outputs.isPatientSafe, "\(outputs)")
            #expect(lifecycle == .safe(.s1, during: .treating))
        case .plasmaBypass:
            // S2: plasma side stopped, heater off, blood pump keeps its set flow, clamp open.
            #expect(outputs.isPlasmaBypassed, "\(outputs)")
            #expect(outputs.bloodPump == nominal.bloodPump)
            #expect(outputs.returnClamp == .open)
            #expect(lifecycle == .safe(.s2, during: .treating))
        case .plasmaIsolation:
            // S2-warm: no plasma drawn or returned; blood pump, recirculation loop and heater
            // keep running so the plasma rewarms.
            #expect(outputs.isPlasmaIsolated, "\(outputs)")
            #expect(outputs.plasmaPump == .zero && outputs.plasmaReturnPump == .zero)
            #expect(outputs.bloodPump == nominal.bloodPump)
            #expect(outputs.recirculationPump == nominal.recirculationPump)
            #expect(outputs.heater == nominal.heater && outputs.heater != .off)
            #expect(outputs.returnClamp == .open)
            #expect(lifecycle == .safe(.s2Warm, during: .treating))
        case .heaterOff:
            // Heater off alone: every pump keeps its flow, the clamp stays open; the lifecycle
            // shows the heater held off.
            #expect(outputs.heater == .off)
            for pump in PumpRole.allCases { #expect(outputs[pump] == nominal[pump]) }
            #expect(outputs.returnClamp == .open)
            #expect(lifecycle == .safe(.heaterOff, during: .treating))
        case .alarmOnly, .preventTreatmentStart:
            if row.condition != .bloodPumpStopped { #expect(outputs == nominal) }
            #expect(lifecycle == .treating)
        }
    }
}
