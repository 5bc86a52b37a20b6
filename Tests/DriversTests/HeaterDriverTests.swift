import Drivers
import FirmwareProtocols
import HardwareInterfaces
import HardwareTesting
import Testing

@Suite("Heater driver")
struct HeaterDriverTests {
    let device = ScriptedRegisterDevice("plasma heater unit 7")
    var heater: HeaterDriver<ScriptedRegisterDevice> { HeaterDriver(device: device) }

    // MARK: reading

    @Test func readingDecodesExactValuesInOneTransaction() async throws {
        // enabled | heating; 45.6 %; element 45.12 °C; outlet 37.00 °C.
        device.expectRead(.input, 0x0200, [0x0003, 456, 4512, 3700])
        let reading = try await heater.read()
        #expect(reading.status == [.enabled, .heating])
        #expect(reading.outputPower == Percentage(percent: 45.6))
        #expect(try reading.elementTemperature.get() == .celsius(45.12))
        #expect(try reading.outletTemperature.get() == .celsius(37))
        #expect(reading.isHeating)
        #expect(!reading.isOff)
        #expect(reading.faults.isEmpty)
        try device.verify()
    }

    @Test func disabledHeaterWithNoPowerIsConfirmedOff() async throws {
        device.expectRead(.input, 0x0200, [0x0000, 0, 3000, 3650])
        device.expectRead(.input, 0x0200, [0x0000, 1, 3000, 3650]) // 0.1 % still flowing
        device.expectRead(.input, 0x0200, [0x0002, 0, 3000, 3650]) // output bit still on
        #expect(try await heater.read().isOff)
        #expect(try await !heater.read().isOff)
        #expect(try await !heater.read().isOff)
        try device.verify()
    }

    @Test func cutoutAndWatchdogAreDataInTheReading() async throws {
        device.expectRead(.input, 0x0200, [0x0084, 0, 4850, 3700])
        let reading = try await heater.read()
        #expect(reading.faults == [.cutoutTripped, .watchdogExpired])
        #expect(reading.faultNames == ["cutoutTripped", "watchdogExpired"])
        #expect(try reading.elementTemperature.get() == .celsius(48.5))
        #expect(reading.isOff)
    }

    @Test func elementSensorFaultDoesNotHideTheOutletOrTheStatus() async throws {
        device.expectRead(.input, 0x0200, [0x0008, 0, 0x7FFF, 3700])
        let reading = try await heater.read()
        expectFailure(reading.elementTemperature, .deviceFault, mentioning: ["elementSensorFault", "elementTemperature"])
        #expect(try reading.outletTemperature.get() == .celsius(37))
        #expect(reading.faults == [.elementSensorFault])
        #expect(reading.isOff)
        try device.verify()
    }

    @Test func elementSensorFaultWithANumberIsADeviceFault() async throws {
        device.expectRead(.input, 0x0200, [0x0008, 0, 4000, 3700])
        let reading = try await heater.read()
        expectFailure(reading.elementTemperature, .deviceFault, mentioning: ["discarded"])
    }

    @Test func elementSentinelWithoutItsFaultBitIsImplausible() async throws {
        device.expectRead(.input, 0x0200, [0x0003, 500, 0x7FFF, 3700])
        let reading = try await heater.read()
        expectFailure(reading.elementTemperature, .implausibleValue, mentioning: ["elementTemperature", "0x7FFF"])
        #expect(try reading.outletTemperature.get() == .celsius(37))
    }

    @Test func outletSentinelIsImplausibleBecauseNoBitExplainsIt() async throws {
        // Even with the element sensor fault set: that bit is not the outlet sensor's.
        device.expectRead(.input, 0x0200, [0x0008, 0, 0x7FFF, 0x7FFF])
        let reading = try await heater.read()
        expectFailure(reading.outletTemperature, .implausibleValue, mentioning: ["outletTemperature", "0x7FFF"])
        expectFailure(reading.elementTemperature, .deviceFault)
    }

    @Test(arguments: [
        ([UInt16(0x0003), 500, 8001, 3700], "elementTemperature"),
        ([0x0003, 500, word(-1), 3700], "elementTemperature"),
        ([0x0003, 500, 4000, 6001], "outletTemperature"),
    ])
    func temperatureOutsideItsRangeIsImplausibleForThatChannel(words: [UInt16], register: String) async throws {
        device.expectRead(.input, 0x0200, words)
        let reading = try await heater.read()
        let channel = register == "elementTemperature" ? reading.elementTemperature : reading.outletTemperature
        let other = register == "elementTemperature" ? reading.outletTemperature : reading.elementTemperature
        expectFailure(channel, .implausibleValue, mentioning: [register, "outside"])
        #expect(throws: Never.self) { try other.get() }
    }

    @Test func outputPowerOutsideItsRangeFailsTheWholeRead() async throws {
        device.expectRead(.input, 0x0200, [0x0003, 1001, 4000, 3700])
        let error = await expectDeviceError(.implausibleValue) { try await heater.read() }
        expectMentions(error, "outputPower")
    }

    @Test(arguments: [UInt16(0x0010), 0x0040, 0x0100])
    func undefinedStatusBitsFailTheWholeRead(status: UInt16) async throws {
        device.expectRead(.input, 0x0200, [status, 0, 4000, 3700])
        await expectDeviceError(.implausibleValue) { try await heater.read() }
    }

    @Test(arguments: transportKinds)
    func transportFaultsSurfaceWithTheirKind(kind: HardwareErrorKind) async throws {
        device.expect(failingRead(.input, 0x0200, count: 4, kind))
        device.expect(failingWrite(0x0200, [0], kind))
        device.expect(failingWrite(0x0201, [3700], kind))
        await expectDeviceError(kind) { try await heater.read() }
        let error = await expectDeviceError(kind) { try await heater.disable() }
        expectMentions(error, "disabling the heater")
        await expectDeviceError(kind) { try await heater.setSetpoint(.celsius(37)) }
        try device.verify()
    }

    // MARK: commands

    @Test func enableAndDisableWriteTheWholeControlWord() async throws {
        device.expectWrite(0x0200, [0x0001])
        device.expectWrite(0x0200, [0x0000])
        try await heater.enable()
        try await heater.disable()
        try device.verify()
    }

    @Test func setPointsAreWrittenInHundredthsOfADegree() async throws {
        device.expectWrite(0x0201, [3700])
        device.expectWrite(0x0201, [3655])
        device.expectWrite(0x0201, [3000])
        device.expectWrite(0x0201, [4000])
        device.expectWrite(0x0202, [4500])
        device.expectWrite(0x0202, [4000])
        device.expectWrite(0x0202, [4800])
        try await heater.setSetpoint(.celsius(37))
        try await heater.setSetpoint(.celsius(36.55))
        try await heater.setSetpoint(.celsius(30))
        try await heater.setSetpoint(.celsius(40))
        try await heater.setCutout(.celsius(45))
        try await heater.setCutout(.celsius(40))
        try await heater.setCutout(.celsius(48))
        try device.verify()
    }

    @Test(arguments: [29.99, 40.01, 45, -37, .nan])
    func setpointOutsideTheSpecificationIsRefusedWithNothingSent(celsius: Double) async throws {
        let error = await expectDeviceError(.invalidRequest) { try await heater.setSetpoint(.celsius(celsius)) }
        expectMentions(error, "setpoint")
        try device.verify()
    }

    @Test(arguments: [39.99, 48.01, 37, .infinity])
    func cutoutOutsideTheSpecificationIsRefusedWithNothingSent(celsius: Double) async throws {
        let error = await expectDeviceError(.invalidRequest) { try await heater.setCutout(.celsius(celsius)) }
        expectMentions(error, "cutoutTemperature")
        try device.verify()
    }

    @Test func setPointsAreReadBack() async throws {
        device.expectRead(.holding, 0x0201, [3700])
        device.expectRead(.holding, 0x0202, [4500])
        device.expectRead(.holding, 0x0202, [3999])
        #expect(try await heater.readSetpoint() == .celsius(37))
        #expect(try await heater.readCutout() == .celsius(45))
        await expectDeviceError(.implausibleValue) { try await heater.readCutout() }
        try device.verify()
    }

    @Test func faultResetWritesItsMagicValue() async throws {
        device.expectWrite(0x0203, [0x5555])
        try await heater.faultReset()
        try device.verify()
    }
}
