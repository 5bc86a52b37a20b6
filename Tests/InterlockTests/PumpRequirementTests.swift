import HardwareInterfaces
import Interlock
import Testing

/// SR-12…SR-14 details.
@Suite("Pumps (SR-12…SR-14)")
struct PumpRequirementTests {
    @Test("SR-12: within 10 % is no deviation; beyond it is, after 2 s")
    func sr12Tolerance() {
        var rig = Rig()
        rig.toTreating()
        rig.plant.tachometerFactor[.plasma] = 0.91
        rig.run(for: 3)
        #expect(rig.state.faults.isEmpty)
        rig.plant.tachometerFactor[.plasma] = 0.89
        rig.run(for: 1.9)
        #expect(rig.state.faults.isEmpty)
        rig.run(for: 0.2)
        #expect(rig.activeConditions == [.pumpSpeedDeviation(.plasma)])
        #expect(rig.lifecycle == .safe(.s2, during: .treating))
    }

    @Test("SR-12: a pump the interlock wants stopped must be still, whatever it says it was told")
    func sr12StopMustHold() {
        var rig = Rig()
        rig.toTreating()
        rig.command(.pause) // plasma pump demanded stopped
        rig.run(for: 0.5)
        // The pump keeps turning and still reports its old command.
        rig.plant.runaway[.plasma] = 30
        rig.run(for: 2.2)
        #expect(rig.fault(.pumpSpeedDeviation(.plasma))?.detail == "commanded stop, measured 30.0 rpm")
    }

    @Test("SR-12: with zero persistence (the reaction-time benchmark), a trip raises one alarm: samples taken at the trip instant cannot show a stop ignored")
    func sr12NoCascadeAtZeroPersistence() throws {
        var rig = Rig(try configuration { $0.persistence = .zero })
        rig.toTreating()
        rig.plant.pressures[.venous] = 350
        rig.plant.pressures[.filtrate] = 210 // keeps TMP normal (40 mmHg), even between one sensor's sample and the next
        rig.run(for: 1)
        #expect(rig.activeConditions == [.venousPressureHigh])
    }

    @Test("SR-12: a stopped pump's jitter within the deadband is not a deviation")
    func sr12Deadband() {
        var rig = Rig()
        rig.toReady() // blood pump stopped
        rig.plant.runaway[.blood] = 0.8
        rig.run(for: 3)
        #expect(rig.fault(.pumpSpeedDeviation(.blood)) == nil)
        rig.plant.runaway[.blood] = 1.5
        rig.run(for: 2.1)
        #expect(rig.fault(.pumpSpeedDeviation(.blood)) != nil)
    }

    static let faultBits: [PumpFaults] = [.doorOpen, .occlusion, .reversedRotation, .stall, .overCurrent, .watchdogExpired]

    @Test("SR-13: every firmware fault bit trips at once: S1 for the blood pump, S2 for every other pump",
          arguments: PumpRole.allCases, faultBits)
    func sr13(_ pump: PumpRole, _ bit: PumpFaults) {
        var rig = Rig()
        rig.toTreating()
        rig.plant.pumpFaults[pump] = bit
        rig.run(for: 0.05)
        let fault = rig.fault(.pumpFirmwareFault(pump))
        #expect(fault?.detail == bit.description)
        #expect(fault?.isLatched == true && fault?.priority == .high)
        #expect(rig.lifecycle == .safe(pump == .blood ? .s1 : .s2, during: .treating))
        #expect(pump == .blood ? rig.outputs.isPatientSafe : rig.outputs.isPlasmaBypassed && rig.outputs.runs(.blood))
    }

    @Test("SR-14: counted from the treatment start, in pause too, strictly more than 120 s, an alarm only")
    func sr14() {
        var rig = Rig()
        rig.toReady() // the blood pump has stood still since priming finished
        rig.run(for: 200)
        rig.command(.setFlow(.blood, .zero)) // refused in ready: flows are set in priming
        rig.command(.startTreatment)
        rig.command(.setFlow(.blood, .zero))
        rig.command(.pause)
        rig.run(for: 119.9)
        #expect(rig.fault(.bloodPumpStopped) == nil)
        rig.run(for: 0.2)
        #expect(rig.fault(.bloodPumpStopped)?.priority == .medium)
        #expect(rig.lifecycle == .paused)
        rig.command(.setFlow(.blood, .mLPerMinute(150)))
        rig.run(for: 0.1)
        #expect(rig.fault(.bloodPumpStopped) == nil)
    }

    @Test("SR-14: during an S1 stop the clotting alarm still comes, and resuming first needs it acknowledged")
    func sr14DuringS1() {
        var rig = Rig()
        rig.toTreating()
        rig.plant.air = true
        rig.run(for: 0.1)
        rig.plant.air = false
        rig.command(.acknowledge(.all))
        rig.run(for: 121)
        #expect(rig.command(.resume) == .refused(.unacknowledgedFault(.bloodPumpStopped)))
        rig.command(.acknowledge(.all))
        #expect(rig.command(.resume) == .accepted)
        rig.run(for: 0.2)
        #expect(rig.state.faults.isEmpty)
    }
}
