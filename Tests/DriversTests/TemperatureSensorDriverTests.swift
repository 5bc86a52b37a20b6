import Drivers
import FirmwareProtocols
import HardwareInterfaces
import HardwareTesting
import Testing

@Suite("Temperature sensor driver (redundant probe pair)")
struct TemperatureSensorDriverTests {
    let device = ScriptedRegisterDevice("plasma temperature unit 6")
    var sensor: TemperatureSensorDriver<ScriptedRegisterDevice> { TemperatureSensorDriver(device: device) }

    @Test func bothProbesDecodeHundredthsOfADegreeInOneTransaction() async throws {
        device.expectRead(.input, 0x0200, [3712, 3688, 0x0000])
        let reading = try await sensor.read()
        #expect(try reading.probeA.get() == .celsius(37.12))
        #expect(try reading.probeB.get() == .celsius(36.88))
        #expect(try reading.temperature(of: .b).get() == .celsius(36.88))
        #expect(reading.healthyTemperatures == [.celsius(37.12), .celsius(36.88)])
        #expect(reading.bothProbesHealthy)
        try device.verify()
    }

    @Test func rangeLimitsAreAccepted() async throws {
        device.expectRead(.input, 0x0200, [0, 6000, 0])
        let reading = try await sensor.read()
        #expect(try reading.probeA.get() == .celsius(0))
        #expect(try reading.probeB.get() == .celsius(60))
    }

    @Test(arguments: [(UInt16(0x0001), "probeAOpen"), (0x0002, "probeAShort")])
    func faultyProbeADoesNotHideProbeB(status: UInt16, fault: String) async throws {
        device.expectRead(.input, 0x0200, [0x7FFF, 3688, status])
        let reading = try await sensor.read()
        expectFailure(reading.probeA, .deviceFault, mentioning: [fault, "probeA", "0x7FFF"])
        #expect(try reading.probeB.get() == .celsius(36.88))
        #expect(reading.healthyTemperatures == [.celsius(36.88)])
        #expect(!reading.bothProbesHealthy)
        try device.verify()
    }

    @Test(arguments: [(UInt16(0x0004), "probeBOpen"), (0x0008, "probeBShort")])
    func faultyProbeBDoesNotHideProbeA(status: UInt16, fault: String) async throws {
        device.expectRead(.input, 0x0200, [3712, 0x7FFF, status])
        let reading = try await sensor.read()
        #expect(try reading.probeA.get() == .celsius(37.12))
        expectFailure(reading.probeB, .deviceFault, mentioning: [fault, "probeB"])
        #expect(reading.healthyTemperatures == [.celsius(37.12)])
    }

    @Test func sentinelWithoutItsFaultBitIsImplausibleForThatProbeOnly() async throws {
        // Probe B's open bit does not explain probe A's sentinel.
        device.expectRead(.input, 0x0200, [0x7FFF, 3688, 0x0000])
        device.expectRead(.input, 0x0200, [0x7FFF, 0x7FFF, 0x0004])
        let first = try await sensor.read()
        expectFailure(first.probeA, .implausibleValue, mentioning: ["probeA", "0x7FFF", "no fault bit"])
        #expect(try first.probeB.get() == .celsius(36.88))
        let second = try await sensor.read()
        expectFailure(second.probeA, .implausibleValue, mentioning: ["probeA"])
        expectFailure(second.probeB, .deviceFault, mentioning: ["probeBOpen"])
        #expect(second.healthyTemperatures.isEmpty)
    }

    @Test func faultBitWithANumberIsADeviceFaultForThatProbe() async throws {
        device.expectRead(.input, 0x0200, [3712, 3688, 0x0008])
        let reading = try await sensor.read()
        #expect(try reading.probeA.get() == .celsius(37.12))
        expectFailure(reading.probeB, .deviceFault, mentioning: ["probeBShort", "discarded"])
    }

    @Test func openAndShortTogetherAreImplausibleForThatProbe() async throws {
        device.expectRead(.input, 0x0200, [0x7FFF, 3688, 0x0003])
        let reading = try await sensor.read()
        expectFailure(reading.probeA, .implausibleValue, mentioning: ["open and short"])
        #expect(try reading.probeB.get() == .celsius(36.88))
    }

    @Test(arguments: [UInt16(6001), word(-1), word(-32768), 0x7FFE])
    func probeOutsideTheSpecificationIsImplausibleForThatProbe(raw: UInt16) async throws {
        device.expectRead(.input, 0x0200, [3712, raw, 0x0000])
        let reading = try await sensor.read()
        #expect(try reading.probeA.get() == .celsius(37.12))
        expectFailure(reading.probeB, .implausibleValue, mentioning: ["probeB", "outside"])
    }

    @Test(arguments: [UInt16(0x0010), 0x8000])
    func undefinedStatusBitsFailTheWholeRead(status: UInt16) async throws {
        device.expectRead(.input, 0x0200, [3712, 3688, status])
        let error = await expectDeviceError(.implausibleValue) { try await sensor.read() }
        expectMentions(error, "status")
        try device.verify()
    }

    @Test(arguments: transportKinds)
    func transportFaultsSurfaceWithTheirKind(kind: HardwareErrorKind) async throws {
        device.expect(failingRead(.input, 0x0200, count: 3, kind))
        let error = await expectDeviceError(kind) { try await sensor.read() }
        #expect(error?.device == "plasma temperature unit 6")
        try device.verify()
    }
}
