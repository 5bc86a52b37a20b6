import FirmwareProtocols
import Modbus
import Simulator
import Testing

/// Device-level fault injection, common to every family.
@Suite struct FaultInjectionTests {
    @Test func aStuckReadingFreezesUntilCleared() throws {
        typealias S = PressureSensorProtocol
        let time = ManualSimulationTime()
        let sensor = SimulatedPressureSensor(time: time)
        sensor.truePressure = 100
        try sensor.setMeasurementFault(.stuck)
        #expect(sensor.measurementFault == .stuck)
        sensor.truePressure = 200
        time.advance(by: 30)
        #expect(try sensor.value(S.pressure) == 100)
        try sensor.setMeasurementFault(.none)
        #expect(try sensor.value(S.pressure) == 200)
    }

    @Test func aDriftingReadingGainsItsRateTimesTheElapsedTime() throws {
        typealias S = PressureSensorProtocol
        let time = ManualSimulationTime(start: 7)
        let sensor = SimulatedPressureSensor(time: time)
        sensor.truePressure = 100
        try sensor.setMeasurementFault(.drift(perSecond: 2))
        #expect(try sensor.value(S.pressure) == 100)
        time.advance(by: 10)
        #expect(try sensor.value(S.pressure) == 120)
        time.advance(by: 250)  // 620 mmHg: past the element's 600 mmHg range
        #expect(try sensor.value(S.pressure) == 600)
        #expect(S.Status(rawValue: try sensor.word(S.status)) == [.overRange])
        // Stuck on top of a drift freezes the drifted value.
        try sensor.setMeasurementFault(.stuck)
        sensor.truePressure = 0
        time.advance(by: 5)
        #expect(try sensor.value(S.pressure) == 600)
    }

    @Test func aStuckTachometerKeepsReportingARotorThatStopped() throws {
        typealias P = PeristalticPumpProtocol
        let time = ManualSimulationTime()
        let pump = SimulatedPump(time: time)
        try pump.writeWord(WatchdogBlock.watchdogTimeout, 10000)
        try pump.set(P.speedSetpoint, 100)
        try pump.writeWord(P.controlWord, P.ControlWord.run.rawValue)
        time.advance(by: 5)
        try pump.setMeasurementFault(.stuck, channel: "actualSpeed")
        try pump.writeWord(P.controlWord, 0)
        time.advance(by: 1)
        #expect(pump.rotorSpeed == 0)
        #expect(try pump.value(P.actualSpeed) == 100)
        #expect(try pump.value(P.actualFlow) == 800)
        #expect(P.Status(rawValue: try pump.word(P.status)) == [.running])  // what the firmware believes
    }

    @Test func aDriftingTachometerDriftsSpeedFlowAndTheVolumeCount() throws {
        typealias P = PeristalticPumpProtocol
        let time = ManualSimulationTime()
        let pump = SimulatedPump(time: time)
        try pump.writeWord(WatchdogBlock.watchdogTimeout, 10000)
        try pump.set(P.speedSetpoint, 100)
        try pump.writeWord(P.controlWord, P.ControlWord.run.rawValue)
        time.advance(by: 5)
        try pump.heartbeat()
        try pump.writeWord(P.command, P.CommandValue.volumeReset.rawValue)
        try pump.setMeasurementFault(.drift(perSecond: 1))
        time.advance(by: 6)
        #expect(try pump.value(P.actualSpeed) == 106)
        #expect(try pump.value(P.actualFlow) == 848)
        // ∫(100 + s) ds over 6 s = 618 rpm·s = 10.3 rev × 8 mL.
        #expect(try pump.value(P.deliveredVolume) == 82.4)
        #expect(abs(pump.rotorSpeed - 100) < 0.001)
    }

    @Test func forcedStatusBitsAreReportedOnTopWithoutChangingBehaviour() throws {
        typealias P = PeristalticPumpProtocol
        let time = ManualSimulationTime()
        let pump = SimulatedPump(time: time)
        try pump.writeWord(WatchdogBlock.watchdogTimeout, 10000)
        try pump.set(P.speedSetpoint, 100)
        try pump.writeWord(P.controlWord, P.ControlWord.run.rawValue)
        time.advance(by: 2)
        pump.setForcedStatusBits(P.Status([.doorOpen, .overCurrent]).rawValue)
        #expect(pump.forcedStatusBits == 0x0044)
        #expect(P.Status(rawValue: try pump.word(P.status)) == [.running, .doorOpen, .overCurrent])
        time.advance(by: 1)
        #expect(try pump.value(P.actualSpeed) == 100)  // still running: the bits are a report only
        pump.setForcedStatusBits(0x4000)  // a bit the specification does not define
        #expect(P.Status(rawValue: try pump.word(P.status)).intersection(P.Status.undefined) == P.Status(rawValue: 0x4000))
        pump.setForcedStatusBits(0)
        #expect(P.Status(rawValue: try pump.word(P.status)) == [.running])
    }

    @Test(arguments: SimulatedFirmware.families)
    func everyFamilyTakesForcedBitsAndAPrimaryFault(family: String) throws {
        let time = ManualSimulationTime()
        let device = try #require(SimulatedFirmware.makeDevice(family: family, time: time))
        let status = try #require(device.family.register(named: "status"))
        let before = try device.word(status)
        device.setForcedStatusBits(0x0100)
        #expect(try device.word(status) == before | 0x0100)
        try device.setMeasurementFault(.stuck)
        #expect(device.measurementFault == .stuck)
        device.clearInjectedFaults()
        #expect(device.forcedStatusBits == 0)
        #expect(device.measurementFault == MeasurementFault.none)
        #expect(try device.word(status) == before)
    }

    @Test func unknownChannelsAndConditionsAreNamedInTheError() throws {
        let pump = SimulatedPump(time: ManualSimulationTime())
        #expect(pump.measurementFault(channel: "pressure") == nil)
        #expect(throws: SimulatedDeviceError.unknownChannel("pressure", available: ["actualSpeed"])) {
            try pump.setMeasurementFault(.stuck, channel: "pressure")
        }
        #expect(throws: SimulatedDeviceError.self) { try pump.setCondition("lidOpen", to: "true") }
        #expect(throws: SimulatedDeviceError.self) { try pump.setCondition("doorOpen", to: "maybe") }
        #expect(pump.doorOpen == false)
    }

    @Test func physicalConditionsCanBeSetByName() throws {
        let time = ManualSimulationTime()
        let pump = SimulatedPump(time: time)
        #expect(pump.conditionNames == ["doorOpen", "occlusion", "reversedRotation", "rotorJammed", "overCurrent", "rotorDrag"])
        try pump.setCondition("doorOpen", to: "true")
        #expect(pump.doorOpen)
        #expect(pump.condition("doorOpen") == "true")
        let sensor = SimulatedPressureSensor(time: time)
        try sensor.setCondition("truePressure", to: "-42.5")
        #expect(try sensor.value(PressureSensorProtocol.pressure) == -42.5)
        let probes = SimulatedTemperatureSensor(time: time)
        try probes.setCondition("probeBCondition", to: "shorted")
        #expect(probes.probeBCondition == .shorted)
        let leak = SimulatedBloodLeakDetector(time: time)
        #expect(throws: SimulatedDeviceError.self) { try leak.setCondition("haemoglobin", to: "6000") }
        try leak.setCondition("haemoglobin", to: "400")
        #expect(leak.haemoglobin == 400)
    }

    @Test func concurrentServerAndPhysicsAccessStaysConsistent() async throws {
        typealias P = PeristalticPumpProtocol
        let time = ManualSimulationTime()
        let pump = SimulatedPump(time: time)
        try pump.writeWord(WatchdogBlock.watchdogTimeout, 10000)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for i in 0..<500 {
                        switch worker % 4 {
                        case 0: try pump.write(.holding, address: P.speedSetpoint.address, values: [UInt16(i % 4000), 8000, 4000])
                        case 1: _ = try pump.read(.input, address: 0, count: 9)
                        case 2: pump.doorOpen = i % 2 == 0
                        default: time.advance(by: 0.001); try pump.heartbeat(UInt16(i))
                        }
                        let status = try pump.read(.input, address: P.status.address, count: 5)
                        #expect(status.count == 5)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try pump.read(.input, address: 0, count: 9).suffix(2) == [0xAABB, 0xCCDD])
        #expect(try pump.word(P.speedSetpoint) <= pump.word(P.maxSpeed))
    }
}
