import HardwareInterfaces
import Interlock
import Testing

/// SR-6…SR-11 details.
@Suite("Plasma side (SR-6…SR-11)")
struct PlasmaSideRequirementTests {
    @Test("SR-6: TMP = (pre-filter + venous) / 2 − filtrate, above 50 mmHg")
    func sr6Formula() throws {
        var rig = Rig(try configuration { $0.persistence = .zero })
        rig.toTreating()
        rig.plant.frozen = [.preFilter, .venous, .filtrate] // exact values, no ripple
        rig.plant.pressures = [.arterial: -100, .preFilter: 200, .venous: 100, .filtrate: 101] // TMP 49
        rig.run(for: 0.2)
        #expect(rig.fault(.transmembranePressureHigh) == nil)
        rig.plant.pressures[.filtrate] = 100 // TMP exactly 50: not above
        rig.run(for: 0.2)
        #expect(rig.fault(.transmembranePressureHigh) == nil)
        rig.plant.pressures[.filtrate] = 99 // TMP 51
        rig.run(for: 0.1)
        #expect(rig.fault(.transmembranePressureHigh)?.detail == "TMP 51.0 mmHg")
    }

    @Test("SR-6: persisting past 10 s it latches and escalates medium → high, needing a new acknowledgement and a resume")
    func sr6Latches() {
        var rig = Rig()
        rig.toTreating()
        rig.plant.pressures[.filtrate] = 50
        rig.run(for: 2.2)
        #expect(rig.fault(.transmembranePressureHigh)?.isLatched == false)
        #expect(rig.fault(.transmembranePressureHigh)?.priority == .medium)
        #expect(rig.state.hold == nil)
        rig.command(.acknowledge(.all))
        rig.run(for: 7.5) // 9.7 s since onset
        #expect(rig.fault(.transmembranePressureHigh)?.isLatched == false)
        rig.run(for: 0.5) // 10.2 s
        let fault = rig.fault(.transmembranePressureHigh)
        #expect(fault?.isLatched == true)
        #expect(fault?.priority == .high)
        #expect(fault?.isAcknowledged == false, "escalation is news")
        #expect(rig.log.contains { if case .alarmEscalated(let f) = $0 { f.condition == .transmembranePressureHigh } else { false } })
        #expect(rig.state.hold == .plasmaBypass)
        rig.plant.pressures[.filtrate] = 100
        rig.run(for: 0.2)
        #expect(rig.fault(.transmembranePressureHigh)?.isConditionPresent == false, "latched: waits for the acknowledgement")
        #expect(rig.outputs.isPlasmaBypassed)
        rig.command(.acknowledge(.all))
        #expect(rig.outputs.isPlasmaBypassed)
        #expect(rig.command(.resume) == .accepted)
        #expect(rig.outputs == rig.nominalOutputs(.treating))
    }

    @Test("SR-6: a TMP alarm that clears by itself (S2 stopped the plasma) and trips again within 60 s latches, ending the S2 ↔ treatment cycle")
    func sr6RecurrenceLatches() {
        var rig = Rig()
        rig.toTreating()
        rig.plant.pressures[.filtrate] = 50                  // TMP 100: fouled membrane
        rig.run(for: 2.2)
        #expect(rig.fault(.transmembranePressureHigh)?.isLatched == false)
        #expect(rig.outputs.isPlasmaBypassed)
        rig.plant.pressures[.filtrate] = 100                 // S2 stopped the plasma: TMP falls
        rig.run(for: 0.2)
        #expect(rig.fault(.transmembranePressureHigh) == nil, "not latched: clears by itself")
        #expect(rig.outputs == rig.nominalOutputs(.treating), "and the plasma restarts")
        rig.plant.pressures[.filtrate] = 50                  // into the still-fouled membrane
        rig.run(for: 2.2)
        let again = rig.fault(.transmembranePressureHigh)
        #expect(again?.isLatched == true, "tripping again within 60 s latches")
        #expect(again?.priority == .high)
        #expect(again?.detail.contains("within 60 s") == true, "\(again?.detail ?? "")")
        #expect(rig.state.hold == .plasmaBypass)
        rig.plant.pressures[.filtrate] = 100
        rig.run(for: 0.2)
        #expect(rig.outputs.isPlasmaBypassed, "latched: no restart by itself")
        rig.command(.acknowledge(.all))
        #expect(rig.command(.resume) == .accepted)
        #expect(rig.outputs == rig.nominalOutputs(.treating))
    }

    @Test("SR-6: a recurrence more than 60 s after clearing trips unlatched, as a new episode")
    func sr6LateRecurrenceIsANewEpisode() {
        var rig = Rig()
        rig.toTreating()
        rig.plant.pressures[.filtrate] = 50
        rig.run(for: 2.2)
        rig.plant.pressures[.filtrate] = 100
        rig.run(for: 0.2)
        #expect(rig.fault(.transmembranePressureHigh) == nil)
        rig.run(for: 61)
        rig.plant.pressures[.filtrate] = 50
        rig.run(for: 2.2)
        #expect(rig.fault(.transmembranePressureHigh)?.isLatched == false)
    }

    @Test("SR-8: either probe alone above 41 °C trips S2")
    func sr8EitherProbe() {
        var rig = Rig()
        rig.toTreating()
        rig.plant.temperatures = [.a: 37.0, .b: 41.3] // also disagree: SR-10 takes 5 s, SR-8 1 s
        rig.run(for: 1.2)
        #expect(rig.activeConditions == [.plasmaTemperatureHigh])
        #expect(rig.lifecycle == .safe(.s2, during: .treating))
    }

    @Test("SR-9: the two levels — below 35 °C an alarm after 60 s, below 33 °C S2-warm after 5 s; neither latches")
    func sr9TwoLevels() {
        var rig = Rig()
        rig.toTreating()
        let nominal = rig.outputs
        rig.plant.temperatures = [.a: 32.5, .b: 32.6]
        rig.run(for: 5.2)
        #expect(rig.activeConditions == [.plasmaTemperatureVeryLow])
        // S2-warm: the plasma is isolated from the patient, the loop and heater rewarm it.
        #expect(rig.lifecycle == .safe(.s2Warm, during: .treating))
        #expect(rig.outputs.isPlasmaIsolated && !rig.outputs.isPlasmaBypassed)
        #expect(rig.outputs.plasmaPump == .zero && rig.outputs.plasmaReturnPump == .zero)
        #expect(rig.outputs.bloodPump == .mLPerMinute(150))
        #expect(rig.outputs.recirculationPump == .mLPerMinute(150))
        #expect(rig.outputs.heater == nominal.heater && rig.outputs.heater != .off)
        rig.run(for: 55)
        #expect(rig.activeConditions == [.plasmaTemperatureLow, .plasmaTemperatureVeryLow])
        // Back above 33 °C but still below 35 °C: not in range yet, the bypass stays.
        rig.plant.temperatures = [.a: 34.0, .b: 34.1]
        rig.run(for: 6)
        #expect(rig.activeConditions == [.plasmaTemperatureLow, .plasmaTemperatureVeryLow])
        // Rewarmed: both probes at or above 35 °C; the bypass ends by itself after 5 s.
        rig.plant.temperatures = [.a: 35.0, .b: 35.5]
        rig.run(for: 4.9)
        #expect(rig.fault(.plasmaTemperatureVeryLow) != nil, "ended before both probes were in range for 5 s")
        #expect(rig.outputs.isPlasmaIsolated)
        rig.run(for: 0.2)
        #expect(rig.state.faults.isEmpty)
        #expect(rig.state.hold == nil)
        #expect(rig.outputs == rig.nominalOutputs(.treating))
        #expect(rig.lifecycle == .treating)
    }

    @Test("SR-9: one probe back in range is not enough; a probe dipping again restarts the 5 s")
    func sr9BothProbesForThePersistence() {
        var rig = Rig()
        rig.toTreating()
        rig.plant.temperatures = [.a: 32.0, .b: 32.1]
        rig.run(for: 5.2)
        #expect(rig.fault(.plasmaTemperatureVeryLow) != nil)
        rig.plant.temperatures = [.a: 35.8, .b: 34.9]
        rig.run(for: 10)
        #expect(rig.fault(.plasmaTemperatureVeryLow) != nil, "probe B still below 35 °C")
        rig.plant.temperatures = [.a: 36.0, .b: 35.5]
        rig.run(for: 3)
        rig.plant.temperatures = [.a: 34.8, .b: 35.5]
        rig.run(for: 0.1)
        rig.plant.temperatures = [.a: 36.0, .b: 35.5]
        rig.run(for: 4.8)
        #expect(rig.fault(.plasmaTemperatureVeryLow) != nil, "the dip restarted the persistence")
        rig.run(for: 0.3)
        #expect(rig.fault(.plasmaTemperatureVeryLow) == nil)
        #expect(rig.outputs == rig.nominalOutputs(.treating))
    }

    @Test("SR-9 S2-warm with a heater-off fault: the strictest wins — SR-11 makes it S2 (heater off, loop stopped), SR-8 and SR-10 are S2")
    func sr9WithHeaterFaults() {
        var rig = Rig()
        rig.toTreating()
        rig.plant.temperatures = [.a: 32.0, .b: 32.1]
        rig.run(for: 5.2)
        #expect(rig.lifecycle == .safe(.s2Warm, during: .treating))
        #expect(rig.outputs.heater != .off)
        rig.plant.heaterElement = 46
        rig.run(for: 0.1)
        #expect(rig.fault(.heaterElementOverTemperature) != nil)
        #expect(rig.outputs.heater == .off, "SR-11 keeps the heater off with SR-9 active")
        #expect(rig.outputs.isPlasmaBypassed)
        #expect(rig.lifecycle == .safe(.s2, during: .treating))
        // The element cools, SR-11 is acknowledged and resumed: back to S2-warm, rewarming.
        rig.plant.heaterElement = 40
        rig.run(for: 0.1)
        #expect(rig.command(.acknowledge(.all)) == .accepted)
        #expect(rig.state.hold == .heaterOff)
        #expect(rig.command(.resume) == .accepted, "SR-9 does not latch: it does not block the resume")
        #expect(rig.lifecycle == .safe(.s2Warm, during: .treating))
        #expect(rig.outputs.heater != .off && rig.outputs.isPlasmaIsolated)

        // SR-8 on one probe (41.5 °C) while the other is still very low: S2, heater off.
        var hot = Rig()
        hot.toTreating()
        hot.plant.temperatures = [.a: 32.0, .b: 32.1]
        hot.run(for: 5.2)
        hot.plant.temperatures = [.a: 41.5, .b: 32.1]
        hot.run(for: 1.2)
        #expect(hot.fault(.plasmaTemperatureHigh) != nil && hot.fault(.plasmaTemperatureVeryLow) != nil)
        #expect(hot.outputs.heater == .off && hot.outputs.isPlasmaBypassed)
        #expect(hot.lifecycle == .safe(.s2, during: .treating))
    }

    @Test("SR-9: tripping again within 60 s of ending by itself latches, and the held S2-warm keeps rewarming (no dead end)")
    func sr9RecurrenceKeepsRewarming() {
        var rig = Rig()
        rig.toTreating()
        rig.plant.temperatures = [.a: 32.0, .b: 32.1]
        rig.run(for: 5.2)
        rig.plant.temperatures = [.a: 36.0, .b: 36.1]
        rig.run(for: 5.2)
        #expect(rig.fault(.plasmaTemperatureVeryLow) == nil)
        rig.plant.temperatures = [.a: 32.0, .b: 32.1]
        rig.run(for: 5.2)
        #expect(rig.fault(.plasmaTemperatureVeryLow)?.isLatched == true)
        #expect(rig.state.hold == .plasmaIsolation)
        #expect(rig.outputs.heater != .off && rig.outputs.recirculationPump == .mLPerMinute(150))
        rig.plant.temperatures = [.a: 36.0, .b: 36.1]
        rig.run(for: 5.2)
        #expect(rig.fault(.plasmaTemperatureVeryLow)?.isConditionPresent == false)
        #expect(rig.lifecycle == .safe(.s2Warm, during: .treating), "latched: held until resumed")
        #expect(rig.command(.acknowledge(.all)) == .accepted)
        #expect(rig.command(.resume) == .accepted)
        #expect(rig.outputs == rig.nominalOutputs(.treating))
    }

    @Test("SR-9 S2-warm in a circuit without a recirculation loop (plasma adsorption): the plasma pump stops and the heater, over still plasma, is off")
    func sr9WithoutALoop() throws {
        let roles: Set<DeviceRole> = [.bloodPump, .plasmaPump, .arterialPressure, .preFilterPressure, .venousPressure,
                                      .filtratePressure, .airDetector, .plasmaTemperatureA, .plasmaTemperatureB,
                                      .plasmaHeater, .bloodLeakDetector]
        var rig = Rig(try configuration(roles: roles))
        rig.toTreating()
        #expect(rig.outputs.heater != .off)
        rig.plant.temperatures = [.a: 32.0, .b: 32.1]
        rig.run(for: 5.2)
        #expect(rig.lifecycle == .safe(.s2Warm, during: .treating))
        #expect(rig.outputs.plasmaPump == .zero && rig.outputs.bloodPump == .mLPerMinute(150))
        #expect(rig.outputs.heater == .off, "no plasma moves past the heater")
        // Warmed by other means (the bypass still ends by itself).
        rig.plant.temperatures = [.a: 36.0, .b: 36.1]
        rig.run(for: 5.2)
        #expect(rig.state.faults.isEmpty)
        #expect(rig.outputs == rig.nominalOutputs(.treating))
    }

    @Test("SR-9: not watched while priming (the priming fluid starts cold)")
    func sr9NotWhilePriming() {
        var rig = Rig(try! configuration { $0.persistence = .zero })
        rig.plant.temperatures = [.a: 22, .b: 22.2]
        rig.toReady()
        #expect(rig.state.faults.isEmpty)
        rig.command(.startTreatment)
        rig.run(for: 0.1)
        #expect(rig.fault(.plasmaTemperatureVeryLow) != nil)
    }

    @Test("SR-10: probes disagreeing by more than 1.0 °C for 5 s: heater off and S2, latched, medium")
    func sr10() {
        var rig = Rig()
        rig.toTreating()
        rig.plant.temperatures = [.a: 37.0, .b: 38.0] // exactly 1.0: no alarm
        rig.run(for: 6)
        #expect(rig.state.faults.isEmpty)
        rig.plant.temperatures = [.a: 37.0, .b: 38.1]
        rig.run(for: 4.9)
        #expect(rig.state.faults.isEmpty)
        rig.run(for: 0.2)
        #expect(rig.fault(.temperatureProbesDisagree)?.priority == .medium)
        #expect(rig.outputs.heater == .off && rig.outputs.isPlasmaBypassed)
    }

    @Test("SR-11: the heater's own cut-out trips it as well as its element sensor; only the heater stops")
    func sr11CutOut() {
        var rig = Rig()
        rig.toTreating()
        rig.plant.heaterCutOut = true
        rig.log.removeAll()
        rig.run(for: 0.05)
        #expect(rig.loggedOutputs == [.heaterOff])
        #expect(rig.fault(.heaterElementOverTemperature)?.detail == "element 40.00 °C, cut-out tripped")
        #expect(rig.lifecycle == .safe(.heaterOff, during: .treating), "the heater-off hold shows in the lifecycle")
        #expect(rig.state.hold == .heaterOff)
    }
}
