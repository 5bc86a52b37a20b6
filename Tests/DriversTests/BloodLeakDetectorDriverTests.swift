import Drivers
import FirmwareProtocols
import HardwareInterfaces
import HardwareTesting
import Testing

@Suite("Blood-leak detector driver")
struct BloodLeakDetectorDriverTests {
    let device = ScriptedRegisterDevice("blood-leak detector unit 9")
    var detector: BloodLeakDetectorDriver<ScriptedRegisterDevice> { BloodLeakDetectorDriver(device: device) }

    @Test(arguments: [(UInt16(0), 0.0), (120, 120), (5000, 5000)])
    func concentrationDecodesInOneTransaction(raw: UInt16, ppm: Double) async throws {
        device.expectRead(.input, 0x0200, [raw, 0x0000])
        let reading = try await detector.read()
        #expect(reading.haemoglobin == .ppm(ppm))
        #expect(!reading.isLeakDetected)
        try device.verify()
    }

    @Test func leakDetectedIsData() async throws {
        device.expectRead(.input, 0x0200, [400, 0x0002])
        let reading = try await detector.read()
        #expect(reading.haemoglobin == .ppm(400))
        #expect(reading.isLeakDetected)
        #expect(reading.status == [.leakDetected])
    }

    @Test func concentrationOutsideItsRangeIsImplausible() async throws {
        device.expectRead(.input, 0x0200, [5001, 0x0002])
        let error = await expectDeviceError(.implausibleValue) { try await detector.read() }
        expectMentions(error, "haemoglobin", "5001")
    }

    @Test func sentinelWithSensorFaultIsADeviceFault() async throws {
        device.expectRead(.input, 0x0200, [0xFFFF, 0x0001])
        let error = await expectDeviceError(.deviceFault) { try await detector.read() }
        expectMentions(error, "sensorFault", "0xFFFF")
        #expect(error?.device == "blood-leak detector unit 9")
    }

    @Test func sentinelWithoutSensorFaultIsImplausible() async throws {
        device.expectRead(.input, 0x0200, [0xFFFF, 0x0002])
        let error = await expectDeviceError(.implausibleValue) { try await detector.read() }
        expectMentions(error, "haemoglobin", "0xFFFF", "no fault bit")
    }

    @Test func sensorFaultWithANumberIsADeviceFault() async throws {
        device.expectRead(.input, 0x0200, [120, 0x0001])
        let error = await expectDeviceError(.deviceFault) { try await detector.read() }
        expectMentions(error, "sensorFault", "discarded")
    }

    @Test(arguments: [UInt16(0x0004), 0x8000])
    func undefinedStatusBitsAreImplausible(status: UInt16) async throws {
        device.expectRead(.input, 0x0200, [120, status])
        await expectDeviceError(.implausibleValue) { try await detector.read() }
    }

    @Test(arguments: transportKinds)
    func transportFaultsSurfaceWithTheirKind(kind: HardwareErrorKind) async throws {
        device.expect(failingRead(.input, 0x0200, count: 2, kind))
        device.expect(failingWrite(0x0200, [350], kind))
        device.expect(failingRead(.holding, 0x0200, count: 1, kind))
        await expectDeviceError(kind) { try await detector.read() }
        await expectDeviceError(kind) { try await detector.setAlarmThreshold(.ppm(350)) }
        await expectDeviceError(kind) { try await detector.readAlarmThreshold() }
        try device.verify()
    }

    @Test func alarmThresholdIsWrittenInPpm() async throws {
        device.expectWrite(0x0200, [350])
        device.expectWrite(0x0200, [50])
        device.expectWrite(0x0200, [500])
        try await detector.setAlarmThreshold(.ppm(350))
        try await detector.setAlarmThreshold(.ppm(50))
        try await detector.setAlarmThreshold(.ppm(500))
        try device.verify()
    }

    @Test(arguments: [355.0, 350.5, 40, 510, 0, -350, .nan, .infinity])
    func thresholdOffTheStepOrOutsideTheRangeIsRefusedWithNothingSent(ppm: Double) async throws {
        await expectDeviceError(.invalidRequest) { try await detector.setAlarmThreshold(.ppm(ppm)) }
        try device.verify()
    }

    @Test func alarmThresholdIsReadBack() async throws {
        device.expectRead(.holding, 0x0200, [350])
        device.expectRead(.holding, 0x0200, [355])
        device.expectRead(.holding, 0x0200, [40])
        #expect(try await detector.readAlarmThreshold() == .ppm(350))
        let offStep = await expectDeviceError(.implausibleValue) { try await detector.readAlarmThreshold() }
        expectMentions(offStep, "355")
        await expectDeviceError(.implausibleValue) { try await detector.readAlarmThreshold() }
        try device.verify()
    }
}
