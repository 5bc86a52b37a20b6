import Drivers
import HardwareInterfaces
import HardwareTesting
import Testing

@Suite("Host watchdog of the actuator families")
struct WatchdogTests {
    @Test func heartbeatIsWrittenToTheHeartbeatRegisterOfEveryActuator() async throws {
        let device = ScriptedRegisterDevice()
        device.expectWrite(0x0100, [41])
        device.expectWrite(0x0100, [42])
        device.expectWrite(0x0100, [0xFFFF])
        try await PeristalticPumpDriver(device: device).feedWatchdog(counter: 41)
        try await HeaterDriver(device: device).feedWatchdog(counter: 42)
        try await AirDetectorDriver(device: device).feedWatchdog(counter: 0xFFFF)
        try device.verify()
    }

    @Test(arguments: [(Duration.milliseconds(500), UInt16(500)), (.milliseconds(100), 100), (.seconds(10), 10000),
                      (.microseconds(250_000), 250)])
    func timeoutIsWrittenInMilliseconds(timeout: Duration, raw: UInt16) async throws {
        let device = ScriptedRegisterDevice()
        device.expectWrite(0x0101, [raw])
        try await PeristalticPumpDriver(device: device).setWatchdogTimeout(timeout)
        try device.verify()
    }

    @Test(arguments: [Duration.milliseconds(99), .milliseconds(10001), .zero, .milliseconds(-500),
                      .microseconds(100_500), .nanoseconds(250_000_001), .seconds(Int64.max)])
    func timeoutOutsideTheSpecificationIsRefusedWithNothingSent(timeout: Duration) async throws {
        let device = ScriptedRegisterDevice()
        await expectDeviceError(.invalidRequest) { try await HeaterDriver(device: device).setWatchdogTimeout(timeout) }
        try device.verify()
    }

    @Test func timeoutIsReadBack() async throws {
        let device = ScriptedRegisterDevice()
        device.expectRead(.holding, 0x0101, [750])
        device.expectRead(.holding, 0x0101, [50])
        let driver = AirDetectorDriver(device: device)
        #expect(try await driver.readWatchdogTimeout() == .milliseconds(750))
        let error = await expectDeviceError(.implausibleValue) { try await driver.readWatchdogTimeout() }
        expectMentions(error, "watchdogTimeout", "50")
        try device.verify()
    }

    @Test(arguments: transportKinds)
    func transportFaultsSurfaceWithTheirKind(kind: HardwareErrorKind) async throws {
        let device = ScriptedRegisterDevice()
        device.expect(failingWrite(0x0100, [7], kind))
        device.expect(failingWrite(0x0101, [500], kind))
        let driver = PeristalticPumpDriver(device: device)
        await expectDeviceError(kind) { try await driver.feedWatchdog(counter: 7) }
        await expectDeviceError(kind) { try await driver.setWatchdogTimeout(.milliseconds(500)) }
        try device.verify()
    }
}
