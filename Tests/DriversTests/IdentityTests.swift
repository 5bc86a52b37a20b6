import Drivers
import FirmwareProtocols
import HardwareInterfaces
import HardwareTesting
import Testing

@Suite("Identity block")
struct IdentityTests {
    @Test func identityIsReadInOneTransactionAndDecoded() async throws {
        let device = ScriptedRegisterDevice("pump unit 3")
        device.expectRead(.input, 0x0000, identityWords(family: 1, protocolVersion: 0x0100, vendorID: 0x4842,
                                                        modelCode: 0x0102, firmwareVersion: 0x0203,
                                                        serialNumber: 0x0012_D687))
        let identity = try await PeristalticPumpDriver(device: device).identify()
        #expect(identity == DeviceIdentity(familyCode: 1, protocolVersion: VersionNumber(major: 1, minor: 0),
                                           vendorID: 0x4842, modelCode: 0x0102,
                                           firmwareVersion: VersionNumber(major: 2, minor: 3),
                                           serialNumber: 1_234_567))
        #expect(identity.firmwareVersion.description == "2.3")
        try device.verify()
    }

    @Test func everyDriverExpectsItsOwnFamily() async throws {
        let device = ScriptedRegisterDevice()
        for code in UInt16(1)...6 { device.expectRead(.input, 0x0000, identityWords(family: code)) }
        #expect(try await PeristalticPumpDriver(device: device).identify().familyCode == 1)
        #expect(try await PressureSensorDriver(device: device).identify().familyCode == 2)
        #expect(try await TemperatureSensorDriver(device: device).identify().familyCode == 3)
        #expect(try await HeaterDriver(device: device).identify().familyCode == 4)
        #expect(try await AirDetectorDriver(device: device).identify().familyCode == 5)
        #expect(try await BloodLeakDetectorDriver(device: device).identify().familyCode == 6)
        try device.verify()
    }

    @Test func wrongFamilyIsAnIdentityMismatchNamingBoth() async throws {
        let device = ScriptedRegisterDevice()
        device.expectRead(.input, 0x0000, identityWords(family: 2))
        let error = await expectDeviceError(.identityMismatch) { try await PeristalticPumpDriver(device: device).identify() }
        expectMentions(error, "expected family 1 (peristalticPump)", "found 2 (pressureSensor)")
        #expect(error?.device == "scripted unit 1")
        try device.verify()
    }

    @Test(arguments: [UInt16(0), 0xFFFF])
    func unknownFamilyCodeIsAnIdentityMismatch(code: UInt16) async throws {
        try #require(FamilyCatalog.family(code: code) == nil)
        let device = ScriptedRegisterDevice()
        device.expectRead(.input, 0x0000, identityWords(family: code))
        let error = await expectDeviceError(.identityMismatch) { try await HeaterDriver(device: device).identify() }
        expectMentions(error, "expected family 4 (heater)", "found \(code) (no known family)")
    }

    @Test(arguments: [UInt32(0xCCDD_AABB), 0x0000_0000, 0xAABB_CCDC])
    func wrongWordOrderProbeIsAnIdentityMismatch(probe: UInt32) async throws {
        let device = ScriptedRegisterDevice()
        device.expectRead(.input, 0x0000, identityWords(family: 1, probe: probe))
        let error = await expectDeviceError(.identityMismatch) { try await PeristalticPumpDriver(device: device).identify() }
        let digits = String(probe, radix: 16, uppercase: true)
        expectMentions(error, "0x" + String(repeating: "0", count: 8 - digits.count) + digits, "expected 0xAABBCCDD")
    }

    @Test(arguments: [UInt16(0x0200), 0x0000, 0x0001, 0xFF00])
    func differentMajorProtocolVersionIsAnIdentityMismatch(version: UInt16) async throws {
        let device = ScriptedRegisterDevice()
        device.expectRead(.input, 0x0000, identityWords(family: 3, protocolVersion: version))
        let error = await expectDeviceError(.identityMismatch) { try await TemperatureSensorDriver(device: device).identify() }
        expectMentions(error, "\(VersionNumber(rawValue: version)) found", "speaks 1.0")
    }

    @Test func newerMinorProtocolVersionIsAccepted() async throws {
        let device = ScriptedRegisterDevice()
        device.expectRead(.input, 0x0000, identityWords(family: 6, protocolVersion: 0x0105))
        let identity = try await BloodLeakDetectorDriver(device: device).identify()
        #expect(identity.protocolVersion == VersionNumber(major: 1, minor: 5))
    }

    @Test func expectedSerialNumberIsChecked() async throws {
        let device = ScriptedRegisterDevice()
        device.expectRead(.input, 0x0000, identityWords(family: 5, serialNumber: 4242))
        device.expectRead(.input, 0x0000, identityWords(family: 5, serialNumber: 4243))
        let driver = AirDetectorDriver(device: device)
        #expect(try await driver.identify(serialNumber: 4242).serialNumber == 4242)
        let error = await expectDeviceError(.identityMismatch) { try await driver.identify(serialNumber: 4242) }
        expectMentions(error, "expected serial number 4242", "found 4243")
        try device.verify()
    }

    @Test func readIdentityIsReusableOnAnyDevice() async throws {
        let device = ScriptedRegisterDevice()
        device.expectRead(.input, 0x0000, identityWords(family: 2))
        let identity = try await device.readIdentity(expecting: PressureSensorProtocol.description)
        #expect(identity.familyCode == PressureSensorProtocol.familyCode)
    }

    @Test func shortIdentityReplyIsACorruptFrame() async throws {
        let device = ScriptedRegisterDevice()
        device.expect(.read(.input, address: 0x0000, count: 9, reply: .success(Array(identityWords(family: 1).prefix(7)))))
        await expectDeviceError(.corruptFrame) { try await PeristalticPumpDriver(device: device).identify() }
    }

    @Test(arguments: transportKinds)
    func transportFaultsSurfaceWithTheirKind(kind: HardwareErrorKind) async throws {
        let device = ScriptedRegisterDevice()
        device.expect(failingRead(.input, 0x0000, count: 9, kind))
        let error = await expectDeviceError(kind) { try await PressureSensorDriver(device: device).identify() }
        expectMentions(error, "reading identity")
        try device.verify()
    }

    @Test func versionNumberPacksMajorAndMinor() {
        let version = VersionNumber(rawValue: 0x0A03)
        #expect(version.major == 10)
        #expect(version.minor == 3)
        #expect(version == VersionNumber(major: 10, minor: 3))
        #expect(VersionNumber(major: 1, minor: 9) < VersionNumber(major: 2, minor: 0))
        #expect(version.description == "10.3")
    }
}
