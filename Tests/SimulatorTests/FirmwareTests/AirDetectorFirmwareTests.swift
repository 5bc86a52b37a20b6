import FirmwareProtocols
import Modbus
import Simulator
import Testing

@Suite struct AirDetectorFirmwareTests {
    typealias A = AirDetectorProtocol

    func status(_ detector: SimulatedAirDetector) throws -> A.Status { A.Status(rawValue: try detector.word(A.status)) }

    /// A detector with a 10 s watchdog and its clamp opened, at time 0.1.
    func openDetector(_ time: ManualSimulationTime) throws -> SimulatedAirDetector {
        let detector = SimulatedAirDetector(time: time)
        try detector.writeWord(WatchdogBlock.watchdogTimeout, 10000)
        try detector.writeWord(A.controlWord, A.ControlWord.clampOpen.rawValue)
        time.advance(by: 0.1)
        return detector
    }

    @Test func theClampTravelsInFiftyMillisecondsWithNoFeedbackOnTheWay() throws {
        let time = ManualSimulationTime()
        let detector = SimulatedAirDetector(time: time)
        try detector.writeWord(WatchdogBlock.watchdogTimeout, 10000)
        #expect(try status(detector) == [.clampIsClosed])  // closed at power-up
        try detector.writeWord(A.controlWord, A.ControlWord.clampOpen.rawValue)
        time.advance(by: 0.025)
        #expect(try status(detector) == [])
        time.advance(by: 0.025)
        #expect(try status(detector) == [.clampIsOpen])
        try detector.writeWord(A.controlWord, 0)
        time.advance(by: 0.049)
        #expect(try status(detector) == [])
        time.advance(by: 0.001)
        #expect(try status(detector) == [.clampIsClosed])
    }

    @Test func airClosesTheClampCountsAndRefusesToReopenWhileTheAlarmIsLatched() throws {
        let time = ManualSimulationTime()
        let detector = try openDetector(time)
        #expect(try status(detector) == [.clampIsOpen])
        detector.injectAir(bubbleVolume: 120)
        #expect(try status(detector) == [.airPresent, .airAlarm, .clampIsOpen])  // it has not moved yet
        #expect(try detector.word(A.airEventCount) == 1)
        #expect(try detector.value(A.lastBubbleVolume) == 120)
        #expect(try detector.word(A.controlWord) == 0)
        time.advance(by: 0.025)
        #expect(try status(detector) == [.airPresent, .airAlarm])  // closing: no feedback on the way
        time.advance(by: 0.025)
        #expect(try status(detector) == [.airPresent, .airAlarm, .clampIsClosed])
        #expect(detector.isClampClosed)
        // Opening is refused while the alarm is latched, and nothing changes.
        #expect(throws: ModbusExceptionCode.illegalDataValue) {
            try detector.writeWord(A.controlWord, A.ControlWord.clampOpen.rawValue)
        }
        #expect(try detector.word(A.controlWord) == 0)
        // A reset with air still present keeps the alarm.
        try detector.writeWord(A.command, A.CommandValue.faultReset.rawValue)
        #expect(try status(detector).contains(.airAlarm))
        detector.airPresent = false
        time.advance(by: 1)
        #expect(try status(detector) == [.airAlarm, .clampIsClosed])  // latched
        #expect(throws: ModbusExceptionCode.illegalDataValue) {
            try detector.writeWord(A.controlWord, A.ControlWord.clampOpen.rawValue)
        }
        try detector.writeWord(A.command, A.CommandValue.faultReset.rawValue)
        #expect(try status(detector) == [.clampIsClosed])  // cleared, and still closed
        try detector.writeWord(A.controlWord, A.ControlWord.clampOpen.rawValue)
        time.advance(by: 0.05)
        #expect(try status(detector) == [.clampIsOpen])
        // A second bubble counts again.
        detector.injectAir(bubbleVolume: 30)
        #expect(try detector.word(A.airEventCount) == 2)
        #expect(try detector.value(A.lastBubbleVolume) == 30)
    }

    @Test func bubblesSmallerThanTheSensitivityAreNotAir() throws {
        let time = ManualSimulationTime()
        let detector = try openDetector(time)
        detector.injectAir(bubbleVolume: 19)  // default sensitivity 20 µL
        #expect(try status(detector) == [.clampIsOpen])
        #expect(try detector.word(A.airEventCount) == 0)
        // A more sensitive setting sees the bubble that is there.
        try detector.writeWord(A.sensitivity, 10)
        #expect(try status(detector) == [.airPresent, .airAlarm, .clampIsOpen])
        #expect(try detector.word(A.controlWord) == 0)
        #expect(try detector.word(A.airEventCount) == 1)
    }

    @Test func anUnfedWatchdogClosesTheClamp() throws {
        let time = ManualSimulationTime()
        let detector = SimulatedAirDetector(time: time)
        try detector.writeWord(A.controlWord, A.ControlWord.clampOpen.rawValue)
        try feed([detector], time: time, for: 1)
        #expect(try status(detector) == [.clampIsOpen])
        time.advance(by: 0.501)
        #expect(try status(detector) == [.watchdogExpired])  // closing
        #expect(try detector.word(A.controlWord) == 0)
        time.advance(by: 0.05)
        #expect(try status(detector) == [.clampIsClosed, .watchdogExpired])
        #expect(throws: ModbusExceptionCode.illegalDataValue) {
            try detector.writeWord(A.controlWord, A.ControlWord.clampOpen.rawValue)
        }
        try detector.heartbeat()
        try detector.writeWord(A.command, A.CommandValue.faultReset.rawValue)
        #expect(try status(detector) == [.clampIsClosed])
        try detector.writeWord(A.controlWord, A.ControlWord.clampOpen.rawValue)
    }

    @Test func aJammedClampReportsAFaultOnceItShouldHaveMoved() throws {
        let time = ManualSimulationTime()
        let detector = try openDetector(time)
        detector.clampJammed = true
        try detector.writeWord(A.controlWord, 0)
        time.advance(by: 0.05)
        #expect(try status(detector) == [.clampIsOpen])  // within the travel time: not yet a fault
        time.advance(by: 0.01)
        #expect(try status(detector) == [.clampIsOpen, .clampFault])
        #expect(!detector.isClampClosed)
        detector.clampJammed = false
        time.advance(by: 0.05)
        #expect(try status(detector) == [.clampIsClosed])
    }

    @Test func aStuckDetectorMissesAirAndDriftIsNotAFaultItCanHave() throws {
        let time = ManualSimulationTime()
        let detector = try openDetector(time)
        detector.sensorFault = true
        #expect(try status(detector) == [.clampIsOpen, .sensorFault])
        try detector.setMeasurementFault(.stuck)
        detector.injectAir(bubbleVolume: 500)
        #expect(try status(detector) == [.clampIsOpen, .sensorFault])
        #expect(try detector.word(A.airEventCount) == 0)
        #expect(throws: SimulatedDeviceError.unsupportedFault(.drift(perSecond: 1), channel: "airPresent")) {
            try detector.setMeasurementFault(.drift(perSecond: 1))
        }
        // Unstuck: the air that is there is seen at once.
        try detector.setMeasurementFault(.none)
        #expect(try status(detector).isSuperset(of: [.airPresent, .airAlarm]))
    }
}
