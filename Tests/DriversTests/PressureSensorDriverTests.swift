import Drivers
import FirmwareProtocols
import HardwareInterfaces
import HardwareTesting
import Testing

@Suite("Pressure sensor driver")
struct PressureSensorDriverTests {
    let device = ScriptedRegisterDevice("venous pressure unit 4")
    var sensor: PressureSensorDriver<ScriptedRegisterDevice> { PressureSensorDriver(device: device) }

    @Test(arguments: [
        (word(1234), 123.4),
        (word(-2505), -250.5),
        (word(-1), -0.1),
        (word(0), 0.0),
        (word(7000), 700.0),
        (word(-7000), -700.0),
    ])
    func pressureDecodesSignedTenthsOfMmHgInOneTransaction(raw: UInt16, mmHg: Double) async throws {
        device.expectRead(.input, 0x0200, [raw, 0x0008])
        let reading = try await sensor.read()
        #expect(reading.pressure == .mmHg(mmHg))
        #expect(reading.status == [.zeroed])
        #expect(reading.isZeroed)
        #expect(reading.isWithinSensorRange)
        try device.verify()
    }

    @Test func overAndUnderRangeAreDataReturnedWithThePressure() async throws {
        device.expectRead(.input, 0x0200, [word(6500), 0x0002])
        device.expectRead(.input, 0x0200, [word(-4000), 0x0004])
        let over = try await sensor.read()
        #expect(over.pressure == .mmHg(650))
        #expect(over.status == [.overRange])
        #expect(!over.isWithinSensorRange)
        let under = try await sensor.read()
        #expect(under.pressure == .mmHg(-400))
        #expect(under.status == [.underRange])
        #expect(!under.isWithinSensorRange)
        try device.verify()
    }

    @Test func overAndUnderRangeTogetherAreImplausible() async throws {
        device.expectRead(.input, 0x0200, [word(100), 0x0006])
        let error = await expectDeviceError(.implausibleValue) { try await sensor.read() }
        expectMentions(error, "overRange and underRange")
    }

    @Test(arguments: [word(7001), word(-7001), word(32767), word(-32767)])
    func pressureOutsideTheSpecificationIsImplausible(raw: UInt16) async throws {
        device.expectRead(.input, 0x0200, [raw, 0])
        let error = await expectDeviceError(.implausibleValue) { try await sensor.read() }
        expectMentions(error, "pressure", "outside")
        try device.verify()
    }

    @Test func sentinelWithSensorFaultIsADeviceFault() async throws {
        device.expectRead(.input, 0x0200, [0x8000, 0x0001])
        let error = await expectDeviceError(.deviceFault) { try await sensor.read() }
        expectMentions(error, "sensorFault", "0x8000")
        #expect(error?.device == "venous pressure unit 4")
        try device.verify()
    }

    @Test func sentinelWithoutSensorFaultIsImplausible() async throws {
        device.expectRead(.input, 0x0200, [0x8000, 0x0000])
        let error = await expectDeviceError(.implausibleValue) { try await sensor.read() }
        expectMentions(error, "pressure", "0x8000", "no fault bit")
        try device.verify()
    }

    @Test func sensorFaultWithANumberIsADeviceFaultAndTheNumberIsNotUsed() async throws {
        device.expectRead(.input, 0x0200, [word(1234), 0x0009])
        let error = await expectDeviceError(.deviceFault) { try await sensor.read() }
        expectMentions(error, "sensorFault", "discarded")
    }

    @Test(arguments: [UInt16(0x0010), 0x8000, 0x0100])
    func undefinedStatusBitsAreImplausible(status: UInt16) async throws {
        device.expectRead(.input, 0x0200, [word(100), status])
        let error = await expectDeviceError(.implausibleValue) { try await sensor.read() }
        expectMentions(error, "status")
    }

    @Test(arguments: transportKinds)
    func transportFaultsSurfaceWithTheirKind(kind: HardwareErrorKind) async throws {
        device.expect(failingRead(.input, 0x0200, count: 2, kind))
        device.expect(failingWrite(0x0201, [0x5A5A], kind))
        device.expect(failingRead(.input, 0x0202, count: 2, kind))
        device.expect(failingRead(.holding, 0x0200, count: 1, kind))
        await expectDeviceError(kind) { try await sensor.read() }
        await expectDeviceError(kind) { try await sensor.zero() }
        await expectDeviceError(kind) { try await sensor.readRange() }
        await expectDeviceError(kind) { try await sensor.readZeroOffset() }
        try device.verify()
    }

    @Test func zeroWritesTheZeroCommand() async throws {
        device.expectWrite(0x0201, [0x5A5A])
        try await sensor.zero()
        try device.verify()
    }

    @Test func rangeIsReadInOneTransaction() async throws {
        device.expectRead(.input, 0x0202, [word(-300), word(500)])
        let range = try await sensor.readRange()
        #expect(range == Pressure.mmHg(-300) ... Pressure.mmHg(500))
        try device.verify()
    }

    @Test(arguments: [
        [word(1), word(500)],     // minimum above 0
        [word(-701), word(500)],  // minimum below −700
        [word(-300), word(-1)],   // maximum below 0
        [word(-300), word(701)],  // maximum above 700
        [word(0), word(0)],       // measures nothing
    ])
    func implausibleRangeIsRefused(words: [UInt16]) async throws {
        device.expectRead(.input, 0x0202, words)
        await expectDeviceError(.implausibleValue) { try await sensor.readRange() }
        try device.verify()
    }

    @Test func zeroOffsetIsReadInTenthsOfMmHg() async throws {
        device.expectRead(.holding, 0x0200, [word(-12)])
        device.expectRead(.holding, 0x0200, [word(501)])
        #expect(isClose(try await sensor.readZeroOffset().millimetersOfMercury, -1.2))
        await expectDeviceError(.implausibleValue) { try await sensor.readZeroOffset() }
        try device.verify()
    }
}
