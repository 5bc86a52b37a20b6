import FirmwareProtocols
import Modbus
import Simulator
import Testing

@Suite struct HeaterFirmwareTests {
    typealias H = HeaterProtocol

    func status(_ heater: SimulatedHeater) throws -> H.Status { H.Status(rawValue: try heater.word(H.status)) }

    /// An enabled heater with a 10 s watchdog, at time 0.
    func enabledHeater(_ time: ManualSimulationTime) throws -> SimulatedHeater {
        let heater = SimulatedHeater(time: time, inletTemperature: 35)
        try heater.writeWord(WatchdogBlock.watchdogTimeout, 10000)
        try heater.writeWord(H.controlWord, H.ControlWord.enable.rawValue)
        return heater
    }

    /// Advances in controller periods until `condition` holds; the seconds it took, or nil.
    func advance(_ time: ManualSimulationTime, _ heater: SimulatedHeater, upTo limit: Double,
                 until condition: () throws -> Bool) throws -> Double? {
        for step in 1...Int((limit / 0.1).rounded()) {
            time.advance(by: 0.1)
            if step % 50 == 0 { try heater.heartbeat() }  // every 5 s
            if try condition() { return Double(step) * 0.1 }
        }
        return nil
    }

    @Test func theControllerBringsTheOutletToTheSetPoint() throws {
        let time = ManualSimulationTime()
        let heater = try enabledHeater(time)
        #expect(try status(heater) == [.enabled])
        try feed([heater], time: time, for: 300, every: 5)
        #expect(abs(try heater.value(H.outletTemperature) - 37) <= 0.02)
        #expect(try status(heater) == [.enabled, .heating])
        // Holding 2 °C above a 35 °C inlet takes 2/(0.5 × 15) of full power, with the element at 39 °C.
        #expect(abs(try heater.value(H.outputPower) - 100 * 2 / 7.5) <= 0.3)
        #expect(abs(try heater.value(H.elementTemperature) - 39) <= 0.05)
        // Disabled: output off at once, the plasma cools back toward the inlet.
        try heater.writeWord(H.controlWord, 0)
        #expect(try status(heater) == [])
        #expect(try heater.value(H.outputPower) == 0)
        try feed([heater], time: time, for: 120, every: 5)
        #expect(abs(try heater.value(H.outletTemperature) - 35) <= 0.05)
    }

    @Test func theCutOutTripsAndLatchesUntilResetWithTheElementCool() throws {
        let time = ManualSimulationTime()
        let heater = try enabledHeater(time)
        heater.plasmaFlowing = false  // dry running: the element overheats
        let tripped = try advance(time, heater, upTo: 60) { try status(heater).contains(.cutoutTripped) }
        #expect(tripped != nil)
        #expect(try heater.value(H.elementTemperature) > 45)
        #expect(try status(heater) == [.enabled, .cutoutTripped])  // output off, still enabled
        #expect(heater.output == 0)
        // Reset while the element is above the cut-out: still tripped.
        try heater.writeWord(H.command, H.CommandValue.faultReset.rawValue)
        #expect(try status(heater).contains(.cutoutTripped))
        // Latched: cooling below the cut-out does not clear it by itself.
        heater.plasmaFlowing = true
        try feed([heater], time: time, for: 10, every: 5)
        #expect(try heater.value(H.elementTemperature) < 45)
        #expect(try status(heater) == [.enabled, .cutoutTripped])
        #expect(heater.output == 0)
        // Reset with the element cool: cleared, and the still-enabled controller heats again.
        try heater.writeWord(H.command, H.CommandValue.faultReset.rawValue)
        time.advance(by: 0.2)
        #expect(try status(heater) == [.enabled, .heating])
    }

    @Test func theCutOutFollowsItsRegister() throws {
        let time = ManualSimulationTime()
        let heater = SimulatedHeater(time: time, inletTemperature: 36)
        try heater.writeWord(WatchdogBlock.watchdogTimeout, 10000)
        try heater.set(H.cutoutTemperature, 40)
        try heater.set(H.setpoint, 40)
        try heater.writeWord(H.controlWord, H.ControlWord.enable.rawValue)
        // Holding 40 °C at the outlet needs the element at 44 °C: above a 40 °C cut-out.
        let tripped = try advance(time, heater, upTo: 120) { try status(heater).contains(.cutoutTripped) }
        #expect(tripped != nil)
    }

    @Test func anUnfedWatchdogSwitchesTheHeaterOff() throws {
        let time = ManualSimulationTime()
        let heater = SimulatedHeater(time: time, inletTemperature: 35)
        try heater.writeWord(H.controlWord, H.ControlWord.enable.rawValue)
        try feed([heater], time: time, for: 2)
        #expect(try status(heater) == [.enabled, .heating])
        time.advance(by: 0.6)
        #expect(try status(heater) == [.watchdogExpired])
        #expect(try heater.word(H.controlWord) == 0)
        #expect(try heater.value(H.outputPower) == 0)
        try heater.writeWord(H.command, H.CommandValue.faultReset.rawValue)
        #expect(try status(heater) == [.watchdogExpired])  // unfed: not cleared
        try heater.heartbeat()
        try heater.writeWord(H.command, H.CommandValue.faultReset.rawValue)
        #expect(try status(heater) == [])
    }

    @Test func aFailedElementSensorReadsTheSentinelAndStopsHeating() throws {
        let time = ManualSimulationTime()
        let heater = try enabledHeater(time)
        try feed([heater], time: time, for: 5, every: 5)
        #expect(try status(heater).contains(.heating))
        heater.elementSensorFault = true
        #expect(try heater.word(H.elementTemperature) == 0x7FFF)
        #expect(throws: RegisterValueError.unavailable(register: "elementTemperature")) { try heater.value(H.elementTemperature) }
        #expect(try status(heater) == [.enabled, .elementSensorFault])
        #expect(try heater.value(H.outputPower) == 0)
        time.advance(by: 1)
        #expect(heater.output == 0)
    }

    @Test func aStuckOutletSensorMisleadsTheControllerAndTheCutOutCatchesIt() throws {
        let time = ManualSimulationTime()
        let heater = try enabledHeater(time)
        try heater.setMeasurementFault(.stuck)  // primary channel: the outlet
        #expect(heater.measurementFault == .stuck)
        let tripped = try advance(time, heater, upTo: 120) { try status(heater).contains(.cutoutTripped) }
        #expect(tripped != nil)
        #expect(try heater.value(H.outletTemperature) == 35)  // frozen
        #expect(heater.outletTemperature > 35.5)  // while the plasma really warmed
    }

    @Test func thePhysicsCanImposeTheOutletTemperature() throws {
        let time = ManualSimulationTime()
        let heater = try enabledHeater(time)
        heater.externalOutletTemperature = 38.5
        time.advance(by: 1)
        #expect(try heater.value(H.outletTemperature) == 38.5)
        #expect(try status(heater) == [.enabled])  // above the set-point: no output
        try heater.setCondition("externalOutletTemperature", to: "none")
        #expect(heater.externalOutletTemperature == nil)
        #expect(try heater.value(H.outletTemperature) == 38.5)  // the plant continues from there
    }
}
