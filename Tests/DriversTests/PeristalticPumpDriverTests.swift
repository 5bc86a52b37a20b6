import Drivers
import FirmwareProtocols
import HardwareInterfaces
import HardwareTesting
import Testing

@Suite("Peristaltic pump driver")
struct PeristalticPumpDriverTests {
    let device = ScriptedRegisterDevice("blood pump unit 1")
    var pump: PeristalticPumpDriver<ScriptedRegisterDevice> { PeristalticPumpDriver(device: device) }

    // MARK: reading

    @Test func readingDecodesExactValuesInOneTransaction() async throws {
        // running; 120.5 rpm; 964.0 mL/min; 0x0012D687 = 1 234 567 × 0.1 mL = 123 456.7 mL (both words used).
        device.expectRead(.input, 0x0200, [0x0001, 1205, 9640, 0x0012, 0xD687])
        let reading = try await pump.read()
        #expect(reading.status == [.running])
        #expect(reading.actualSpeed == .rpm(120.5))
        #expect(reading.actualFlow == .mLPerMinute(964.0))
        #expect(isClose(reading.deliveredVolume.milliliters, 123_456.7))
        #expect(reading.isRunning)
        #expect(reading.direction == .forward)
        #expect(reading.faults.isEmpty)
        try device.verify()
    }

    @Test func faultBitsAreDataInTheReading() async throws {
        // running | reversing | doorOpen | faultLatched
        device.expectRead(.input, 0x0200, [0x8007, 300, 240, 0, 0])
        let reading = try await pump.read()
        #expect(reading.isRunning)
        #expect(reading.direction == .reverse)
        #expect(reading.faults == [.doorOpen, .faultLatched])
        #expect(reading.faultNames == ["doorOpen", "faultLatched"])
        #expect(reading.actualSpeed == .rpm(30))
        try device.verify()
    }

    @Test func stoppedPumpHasNoDirection() async throws {
        device.expectRead(.input, 0x0200, [0x00A0, 0, 0, 0, 10]) // stall | watchdogExpired
        let reading = try await pump.read()
        #expect(!reading.isRunning)
        #expect(reading.direction == nil)
        #expect(reading.faults == [.stall, .watchdogExpired])
        #expect(reading.deliveredVolume == .mL(1))
    }

    @Test func largestPlausibleValuesAreAccepted() async throws {
        // 650.0 rpm, 6000.0 mL/min, 4 000 000 000 × 0.1 = 400 000 000 mL.
        device.expectRead(.input, 0x0200, [0x0001, 6500, 60000, 0xEE6B, 0x2800])
        let reading = try await pump.read()
        #expect(reading.actualSpeed == .rpm(650))
        #expect(reading.actualFlow == .mLPerMinute(6000))
        #expect(reading.deliveredVolume == .mL(400_000_000))
    }

    @Test(arguments: [
        ([UInt16(0x0001), 6501, 0, 0, 0], "actualSpeed"),
        ([0x0001, 0, 60001, 0, 0], "actualFlow"),
        ([0x0001, 0, 0, 0xEE6B, 0x2801], "deliveredVolume"),
        ([0x0001, 0, 0, 0xFFFF, 0xFFFF], "deliveredVolume"),
    ])
    func valueOutsideItsRangeIsImplausible(words: [UInt16], register: String) async throws {
        device.expectRead(.input, 0x0200, words)
        let error = await expectDeviceError(.implausibleValue) { try await pump.read() }
        expectMentions(error, register, "reading pump state")
        #expect(error?.device == "blood pump unit 1")
        try device.verify()
    }

    @Test(arguments: [(UInt16(0x0100), "0x0100"), (0x4000, "0x4000"), (0x7F00, "0x7F00")])
    func undefinedStatusBitsAreImplausible(status: UInt16, bits: String) async throws {
        device.expectRead(.input, 0x0200, [status | 0x0001, 0, 0, 0, 0])
        let error = await expectDeviceError(.implausibleValue) { try await pump.read() }
        expectMentions(error, "status", "bits \(bits)", "does not define")
        try device.verify()
    }

    @Test(arguments: transportKinds)
    func transportFaultsSurfaceWithTheirKind(kind: HardwareErrorKind) async throws {
        device.expect(failingRead(.input, 0x0200, count: 5, kind))
        device.expect(failingWrite(0x0200, [0x0000], kind))
        device.expect(failingWrite(0x0201, [1205], kind))
        device.expect(failingRead(.holding, 0x0202, count: 1, kind))
        let readError = await expectDeviceError(kind) { try await pump.read() }
        expectMentions(readError, "reading pump state", "scripted")
        await expectDeviceError(kind) { try await pump.stop() }
        await expectDeviceError(kind) { try await pump.setSpeed(.rpm(120.5)) }
        await expectDeviceError(kind) { try await pump.readCalibration() }
        try device.verify()
    }

    // MARK: commands

    @Test func runAndStopWriteTheWholeControlWord() async throws {
        device.expectWrite(0x0200, [0x0001])
        device.expectWrite(0x0200, [0x0003])
        device.expectWrite(0x0200, [0x0000])
        try await pump.run(direction: .forward)
        try await pump.run(direction: .reverse)
        try await pump.stop()
        try device.verify()
    }

    @Test func setSpeedWritesTenthsOfRpm() async throws {
        device.expectWrite(0x0201, [1205])
        device.expectWrite(0x0201, [0])
        device.expectWrite(0x0201, [6000])
        device.expectWrite(0x0201, [1205])
        #expect(try await pump.setSpeed(.rpm(120.5)) == .rpm(120.5))
        #expect(try await pump.setSpeed(.zero) == .zero)
        #expect(try await pump.setSpeed(.rpm(600)) == .rpm(600))
        // Rounded to the register's 0.1 rpm resolution; the commanded speed is returned.
        #expect(try await pump.setSpeed(.rpm(120.54)) == .rpm(120.5))
        try device.verify()
    }

    @Test func setFlowConvertsThroughTheCalibration() async throws {
        device.expectWrite(0x0201, [300])  // 240 mL/min ÷ 8 mL/rev = 30.0 rpm
        device.expectWrite(0x0201, [125])  // 100 mL/min ÷ 8 mL/rev = 12.5 rpm
        device.expectWrite(0x0201, [6000]) // 1200 mL/min ÷ 2 mL/rev = 600 rpm, the limit
        device.expectWrite(0x0201, [137])  // 100 mL/min ÷ 7.3 mL/rev = 13.698… → 13.7 rpm
        let eight = TubingCalibration(millilitersPerRevolution: 8)
        #expect(try await pump.setFlow(.mLPerMinute(240), calibration: eight) == .rpm(30))
        #expect(try await pump.setFlow(.mLPerMinute(100), calibration: eight) == .rpm(12.5))
        try await pump.setFlow(.mLPerMinute(1200), calibration: TubingCalibration(millilitersPerRevolution: 2))
        let commanded = try await pump.setFlow(.mLPerMinute(100), calibration: TubingCalibration(millilitersPerRevolution: 7.3))
        #expect(isClose(commanded.revolutionsPerMinute, 13.7))
        try device.verify()
    }

    @Test(arguments: [-0.1, 600.1, 1000, .nan, .infinity, -.infinity])
    func speedOutsideTheSpecificationIsRefusedWithNothingSent(rpm: Double) async throws {
        let error = await expectDeviceError(.invalidRequest) { try await pump.setSpeed(.rpm(rpm)) }
        expectMentions(error, "speedSetpoint")
        try device.verify()
    }

    @Test(arguments: [
        (4808.0, 8.0),    // 601 rpm
        (1201.0, 2.0),    // 600.5 rpm
        (-10.0, 8.0),     // negative flow
        (.nan, 8.0),
        (240.0, 0.0),     // no calibration
        (240.0, -8.0),
        (240.0, 0.05),    // 50 µL/rev, below the 100 µL/rev the pump can hold
        (240.0, 25.0),    // 25 000 µL/rev, above 20 000
        (240.0, .nan),
    ])
    func flowThatNeedsAnImpossibleSpeedOrCalibrationIsRefusedWithNothingSent(flow: Double, mLPerRev: Double) async throws {
        await expectDeviceError(.invalidRequest) {
            try await pump.setFlow(.mLPerMinute(flow), calibration: TubingCalibration(millilitersPerRevolution: mLPerRev))
        }
        try device.verify()
    }

    @Test func calibrationIsReadAndWrittenInMicrolitersPerRevolution() async throws {
        device.expectRead(.holding, 0x0202, [8000])
        device.expectWrite(0x0202, [8000])
        device.expectWrite(0x0202, [7300])
        #expect(try await pump.readCalibration() == TubingCalibration(millilitersPerRevolution: 8))
        try await pump.writeCalibration(TubingCalibration(millilitersPerRevolution: 8))
        try await pump.writeCalibration(TubingCalibration(millilitersPerRevolution: 7.3))
        try device.verify()
    }

    @Test(arguments: [0.099, 20.001, 0, .nan])
    func calibrationOutsideTheSpecificationIsRefusedWithNothingSent(mLPerRev: Double) async throws {
        await expectDeviceError(.invalidRequest) {
            try await pump.writeCalibration(TubingCalibration(millilitersPerRevolution: mLPerRev))
        }
        try device.verify()
    }

    @Test func implausibleCalibrationOrMaximumSpeedIsRefused() async throws {
        device.expectRead(.holding, 0x0202, [99])
        device.expectRead(.holding, 0x0203, [0])
        device.expectRead(.holding, 0x0203, [6001])
        await expectDeviceError(.implausibleValue) { try await pump.readCalibration() }
        await expectDeviceError(.implausibleValue) { try await pump.readMaxSpeed() }
        await expectDeviceError(.implausibleValue) { try await pump.readMaxSpeed() }
        try device.verify()
    }

    @Test func maximumSpeedIsReadInTenthsOfRpm() async throws {
        device.expectRead(.holding, 0x0203, [4000])
        #expect(try await pump.readMaxSpeed() == .rpm(400))
        try device.verify()
    }

    @Test func commandsWriteTheirMagicValues() async throws {
        device.expectWrite(0x0204, [0x5555])
        device.expectWrite(0x0204, [0xA5A5])
        try await pump.faultReset()
        try await pump.resetVolume()
        try device.verify()
    }

    @Test func pumpRefusingASpeedAboveItsMaximumSurfacesAsRefused() async throws {
        device.expect(failingWrite(0x0201, [4500], .deviceRefused))
        await expectDeviceError(.deviceRefused) { try await pump.setSpeed(.rpm(450)) }
        try device.verify()
    }
}
