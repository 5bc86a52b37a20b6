import Drivers
import FirmwareProtocols
import HardwareInterfaces
import HardwareTesting
import Testing

/// Every error kind the driver reports, and that nothing reaches the wire when it should not.
@Suite struct AsciiPumpDriverErrorTests {
    // MARK: invalidRequest: checked before anything is sent

    @Test(arguments: [400.05, 401, -0.1, Double.nan, Double.infinity, -Double.infinity, 1e300])
    func speedsOutsideTheSpecificationAreNeverSent(rpm: Double) async throws {
        let (line, pump) = try scriptedAsciiPump()
        let e = await asciiPumpFailure { () async throws(DeviceError) in try await pump.setSpeed(.rpm(rpm)) }
        #expect(e?.kind == .invalidRequest)
        #expect(e?.detail.contains("nothing was sent") == true, "\(String(describing: e))")
        #expect(line.history.isEmpty)
    }

    @Test func otherValuesOutsideTheSpecificationAreNeverSent() async throws {
        let (line, pump) = try scriptedAsciiPump()
        let attempts: [(String, () async throws(DeviceError) -> Void)] = [
            ("calibration 0.09 mL/rev", { () async throws(DeviceError) in try await pump.setCalibration(TubingCalibration(millilitersPerRevolution: 0.09)) }),
            ("calibration 20.001 mL/rev", { () async throws(DeviceError) in try await pump.setCalibration(TubingCalibration(millilitersPerRevolution: 20.001)) }),
            ("watchdog 99 ms", { () async throws(DeviceError) in try await pump.setWatchdogTimeout(.milliseconds(99)) }),
            ("watchdog 10.001 s", { () async throws(DeviceError) in try await pump.setWatchdogTimeout(.milliseconds(10_001)) }),
            ("flow with 0 mL/rev", { () async throws(DeviceError) in try await pump.setFlow(.mLPerMinute(50), calibration: TubingCalibration(millilitersPerRevolution: 0)) }),
            ("negative flow", { () async throws(DeviceError) in try await pump.setFlow(.mLPerMinute(-1), calibration: TubingCalibration(millilitersPerRevolution: 8)) }),
            ("flow needing 400.1 rpm", { () async throws(DeviceError) in try await pump.setFlow(.mLPerMinute(3200.8), calibration: TubingCalibration(millilitersPerRevolution: 8)) }),
        ]
        for (name, attempt) in attempts {
            let e = await asciiPumpFailure(attempt)
            #expect(e?.kind == .invalidRequest, "\(name): \(String(describing: e))")
        }
        #expect(line.history.isEmpty)
    }

    @Test(arguments: [0, 9, -1])
    func addressesOutsideOneToEightAreRefused(address: Int) {
        #expect(throws: DeviceError.self) { try AsciiPumpDriver(device: ScriptedLineDevice(), address: address) }
    }

    // MARK: corruptFrame: a reply damaged or not fitting the request

    @Test(arguments: [
        ("1*SP;FF\r", "checksum"),                     // damaged: the sum is FE
        ("1*SP;fe\r", "upper-case"),                   // lower-case checksum digits
        ("1*SP;FE", "does not end with CR"),
        ("1*SP\r", "no checksum"),
        ("2*SP;FF\r", "address \"2\""),                // another pump's reply
        ("1*GO;F1\r", "answers \"GO\""),               // the answer to another command
        ("1!SP;F5\r", "marker"),
        ("1=SP1205;D9\r", "value reply"),              // a value where done was due
        ("1*S;AE\r", "too short"),
        ("1#??02;34\r", "unverified echo"),            // ?? only ever comes with the checksum code
    ])
    func repliesThatDoNotFitAreCorruptFrames(reply: String, reason: String) async throws {
        let (line, pump) = try scriptedAsciiPump()
        line.expect("1SP1205;9C\r", reply: reply)
        let e = await asciiPumpFailure { () async throws(DeviceError) in try await pump.setSpeed(.rpm(120.5)) }
        #expect(e?.kind == .corruptFrame)
        #expect(e?.detail.contains(reason) == true, "\(String(describing: e))")
        #expect(e?.device == "pump 1 on pump line")
        try line.verify()
    }

    @Test func aDoneReplyToAValueCommandIsACorruptFrame() async throws {
        let (line, pump) = try scriptedAsciiPump()
        line.expect("1RS;D6\r", reply: asciiPumpLine("1*RS"))
        let e = await asciiPumpFailure { () async throws(DeviceError) in try await pump.readStatus() }
        #expect(e?.kind == .corruptFrame)
    }

    @Test func theBadChecksumRefusalSaysOurRequestWasDamagedOnTheWire() async throws {
        let (line, pump) = try scriptedAsciiPump()
        line.expect("1GO;C7\r", reply: "1#??03;35\r")
        let e = await asciiPumpFailure { () async throws(DeviceError) in try await pump.start() }
        #expect(e?.kind == .corruptFrame)
        #expect(e?.detail.contains("badChecksum (03)") == true, "\(String(describing: e))")
    }

    // MARK: deviceRefused and deviceFault: the reason named

    @Test(arguments: [
        ("01", HardwareErrorKind.deviceRefused, "unknownCommand"),
        ("02", .deviceRefused, "badArgument"),
        ("04", .deviceFault, "doorOpen"),
        ("05", .deviceRefused, "busy"),
        ("06", .deviceFault, "faultLatched"),
        ("07", .deviceRefused, "notWhileRunning"),
    ])
    func refusalsBecomeTheirKindWithTheReasonNamed(code: String, kind: HardwareErrorKind, reason: String) async throws {
        let (line, pump) = try scriptedAsciiPump()
        line.expect("1GO;C7\r", reply: asciiPumpLine("1#GO" + code))
        let e = await asciiPumpFailure { () async throws(DeviceError) in try await pump.start() }
        #expect(e?.kind == kind)
        #expect(e?.detail.contains("starting the pump: refused: \(reason) (\(code))") == true, "\(String(describing: e))")
        try line.verify()
    }

    // MARK: implausibleValue: a whole reply that carries nonsense

    @Test(arguments: [
        "1=RS1,CW,1205,4401,0,00",     // faster than any tachometer reading allowed
        "1=RS1,CW,4001,1198,0,00",     // a set-point the pump cannot hold
        "1=RS2,CW,1205,1198,0,00",     // a flag that is neither 0 nor 1
        "1=RS1,UP,1205,1198,0,00",     // no such direction
        "1=RS1,CW,1205,1198,0,10",     // an undefined fault bit
        "1=RS1,CW,1205,1198,0,0f",     // lower-case hex
        "1=RS1,CW,1205,1198,0,000",    // three digits where two are due
        "1=RS1,CW,12A5,1198,0,00",     // not a number
        "1=RS1,CW,+120,1198,0,00",     // a sign
        "1=RS1,CW,01205,1198,0,00",    // more digits than the field has
        "1=RS1,CW,,1198,0,00",         // empty
        "1=RS1,CW,1205,1198,0",        // a field missing
        "1=RS1,CW,1205,1198,0,00,1",   // a field too many
    ])
    func nonsenseInAStatusIsImplausible(reply: String) async throws {
        let (line, pump) = try scriptedAsciiPump()
        line.expect("1RS;D6\r", reply: asciiPumpLine(reply))
        let e = await asciiPumpFailure { () async throws(DeviceError) in try await pump.readStatus() }
        #expect(e?.kind == .implausibleValue, "\(String(describing: e))")
        try line.verify()
    }

    @Test func otherImplausibleReplies() async throws {
        let (line, pump) = try scriptedAsciiPump()
        line.expect("1RC;C6\r", reply: asciiPumpLine("1=RC99"))
        line.expect("1RV;D9\r", reply: asciiPumpLine("1=RV100000000"))
        line.expect("1RW;DA\r", reply: asciiPumpLine("1=RW10001"))
        line.expect("1ID;BE\r", reply: asciiPumpLine("1=IDhlp,2.1,00412345,1.0"))
        line.expect("1ID;BE\r", reply: asciiPumpLine("1=IDHLP-8,2,00412345,1.0"))
        line.expect("1GO;C7\r", reply: asciiPumpLine("1#GO42"))
        line.expect("1GO;C7\r", reply: asciiPumpLine("1#GO4"))
        let failures: [DeviceError?] = [
            await asciiPumpFailure { () async throws(DeviceError) in try await pump.readCalibration() },
            await asciiPumpFailure { () async throws(DeviceError) in try await pump.readDeliveredVolume() },
            await asciiPumpFailure { () async throws(DeviceError) in try await pump.readWatchdogTimeout() },
            await asciiPumpFailure { () async throws(DeviceError) in try await pump.readIdentity() },
            await asciiPumpFailure { () async throws(DeviceError) in try await pump.readIdentity() },
            await asciiPumpFailure { () async throws(DeviceError) in try await pump.start() },
            await asciiPumpFailure { () async throws(DeviceError) in try await pump.start() },
        ]
        for (index, e) in failures.enumerated() {
            #expect(e?.kind == .implausibleValue, "case \(index): \(String(describing: e))")
        }
        try line.verify()
    }

    // MARK: identityMismatch

    @Test func aPumpOfAnotherProtocolOrSerialNumberIsNotTheOneExpected() async throws {
        let (line, pump) = try scriptedAsciiPump()
        line.expect("1ID;BE\r", reply: asciiPumpLine("1=IDHLP-8,2.1,00412345,2.0"))
        line.expect("1ID;BE\r", reply: asciiPumpLine("1=IDHLP-8,2.1,00412399,1.3"))
        let protocolMismatch = await asciiPumpFailure { () async throws(DeviceError) in try await pump.identify() }
        #expect(protocolMismatch?.kind == .identityMismatch)
        #expect(protocolMismatch?.detail.contains("line protocol 2.0") == true, "\(String(describing: protocolMismatch))")
        let serialMismatch = await asciiPumpFailure { () async throws(DeviceError) in try await pump.identify(serialNumber: "00412345") }
        #expect(serialMismatch?.kind == .identityMismatch)
        #expect(serialMismatch?.detail.contains("serial number 00412399, expected 00412345") == true, "\(String(describing: serialMismatch))")
        try line.verify()
    }

    // MARK: transport errors keep their kind

    @Test(arguments: [HardwareErrorKind.timeout, .disconnected, .corruptFrame, .invalidRequest])
    func transportErrorsKeepTheirKind(kind: HardwareErrorKind) async throws {
        let (line, pump) = try scriptedAsciiPump()
        line.expect("1ST;D8\r", fault: ScriptedFault(kind, "on the wire"))
        let e = await asciiPumpFailure { () async throws(DeviceError) in try await pump.stop() }
        #expect(e?.kind == kind)
        #expect(e?.detail == "stopping the pump: \(kind.rawValue) (on the wire)")
        try line.verify()
    }
}
