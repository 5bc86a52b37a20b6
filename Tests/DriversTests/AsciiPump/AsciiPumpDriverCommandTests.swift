import Drivers
import FirmwareProtocols
import HardwareInterfaces
import HardwareTesting
import Testing

/// Every command's exact request bytes and the parsing of its reply
/// (firmware-protocols/line-ascii-pump.yaml).
@Suite struct AsciiPumpDriverCommandTests {
    @Test func setSpeedSendsTenthsOfAnRPMAndReturnsTheSpeedCommanded() async throws {
        let (line, pump) = try scriptedAsciiPump()
        line.expect("1SP1205;9C\r", reply: "1*SP;FE\r")
        line.expect("1SP1205;9C\r", reply: "1*SP;FE\r")
        line.expect("1SP0;04\r", reply: asciiPumpLine("1*SP"))
        line.expect("1SP4000;98\r", reply: asciiPumpLine("1*SP"))
        #expect(try await pump.setSpeed(.rpm(120.5)) == .rpm(120.5))
        // Rounded to the 0.1 rpm resolution.
        #expect(try await pump.setSpeed(.rpm(120.54)) == .rpm(120.5))
        #expect(try await pump.setSpeed(.zero) == .zero)
        #expect(try await pump.setSpeed(.rpm(400)) == .rpm(400))
        try line.verify()
    }

    @Test func everyExchangeUsesTheSpecificationsFraming() async throws {
        let (line, pump) = try scriptedAsciiPump()
        line.expect("1HB;BB\r", reply: "1*HB;E5\r")
        try await pump.heartbeat()
        let exchange = try #require(line.history.first)
        #expect(exchange.terminator == 0x0D)
        #expect(exchange.maxReplyLength == 40)
        #expect(exchange.timeout == .milliseconds(150))
    }

    @Test func setFlowSendsTheSpeedThatDeliversIt() async throws {
        let (line, pump) = try scriptedAsciiPump()
        // 100 mL/min through 8 mL/rev tubing: 12.5 rpm.
        line.expect("1SP125;6C\r", reply: asciiPumpLine("1*SP"))
        let speed = try await pump.setFlow(.mLPerMinute(100), calibration: TubingCalibration(millilitersPerRevolution: 8))
        #expect(speed == .rpm(12.5))
        try line.verify()
    }

    @Test func startStopAndDirection() async throws {
        let (line, pump) = try scriptedAsciiPump()
        line.expect("1SDCCW;A5\r", reply: asciiPumpLine("1*SD"))
        line.expect("1SDCW;62\r", reply: asciiPumpLine("1*SD"))
        line.expect("1GO;C7\r", reply: "1*GO;F1\r")
        line.expect("1ST;D8\r", reply: "1*ST;02\r")
        try await pump.setDirection(.counterClockwise)
        try await pump.setDirection(.clockwise)
        try await pump.start()
        try await pump.stop()
        try line.verify()
    }

    @Test func readStatusParsesEveryField() async throws {
        let (line, pump) = try scriptedAsciiPump()
        line.expect("1RS;D6\r", reply: "1=RS1,CW,1205,1198,0,00;E5\r")
        let status = try await pump.readStatus()
        #expect(status == AsciiPumpStatus(isRunning: true, direction: .clockwise, speedSetpoint: .rpm(120.5),
                                          actualSpeed: .rpm(119.8), isDoorOpen: false, faults: []))
        #expect(!status.isBlocked)
        #expect(status.faultNames.isEmpty)
        try line.verify()
    }

    @Test func faultFlagsAndAnOpenDoorAreDataNotErrors() async throws {
        let (line, pump) = try scriptedAsciiPump(address: 3)
        line.expect("3RS;D8\r", reply: "3=RS0,CCW,0,0,1,01;F0\r")
        line.expect("3RS;D8\r", reply: asciiPumpLine("3=RS0,CW,0,4400,0,0F"))
        let status = try await pump.readStatus()
        #expect(!status.isRunning && status.direction == .counterClockwise && status.isDoorOpen)
        #expect(status.faults == .watchdogExpired)
        #expect(status.faultNames == ["watchdogExpired"])
        #expect(status.isBlocked)
        let all = try await pump.readStatus()
        #expect(all.actualSpeed == .rpm(440))
        #expect(all.faultNames == ["watchdogExpired", "stall", "overCurrent", "occlusion"])
        try line.verify()
    }

    @Test func calibrationIsSentAndReadInMicrolitresPerRevolution() async throws {
        let (line, pump) = try scriptedAsciiPump()
        line.expect("1SC8000;8F\r", reply: asciiPumpLine("1*SC"))
        line.expect("1SC100;58\r", reply: asciiPumpLine("1*SC"))
        line.expect("1RC;C6\r", reply: "1=RC8000;CB\r")
        #expect(try await pump.setCalibration(TubingCalibration(millilitersPerRevolution: 8)) == TubingCalibration(millilitersPerRevolution: 8))
        #expect(try await pump.setCalibration(TubingCalibration(millilitersPerRevolution: 0.1)) == TubingCalibration(millilitersPerRevolution: 0.1))
        #expect(try await pump.readCalibration() == TubingCalibration(millilitersPerRevolution: 8))
        try line.verify()
    }

    @Test func deliveredVolumeIsReadInTenthsOfAMillilitreAndReset() async throws {
        let (line, pump) = try scriptedAsciiPump()
        line.expect("1RV;D9\r", reply: "1=RV12345;15\r")
        line.expect("1ZV;E1\r", reply: asciiPumpLine("1*ZV"))
        line.expect("1RV;D9\r", reply: asciiPumpLine("1=RV0"))
        #expect(try await pump.readDeliveredVolume() == .mL(1234.5))
        try await pump.resetDeliveredVolume()
        #expect(try await pump.readDeliveredVolume() == .mL(0))
        try line.verify()
    }

    @Test func watchdogHeartbeatTimeoutAndFaultReset() async throws {
        let (line, pump) = try scriptedAsciiPump()
        line.expect("1SW500;70\r", reply: asciiPumpLine("1*SW"))
        line.expect("1SW200;6D\r", reply: asciiPumpLine("1*SW"))
        line.expect("1RW;DA\r", reply: "1=RW500;AC\r")
        line.expect("1HB;BB\r", reply: "1*HB;E5\r")
        line.expect("1FR;C9\r", reply: asciiPumpLine("1*FR"))
        #expect(try await pump.setWatchdogTimeout(.milliseconds(500)) == .milliseconds(500))
        // Rounded to whole milliseconds.
        #expect(try await pump.setWatchdogTimeout(.microseconds(199_600)) == .milliseconds(200))
        #expect(try await pump.readWatchdogTimeout() == .milliseconds(500))
        try await pump.heartbeat()
        try await pump.resetFaults()
        try line.verify()
    }

    @Test func identityIsReadAndChecked() async throws {
        let (line, pump) = try scriptedAsciiPump()
        line.expect("1ID;BE\r", reply: "1=IDHLP-8,2.1,00412345,1.0;7B\r")
        line.expect("1ID;BE\r", reply: "1=IDHLP-8,2.1,00412345,1.0;7B\r")
        let identity = try await pump.readIdentity()
        #expect(identity == AsciiPumpIdentity(model: "HLP-8", firmwareVersion: .init(major: 2, minor: 1),
                                              serialNumber: "00412345", protocolVersion: .init(major: 1, minor: 0)))
        #expect(try await pump.identify(serialNumber: "00412345") == identity)
        try line.verify()
    }

    @Test func theAddressLeadsEveryRequest() async throws {
        let (line, pump) = try scriptedAsciiPump(address: 8)
        line.expect("8HB;C2\r", reply: asciiPumpLine("8*HB"))
        try await pump.heartbeat()
        #expect(pump.deviceDescription == "pump 8 on pump line")
        try line.verify()
    }

    /// The specification's own examples, replayed through the driver where the driver
    /// would send exactly that request.
    @Test func theSpecificationsExamplesParse() async throws {
        let (line, pump) = try scriptedAsciiPump()
        let examples = AsciiPumpLineProtocol.examples
        let setSpeed = try #require(examples.first { $0.request == "1SP1205;9C" })
        line.expect(setSpeed.request + "\r", reply: setSpeed.reply + "\r")
        try await pump.setSpeed(.rpm(120.5))
        let doorOpen = try #require(examples.first { $0.reply == "1#GO04;4E" })
        line.expect(doorOpen.request + "\r", reply: doorOpen.reply + "\r")
        let refusal = await asciiPumpFailure { () async throws(DeviceError) in try await pump.start() }
        #expect(refusal?.kind == .deviceFault)
        try line.verify()
    }
}
