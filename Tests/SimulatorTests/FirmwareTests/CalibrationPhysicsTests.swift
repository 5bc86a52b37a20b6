import FirmwareProtocols
import Modbus
import Simulator
import Testing

/// What a technician's calibration works against: tubing that delivers more or less
/// than the pump's calibration says, and a pressure element with an error of its own.
@Suite struct CalibrationPhysicsTests {
    typealias P = PeristalticPumpProtocol
    typealias S = PressureSensorProtocol

    @Test func thePumpReportsItsCalibrationWhileTheTubingDeliversItsTrueVolume() throws {
        let time = ManualSimulationTime()
        let pump = SimulatedPump(time: time)
        #expect(pump.tubingVolume == 8.0)  // by default the tubing is what the calibration says
        try pump.setCondition("tubingVolume", to: "8.6")
        try pump.writeWord(WatchdogBlock.watchdogTimeout, 10000)
        try pump.set(P.speedSetpoint, 60)
        try pump.writeWord(P.controlWord, P.ControlWord.run.rawValue)
        try feed([pump], time: time, for: 3)
        // The pump believes 60 rpm × 8.0 mL/rev; the line gets 60 × 8.6.
        #expect(try pump.value(P.actualFlow) == 480.0)
        #expect(abs(pump.trueFlowRate - 516) < 0.01)
        // A calibration matching the tubing makes the reported flow the true one.
        try pump.set(P.tubingCalibration, 8600)
        #expect(try pump.value(P.actualFlow) == 516.0)
        #expect(abs(pump.trueFlowRate - 516) < 0.01)
        #expect(pump.condition("tubingVolume") == "8.6")
        #expect(throws: SimulatedDeviceError.self) { try pump.setCondition("tubingVolume", to: "40") }
    }

    @Test func anElementOffsetIsRemovedByZeroingOpenToAtmosphere() throws {
        let sensor = SimulatedPressureSensor(time: ManualSimulationTime())
        sensor.truePressure = 15  // the line at rest
        try sensor.setCondition("elementOffset", to: "12.5")
        #expect(try sensor.value(S.pressure) == 27.5)
        try sensor.setCondition("openToAtmosphere", to: "true")
        #expect(try sensor.value(S.pressure) == 12.5)  // atmosphere, plus the element's error
        try sensor.writeWord(S.command, S.CommandValue.zeroNow.rawValue)
        #expect(try sensor.value(S.zeroOffset) == 12.5)
        #expect(try sensor.value(S.pressure) == 0)
        sensor.openToAtmosphere = false
        #expect(try sensor.value(S.pressure) == 15)  // the line's true pressure again
        // Far off: refused, the offset kept.
        sensor.openToAtmosphere = true
        sensor.elementOffset = 80
        #expect(throws: ModbusExceptionCode.illegalDataValue) { try sensor.writeWord(S.command, S.CommandValue.zeroNow.rawValue) }
        #expect(try sensor.value(S.zeroOffset) == 12.5)
    }
}
