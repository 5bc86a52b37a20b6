import HardwareInterfaces
import Interlock
import Testing

/// The outputs are a function of the active faults, the lifecycle and the set-points (the
/// ABZ pattern), and the commands are the difference to the previous demand, in safe order.
@Suite("Outputs derived from the active faults")
struct OutputDerivationTests {
    @Test("S1 from treating: stop blood pump, close clamp, stop plasma-side pumps, heater off — in that order (SR-1)")
    func s1Order() {
        var rig = Rig()
        rig.toTreating()
        rig.plant.air = true
        rig.log.removeAll()
        rig.steps += 1
        rig.poll()
        #expect(rig.loggedOutputs == [.stopPump(.blood), .closeReturnClamp, .stopPump(.plasma), .stopPump(.recirculation),
                             .stopPump(.plasmaReturn), .heaterOff])
    }

    @Test("S2 leaves the blood pump and the clamp alone (SR-7)")
    func s2Order() {
        var rig = Rig()
        rig.toTreating()
        rig.plant.bloodLeak = 400
        rig.log.removeAll()
        rig.run(for: 5.1)
        #expect(rig.loggedOutputs == [.stopPump(.plasma), .stopPump(.recirculation), .stopPump(.plasmaReturn), .heaterOff])
    }

    @Test("resume enables in dependency order: clamp, blood pump, plasma-side pumps, heater last (SR-1)")
    func resumeOrder() {
        var rig = Rig()
        rig.toTreating()
        rig.plant.air = true
        rig.run(for: 0.1)
        rig.plant.air = false
        rig.run(for: 0.1)
        rig.command(.acknowledge(.all))
        rig.log.removeAll()
        #expect(rig.command(.resume) == .accepted)
        #expect(rig.loggedOutputs == [
            .openReturnClamp, .runPump(.blood, .mLPerMinute(150)), .runPump(.plasma, .mLPerMinute(30)),
            .runPump(.recirculation, .mLPerMinute(150)), .runPump(.plasmaReturn, .mLPerMinute(30)),
            .heaterOn(target: .celsius(37)),
        ])
    }

    @Test("initial commands put every actuator in idle's demand: everything stopped, clamp closed, heater off")
    func initialCommands() {
        let machine = Interlock(configuration: .fullCircuit)
        #expect(machine.initialCommands.map(\.action) == [
            .stopPump(.blood), .stopPump(.infusion), .closeReturnClamp, .stopPump(.plasma), .stopPump(.recirculation),
            .stopPump(.plasmaReturn), .heaterOff,
        ])
    }

    /// One fault of each reaction, built by tripping it in a rig (faults are only made by the machine).
    static func sampleFaults() -> [ActiveFault] {
        var rig = Rig(try! configuration { $0.persistence = .zero })
        rig.toTreating()
        rig.plant.air = true                                   // S1
        rig.plant.bloodLeak = 400                              // S2
        rig.plant.heaterElement = 46                           // heater off
        rig.plant.temperatures = [.a: 34.5, .b: 34.6]          // alarm only (SR-9 low, persistence zero)
        rig.run(for: 0.1)
        return [.airAtReturnLine, .bloodLeak, .heaterElementOverTemperature, .plasmaTemperatureLow].compactMap(rig.fault)
    }

    @Test("two faults cannot cancel: for every subset, phase and hold the demand satisfies every member and adding a fault never enables anything")
    func unionSemantics() {
        let faults = Self.sampleFaults()
        #expect(faults.count == 4)
        var setpoints = FlowSetpoints()
        var rig = Rig()
        rig.toTreating()
        setpoints = rig.state.setpoints
        let configuration = InterlockConfiguration.fullCircuit
        let holds: [SafetyReaction?] = [nil, .heaterOff, .plasmaBypass, .patientSafe]
        for phase in TreatmentPhase.allCases {
            for hold in holds {
                var demands: [Int: OutputDemand] = [:]
                for mask in 0..<(1 << faults.count) {
                    let subset = faults.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element)
                    let demand = requiredOutputs(activeFaults: subset, phase: phase, hold: hold, setpoints: setpoints,
                                                 configuration: configuration)
                    demands[mask] = demand
                    for fault in subset { #expect(demand.satisfies(fault.reaction)) }
                    if let hold { #expect(demand.satisfies(hold)) }
                    // Order does not matter: it is a set.
                    #expect(demand == requiredOutputs(activeFaults: subset.reversed(), phase: phase, hold: hold,
                                                      setpoints: setpoints, configuration: configuration))
                }
                // Monotone: a superset of faults never runs more than a subset.
                for (mask, demand) in demands {
                    for (other, wider) in demands where other & mask == mask {
                        #expect(enables(wider, beyond: demand) == false, "\(phase) \(String(describing: hold)) \(mask)->\(other)")
                    }
                }
            }
        }
    }

    /// `wider` runs something `narrower` does not (a pump faster, the clamp open, the heater on).
    func enables(_ wider: OutputDemand, beyond narrower: OutputDemand) -> Bool {
        for pump in PumpRole.allCases where (wider[pump]?.millilitersPerMinute ?? 0) > (narrower[pump]?.millilitersPerMinute ?? 0) {
            return true
        }
        if wider.returnClamp == .open && narrower.returnClamp == .closed { return true }
        if wider.heater != .off && narrower.heater == .off { return true }
        return false
    }

    @Test("what each phase allows, with no fault")
    func phaseAllowances() {
        var rig = Rig()
        rig.toTreating()
        let blood = FlowRate.mLPerMinute(150), plasma = FlowRate.mLPerMinute(30), loop = FlowRate.mLPerMinute(150)
        let on = HeaterDemand.on(target: .celsius(37))
        let expected: [(TreatmentPhase, [FlowRate], HeaterDemand, ClampDemand)] = [
            // The last column is the infusion pump, whose set-point this rig leaves at zero.
            (.idle, [.zero, .zero, .zero, .zero, .zero], .off, .closed),
            (.selfTest, [.zero, .zero, .zero, .zero, .zero], .off, .closed),
            (.priming, [blood, plasma, loop, plasma, .zero], on, .open),
            (.ready, [.zero, .zero, loop, .zero, .zero], on, .closed),
            (.treating, [blood, plasma, loop, plasma, .zero], on, .open),
            (.paused, [blood, .zero, loop, .zero, .zero], on, .open),
            (.ending, [.zero, .zero, .zero, .zero, .zero], .off, .closed),
            (.fault, [.zero, .zero, .zero, .zero, .zero], .off, .closed),
        ]
        for (phase, flows, heater, clamp) in expected {
            let demand = rig.nominalOutputs(phase)
            #expect(PumpRole.allCases.map { demand[$0] } == flows, "\(phase)")
            #expect(demand.heater == heater, "\(phase)")
            #expect(demand.returnClamp == clamp, "\(phase)")
        }
    }

    @Test("the heater runs only while plasma moves through it")
    func heaterNeedsFlow() {
        var rig = Rig()
        rig.toTreating()
        rig.command(.setFlow(.plasma, .zero))
        #expect(rig.outputs.heater != .off)
        rig.command(.setFlow(.recirculation, .zero))
        #expect(rig.outputs.heater == .off)
        rig.command(.setFlow(.recirculation, .mLPerMinute(100)))
        #expect(rig.outputs.heater == .on(target: .celsius(37)))
    }

    @Test("a circuit without a bioreactor loop: absent roles have no demand, no commands and no conditions; their readings are ignored")
    func absentRoles() throws {
        let roles: Set<DeviceRole> = [.bloodPump, .plasmaPump, .arterialPressure, .venousPressure, .airDetector, .bloodLeakDetector]
        let configuration = try InterlockConfiguration(roles: roles)
        var rig = Rig(configuration)
        rig.toTreating()
        #expect(rig.outputs.recirculationPump == nil && rig.outputs.plasmaReturnPump == nil)
        #expect(rig.outputs.heater == .off)
        #expect(!rig.loggedOutputs.contains { if case .stopPump(.recirculation) = $0 { true } else { false } })
        #expect(!configuration.conditions.contains(.transmembranePressureHigh))
        #expect(!configuration.conditions.contains(.plasmaTemperatureHigh))
        #expect(!configuration.conditions.contains(.staleData(.plasmaHeater)))
        #expect(rig.send(.reading(.plasmaTemperature(.a, .celsius(50)), sampledAt: rig.now))
            .contains(.eventIgnored(.roleAbsent(.plasmaTemperatureA))))
        #expect(rig.send(.deviceLost(.plasmaHeater)).contains(.eventIgnored(.roleAbsent(.plasmaHeater))))
        // The blood side is still fully protected.
        rig.plant.air = true
        rig.run(for: 0.1)
        #expect(rig.outputs.isPatientSafe)
    }
}
