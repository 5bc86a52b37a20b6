import FirmwareProtocols
import Modbus
import Simulator
import Testing

@Suite struct PressureSensorFirmwareTests {
    typealias S = PressureSensorProtocol

    func status(_ sensor: SimulatedPressureSensor) throws -> S.Status { S.Status(rawValue: try sensor.word(S.status)) }

    @Test func reportsTheTruePressureInTenthsWithItsRange() throws {
        let sensor = SimulatedPressureSensor(time: ManualSimulationTime())
        sensor.truePressure = 120.04
        #expect(try sensor.word(S.pressure) == 1200)
        sensor.truePressure = -87.66
        #expect(try sensor.word(S.pressure) == UInt16(bitPattern: -877))
        #expect(try sensor.value(S.rangeMinimum) == -500)
        #expect(try sensor.value(S.rangeMaximum) == 600)
        #expect(try status(sensor) == [])
    }

    @Test func clampsToTheElementRangeWithOverAndUnderRangeBits() throws {
        let sensor = SimulatedPressureSensor(time: ManualSimulationTime(), rangeMinimum: -300, rangeMaximum: 450)
        sensor.truePressure = 650
        #expect(try sensor.value(S.pressure) == 450)
        #expect(try status(sensor) == [.overRange])
        sensor.truePressure = -600
        #expect(try sensor.value(S.pressure) == -300)
        #expect(try status(sensor) == [.underRange])
        sensor.truePressure = 450  // at the limit is in range
        #expect(try status(sensor) == [])
    }

    @Test func zeroNowStoresThePresentReadingWithinFiftyMillimetres() throws {
        let sensor = SimulatedPressureSensor(time: ManualSimulationTime())
        sensor.truePressure = 12.3
        try sensor.writeWord(S.command, S.CommandValue.zeroNow.rawValue)
        #expect(try sensor.word(S.zeroOffset) == 123)
        #expect(try sensor.word(S.pressure) == 0)
        #expect(try status(sensor) == [.zeroed])
        sensor.truePressure = 100
        #expect(try sensor.word(S.pressure) == 877)
        // Re-zeroing uses the element's own reading, not the already-corrected one.
        sensor.truePressure = 20
        try sensor.writeWord(S.command, S.CommandValue.zeroNow.rawValue)
        #expect(try sensor.word(S.zeroOffset) == 200)
        #expect(try sensor.word(S.pressure) == 0)
        // More than 50 mmHg off: refused, nothing changes.
        sensor.truePressure = 50.04
        #expect(throws: ModbusExceptionCode.illegalDataValue) { try sensor.writeWord(S.command, S.CommandValue.zeroNow.rawValue) }
        sensor.truePressure = -60
        #expect(throws: ModbusExceptionCode.illegalDataValue) { try sensor.writeWord(S.command, S.CommandValue.zeroNow.rawValue) }
        #expect(try sensor.word(S.zeroOffset) == 200)
        sensor.truePressure = -50
        try sensor.writeWord(S.command, S.CommandValue.zeroNow.rawValue)
        #expect(try sensor.value(S.zeroOffset) == -50)
    }

    @Test func aWrittenOffsetIsAStoredZeroToo() throws {
        let sensor = SimulatedPressureSensor(time: ManualSimulationTime())
        try sensor.set(S.zeroOffset, -4.5)
        sensor.truePressure = 10
        #expect(try sensor.value(S.pressure) == 14.5)
        #expect(try status(sensor) == [.zeroed])
        #expect(throws: ModbusExceptionCode.illegalDataValue) { try sensor.writeWord(S.zeroOffset, 501) }
    }

    @Test func aFailedElementReadsTheSentinelAndCannotBeZeroed() throws {
        let sensor = SimulatedPressureSensor(time: ManualSimulationTime())
        sensor.truePressure = 900
        sensor.sensorFault = true
        #expect(try sensor.word(S.pressure) == 0x8000)
        #expect(throws: RegisterValueError.unavailable(register: "pressure")) { try sensor.value(S.pressure) }
        #expect(try status(sensor) == [.sensorFault])
        sensor.truePressure = 0
        #expect(throws: ModbusExceptionCode.illegalDataValue) { try sensor.writeWord(S.command, S.CommandValue.zeroNow.rawValue) }
        sensor.sensorFault = false
        #expect(try sensor.word(S.pressure) == 0)
    }
}

@Suite struct TemperatureSensorFirmwareTests {
    typealias T = TemperatureSensorProtocol

    @Test func eachProbeReportsInHundredthsAndAFaultyProbeReadsTheRail() throws {
        let sensor = SimulatedTemperatureSensor(time: ManualSimulationTime())
        #expect(try sensor.read(.input, address: T.probeA.address, count: 3) == [3700, 3700, 0])
        sensor.probeATemperature = 37.12
        sensor.probeBTemperature = 37.34
        #expect(try sensor.read(.input, address: T.probeA.address, count: 3) == [3712, 3734, 0])
        sensor.probeBCondition = .open
        #expect(try sensor.read(.input, address: T.probeA.address, count: 3) == [3712, 0x7FFF, T.Status.probeBOpen.rawValue])
        #expect(throws: RegisterValueError.unavailable(register: "probeB")) { try sensor.value(T.probeB) }
        sensor.probeACondition = .shorted
        #expect(try sensor.word(T.probeA) == 0x7FFF)
        #expect(T.Status(rawValue: try sensor.word(T.status)) == [.probeAShort, .probeBOpen])
        sensor.probeACondition = .ok
        sensor.probeBCondition = .ok
        #expect(try sensor.read(.input, address: T.probeA.address, count: 3) == [3712, 3734, 0])
    }

    @Test func implausibleTemperaturesAreReportedAsMeasured() throws {
        let sensor = SimulatedTemperatureSensor(time: ManualSimulationTime())
        sensor.setTemperature(65)
        #expect(try sensor.word(T.probeA) == 6500)
        #expect(throws: RegisterValueError.self) { try sensor.value(T.probeA) }  // outside 0…60: the driver's call
        sensor.setTemperature(400)  // beyond the register: saturated, but never the sentinel
        #expect(try sensor.word(T.probeB) == 0x7FFE)
    }

    @Test func eachProbeTakesItsOwnMeasurementFault() throws {
        let time = ManualSimulationTime()
        let sensor = SimulatedTemperatureSensor(time: time)
        #expect(sensor.measurementChannels == ["probeA", "probeB"])
        try sensor.setMeasurementFault(.drift(perSecond: 0.1), channel: "probeB")
        time.advance(by: 15)
        #expect(try sensor.value(T.probeA) == 37)
        #expect(try sensor.value(T.probeB) == 38.5)
        #expect(sensor.measurementFault == MeasurementFault.none)
        #expect(sensor.measurementFault(channel: "probeB") == .drift(perSecond: 0.1))
    }
}

@Suite struct BloodLeakDetectorFirmwareTests {
    typealias B = BloodLeakDetectorProtocol

    @Test func theThresholdTakesTenPpmStepsWithinItsRange() throws {
        let detector = SimulatedBloodLeakDetector(time: ManualSimulationTime())
        #expect(try detector.value(B.alarmThreshold) == 350)
        for ppm in stride(from: 50, through: 500, by: 10) {
            try detector.writeWord(B.alarmThreshold, UInt16(ppm))
            #expect(try detector.word(B.alarmThreshold) == UInt16(ppm))
        }
        for ppm: UInt16 in [355, 51, 499, 40, 45, 0, 510, 1000] {
            #expect(throws: ModbusExceptionCode.illegalDataValue, "\(ppm) ppm") { try detector.writeWord(B.alarmThreshold, ppm) }
        }
        #expect(try detector.word(B.alarmThreshold) == 500)
    }

    @Test func leakDetectedAboveTheThreshold() throws {
        let detector = SimulatedBloodLeakDetector(time: ManualSimulationTime())
        detector.haemoglobin = 350
        #expect(try detector.read(.input, address: B.haemoglobin.address, count: 2) == [350, 0])
        detector.haemoglobin = 351
        #expect(try detector.read(.input, address: B.haemoglobin.address, count: 2) == [351, B.Status.leakDetected.rawValue])
        try detector.writeWord(B.alarmThreshold, 360)
        #expect(try detector.word(B.status) == 0)
        detector.haemoglobin = 9000  // the detector's scale ends at 5000 ppm
        #expect(try detector.word(B.haemoglobin) == 5000)
        #expect(detector.haemoglobin == 5000)
    }

    @Test func aFailedOpticalPathReadsTheSentinel() throws {
        let detector = SimulatedBloodLeakDetector(time: ManualSimulationTime())
        detector.haemoglobin = 800
        detector.sensorFault = true
        #expect(try detector.read(.input, address: B.haemoglobin.address, count: 2) == [0xFFFF, B.Status.sensorFault.rawValue])
        #expect(throws: RegisterValueError.unavailable(register: "haemoglobin")) { try detector.value(B.haemoglobin) }
    }
}
