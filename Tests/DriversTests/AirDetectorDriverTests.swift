import Drivers
import FirmwareProtocols
import HardwareInterfaces
import HardwareTesting
import Testing

@Suite("Air detector and clamp driver")
struct AirDetectorDriverTests {
    let device = ScriptedRegisterDevice("return air detector unit 8")
    var detector: AirDetectorDriver<ScriptedRegisterDevice> { AirDetectorDriver(device: device) }

    // MARK: reading

    @Test func readingDecodesExactValuesInOneTransaction() async throws {
        device.expectRead(.input, 0x0200, [0x0004, 3, 25])
        let reading = try await detector.read()
        #expect(reading.status == [.clampIsOpen])
        #expect(reading.airEventCount == 3)
        #expect(reading.lastBubbleVolume == .mL(0.025))
        #expect(reading.clampPosition == .open)
        #expect(!reading.isAirDetected)
        #expect(!reading.hasSensorFault)
        try device.verify()
    }

    @Test func airIsDataWithTheClampPosition() async throws {
        // airPresent | airAlarm | clampIsClosed; 65535 events; 60 000 µL, the largest plausible bubble.
        device.expectRead(.input, 0x0200, [0x000B, 65535, 60000])
        let reading = try await detector.read()
        #expect(reading.isAirDetected)
        #expect(reading.clampPosition == .closed)
        #expect(reading.airEventCount == 65535)
        #expect(reading.lastBubbleVolume == .mL(60))
        try device.verify()
    }

    @Test func latchedAlarmAloneCountsAsAirDetected() async throws {
        device.expectRead(.input, 0x0200, [0x000A, 1, 40])
        #expect(try await detector.read().isAirDetected)
    }

    @Test func sensorFaultAndWatchdogExpiryAreData() async throws {
        device.expectRead(.input, 0x0200, [0x00A8, 0, 0])
        let reading = try await detector.read()
        #expect(reading.hasSensorFault)
        #expect(reading.faults == [.sensorFault, .watchdogExpired])
        #expect(reading.faultNames == ["sensorFault", "watchdogExpired"])
        #expect(reading.clampPosition == .closed)
    }

    @Test(arguments: [
        (UInt16(0x0004), ClampPosition.open),
        (0x0008, .closed),
        (0x0000, .moving),
        (0x0001, .moving),
        (0x0010, .fault),
        (0x000C, .fault),  // both end switches: impossible for a working clamp
        (0x0018, .fault),  // clampFault wins over the closed switch
        (0x0014, .fault),
    ])
    func clampPositionFollowsTheFeedbackBits(status: UInt16, position: ClampPosition) async throws {
        #expect(ClampPosition(status: AirDetectorProtocol.Status(rawValue: status)) == position)
        device.expectRead(.input, 0x0200, [status, 0, 0])
        #expect(try await detector.read().clampPosition == position)
    }

    @Test func bubbleVolumeOutsideItsRangeIsImplausible() async throws {
        device.expectRead(.input, 0x0200, [0x0008, 1, 60001])
        let error = await expectDeviceError(.implausibleValue) { try await detector.read() }
        expectMentions(error, "lastBubbleVolume", "60001")
    }

    @Test(arguments: [UInt16(0x0040), 0x0100, 0x8000])
    func undefinedStatusBitsAreImplausible(status: UInt16) async throws {
        device.expectRead(.input, 0x0200, [status | 0x0008, 0, 0])
        await expectDeviceError(.implausibleValue) { try await detector.read() }
    }

    @Test(arguments: transportKinds)
    func transportFaultsSurfaceWithTheirKind(kind: HardwareErrorKind) async throws {
        device.expect(failingRead(.input, 0x0200, count: 3, kind))
        device.expect(failingWrite(0x0200, [0], kind))
        device.expect(failingWrite(0x0202, [0x5555], kind))
        await expectDeviceError(kind) { try await detector.read() }
        let error = await expectDeviceError(kind) { try await detector.closeClamp() }
        expectMentions(error, "closing the clamp")
        await expectDeviceError(kind) { try await detector.faultReset() }
        try device.verify()
    }

    // MARK: commands

    @Test func openAndCloseWriteTheWholeControlWord() async throws {
        device.expectWrite(0x0200, [0x0001])
        device.expectWrite(0x0200, [0x0000])
        try await detector.openClamp()
        try await detector.closeClamp()
        try device.verify()
    }

    @Test func sensitivityIsWrittenInMicroliters() async throws {
        device.expectWrite(0x0201, [20])
        device.expectWrite(0x0201, [1])
        device.expectWrite(0x0201, [5000])
        try await detector.setSensitivity(.mL(0.02))
        try await detector.setSensitivity(.mL(0.001))
        try await detector.setSensitivity(.mL(5))
        try device.verify()
    }

    @Test(arguments: [0.0, 0.0004, 5.001, -0.02, .nan])
    func sensitivityOutsideTheSpecificationIsRefusedWithNothingSent(milliliters: Double) async throws {
        let error = await expectDeviceError(.invalidRequest) { try await detector.setSensitivity(.mL(milliliters)) }
        expectMentions(error, "sensitivity")
        try device.verify()
    }

    @Test func sensitivityIsReadBack() async throws {
        device.expectRead(.holding, 0x0201, [20])
        device.expectRead(.holding, 0x0201, [0])
        #expect(try await detector.readSensitivity() == .mL(0.02))
        await expectDeviceError(.implausibleValue) { try await detector.readSensitivity() }
        try device.verify()
    }

    @Test func faultResetWritesItsMagicValue() async throws {
        device.expectWrite(0x0202, [0x5555])
        try await detector.faultReset()
        try device.verify()
    }
}
