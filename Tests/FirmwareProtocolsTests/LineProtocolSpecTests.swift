import Foundation
import Testing
import FirmwareProtocols
import HardwareInterfaces
@testable import ProtocolSpec

@Suite struct LineProtocolGeneratedCodeTests {
    /// The generated Swift and Markdown must be what line-ascii-pump.yaml says today, so
    /// the driver, the simulated firmware and the document cannot disagree with it.
    @Test func generatedFilesMatchTheSpecification() throws {
        let specs = repositoryRoot.appendingPathComponent("firmware-protocols")
        let lines = try LineProtocolLoader.loadAll(directory: specs)
        #expect(lines.map(\.name) == ["asciiPumpLine"])
        let swift = LineProtocolSwiftRenderer.render(lines)
        #expect(Array(swift.keys) == ["AsciiPumpLineProtocol.swift"])
        for (name, text) in swift {
            let committed = try String(contentsOf: repositoryRoot.appendingPathComponent("Sources/FirmwareProtocols/Generated/\(name)"), encoding: .utf8)
            #expect(committed == text, "Sources/FirmwareProtocols/Generated/\(name) is out of date: run `make protocols`")
        }
        let markdown = LineProtocolMarkdownRenderer.render(lines)
        #expect(Array(markdown.keys) == ["line-ascii-pump.md"])
        for (name, text) in markdown {
            let committed = try String(contentsOf: specs.appendingPathComponent(name), encoding: .utf8)
            #expect(committed == text, "firmware-protocols/\(name) is out of date: run `make protocols`")
        }
    }

    @Test func theModbusLoaderLeavesLineProtocolsAlone() throws {
        let (_, families) = try SpecificationLoader.loadAll(directory: repositoryRoot.appendingPathComponent("firmware-protocols"))
        #expect(!families.contains { $0.sourceFile.contains("line-") })
    }

    @Test func generatedConstantsCarryTheSpecificationsNumbers() {
        typealias P = AsciiPumpLineProtocol
        #expect(P.baudRate == 9600 && P.dataBits == 8 && P.parity == "none" && P.stopBits == 1)
        #expect(P.addresses == 1...8)
        #expect(P.terminator == 0x0D && P.checksumSeparator == UInt8(ascii: ";") && P.fieldSeparator == UInt8(ascii: ","))
        #expect(P.maximumLineLength == 40)
        #expect(P.minimumCommandGap == .milliseconds(10))
        #expect(P.defaultWatchdogTimeout == .milliseconds(500))
        #expect(P.Command.allCases.map(\.rawValue) == ["SP", "GO", "ST", "SD", "RS", "SC", "RC", "RV", "ZV", "HB", "SW", "RW", "FR", "ID"])
        #expect(P.Command.stop.isSafetyCommand && !P.Command.start.isSafetyCommand)
        #expect(P.Command.start.refusals == [.doorOpen, .faultLatched])
        #expect(P.Command.readStatus.valueFields.map(\.name) == ["running", "direction", "speedSetpoint", "actualSpeed", "doorOpen", "faults"])
        #expect(P.speedSetpoint.rawRange == 0...4000 && P.speedSetpoint.scale == 0.1)
        #expect(P.ReplyCode.allCases.map(\.rawValue) == [1, 2, 3, 4, 5, 6, 7])
        #expect(P.ReplyCode.doorOpen.kind == .deviceFault && P.ReplyCode.faultLatched.kind == .deviceFault)
        #expect(P.ReplyCode.badChecksum.kind == .corruptFrame && P.ReplyCode.busy.kind == .deviceRefused)
        #expect(P.ReplyCode.notWhileRunning.digits == Array("07".utf8))
        #expect(P.Faults.defined.rawValue == 0x0F && P.watchdogFlag == .watchdogExpired)
        #expect(P.ReplyMarker.refused.rawValue == UInt8(ascii: "#"))
    }

    @Test func decimalFieldsRoundToTheirResolutionAndRefuseWhatIsOutside() {
        let speed = AsciiPumpLineProtocol.speedSetpoint
        #expect(speed.raw(for: 120.5) == 1205)
        #expect(speed.raw(for: 120.54) == 1205)
        #expect(speed.raw(for: 400) == 4000)
        #expect(speed.raw(for: 0) == 0)
        #expect(speed.raw(for: 400.04) == nil)
        #expect(speed.raw(for: -0.1) == nil)
        #expect(speed.raw(for: .nan) == nil)
        #expect(speed.raw(for: .infinity) == nil)
        #expect(speed.value(raw: 1205) == 120.5)
    }

    @Test func everyExampleCarriesTheChecksumOfItsBody() {
        for example in AsciiPumpLineProtocol.examples {
            for line in [example.request, example.reply] {
                let bytes = Array(line.utf8)
                let separator = bytes.lastIndex(of: AsciiPumpLineProtocol.checksumSeparator)!
                let sum = AsciiPumpLineProtocol.checksum(bytes[..<separator])
                let written = UInt8(String(decoding: bytes[(separator + 1)...], as: UTF8.self), radix: 16)
                // The one example of a damaged request is the one answered with the unverified echo.
                if example.reply.contains("??"), line == example.request {
                    #expect(written != sum, "\(line)")
                } else {
                    #expect(written == sum, "\(line)")
                }
            }
        }
    }
}

@Suite struct LineProtocolValidationTests {
    /// A small valid line protocol; the tests break it one line at a time.
    static let valid = """
        protocol: testLine
        title: Test line device
        protocolVersion: {major: 1, minor: 0}
        description: A device for tests.
        serial: {baudRate: 9600, dataBits: 8, parity: none, stopBits: 1}
        addresses: {min: 1, max: 8}
        framing:
          description: Lines.
          terminator: CR
          checksumSeparator: ";"
          fieldSeparator: ","
          checksum: {algorithm: sum8, digits: 2}
          maximumLineLength: 40
          markers: {done: "*", value: "=", refused: "#"}
          unverifiedEcho: "??"
        timing: {minimumCommandGap: 10, replyTimeout: 150, maximumReplyDelay: 20, description: Timing.}
        fields:
          - name: level
            kind: decimal
            unit: mL
            scale: 0.1
            range: {min: 0, max: 100}
            description: A level.
        commands:
          - name: setLevel
            mnemonic: SL
            argument: level
            reply: done
            description: Sets the level.
          - name: readLevel
            mnemonic: RL
            reply: value
            value: [level]
            description: Reads the level.
        replyCodes:
          - {code: 1, name: unknownCommand, kind: deviceRefused, everyCommand: true, description: Unknown.}
          - {code: 3, name: badChecksum, kind: corruptFrame, everyCommand: true, description: Damaged.}
        examples:
          - {request: "1RL;CF", reply: "1=RL500;A1", description: Read.}
        """

    /// The valid text with `old` (which must occur once) replaced by `new`.
    func variant(_ old: String, _ new: String) -> String {
        #expect(Self.valid.components(separatedBy: old).count == 2, "'\(old)' must occur exactly once")
        return Self.valid.replacingOccurrences(of: old, with: new)
    }

    func error(_ text: String) -> SpecificationError? {
        do {
            _ = try LineProtocolLoader.parse(text, file: "firmware-protocols/line-test.yaml")
            return nil
        } catch let error as SpecificationError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    @Test func theValidSpecificationLoads() throws {
        let spec = try LineProtocolLoader.parse(Self.valid, file: "t.yaml")
        #expect(spec.commands.map(\.mnemonic) == ["SL", "RL"])
        #expect(spec.field(named: "level")?.rawRange == 0...1000)
        #expect(spec.examples.count == 1)
    }

    @Test func anUnknownTopLevelKeyIsNamedWithFileLineAndColumn() {
        let e = error(variant("title: Test line device", "title: Test line device\ntimming: {}"))
        #expect(e?.file == "firmware-protocols/line-test.yaml")
        #expect(e?.line == 3)
        #expect(e?.column == 1)
        #expect(e?.message.contains("unknown key 'timming' in the line protocol") == true, "\(String(describing: e))")
        #expect(e?.description.hasPrefix("firmware-protocols/line-test.yaml:3:1: unknown key 'timming'") == true)
    }

    @Test func anUnknownKeyInACommandNamesTheCommandAndItsLine() {
        let e = error(variant("    mnemonic: RL", "    mnemonik: RL"))
        #expect(e?.line == 31)
        #expect(e?.message.contains("unknown key 'mnemonik' in command 'readLevel'") == true, "\(String(describing: e))")
    }

    @Test func aValueOfTheWrongTypeIsNamed() {
        let e = error(variant("maximumLineLength: 40", "maximumLineLength: forty"))
        #expect(e?.line == 13)
        #expect(e?.message.contains("'maximumLineLength' in framing must be a whole number") == true, "\(String(describing: e))")
        let flag = error(variant("everyCommand: true, description: Unknown.", "everyCommand: yes, description: Unknown."))
        #expect(flag?.line == 36)
        #expect(flag?.message.contains("'everyCommand' in reply code 'unknownCommand' must be true or false") == true, "\(String(describing: flag))")
    }

    @Test func aKeyThatDoesNotFitTheFieldsKindIsNamed() {
        let e = error(variant("    kind: decimal", "    kind: flag"))
        #expect(e?.line == 20)
        #expect(e?.message.contains("key 'unit' does not apply to a field of kind 'flag'") == true, "\(String(describing: e))")
    }

    @Test(arguments: [
        ("    argument: level", "    argument: volume", "names field 'volume', which is not defined"),
        ("    mnemonic: RL", "    mnemonic: SL", "repeats a name or mnemonic"),
        ("    mnemonic: RL", "    mnemonic: rl", "must be two upper-case letters"),
        ("    value: [level]", "    value: [level, level]", "lists 'level' twice"),
        ("    reply: value\n", "    reply: done\n", "is given but its reply is 'done'"),
        ("range: {min: 0, max: 100}", "range: {min: 0, max: 100.05}", "not a whole number of steps"),
        ("maximumLineLength: 40", "maximumLineLength: 10", "above maximumLineLength 10"),
        // Once trapped converting 1e301 steps to an Int.
        ("range: {min: 0, max: 100}", "range: {min: 0, max: 1e300}", "needs more than 9 digits"),
        ("  - name: level", "  - name: checksum", "is reserved"),
        ("{code: 3, name: badChecksum, kind: corruptFrame", "{code: 3, name: badChecksum, kind: corrupted", "expected one of: timeout, corruptFrame"),
        ("{code: 3, name: badChecksum", "{code: 1, name: badChecksum", "repeats a code or name"),
        ("baudRate: 9600", "baudRate: 9601", "baudRate 9601 is not one of"),
        ("addresses: {min: 1, max: 8}", "addresses: {min: 1, max: 12}", "one decimal digit"),
        ("refused: \"#\"", "refused: \"*\"", "must all be different characters"),
        ("checksumSeparator: \";\"", "checksumSeparator: \"A\"", "must be one punctuation character"),
        ("algorithm: sum8", "algorithm: crc16", "expected one of: sum8"),
        ("maximumReplyDelay: 20", "maximumReplyDelay: 200", "must be below replyTimeout"),
        ("reply: \"1=RL500;A1\"", "reply: \"1=RL500;A2\"", "the reply's checksum should be A1"),
        ("reply: \"1=RL500;A1\"", "reply: \"1=RL5000;D1\"", "'5000' is not a valid level"),
        ("request: \"1RL;CF\"", "request: \"1RX;DB\"", "'RX' is not a command"),
    ])
    func inconsistentSpecificationsAreRefused(old: String, new: String, message: String) {
        let e = error(variant(old, new))
        #expect(e?.message.contains(message) == true, "\(String(describing: e))")
        #expect(e?.file == "firmware-protocols/line-test.yaml")
        #expect((e?.line ?? 0) > 0, "every complaint names its line")
    }

    @Test func aWatchdogMustReferToWhatExists() {
        let text = Self.valid + "\nwatchdog: {heartbeat: beat, timeout: level, flag: expired, description: Watchdog.}\nsafeState: Stops."
        let e = error(text)
        #expect(e?.message.contains("'heartbeat' in watchdog names command 'beat', which is not defined") == true, "\(String(describing: e))")
        #expect(e?.line == 40)
    }

    @Test func aMissingKeyIsNamed() {
        let e = error(variant("    reply: done\n", ""))
        #expect(e?.message.contains("missing key 'reply' in command 'setLevel'") == true, "\(String(describing: e))")
        #expect(e?.line == 25)
    }

    @Test func brokenYAMLIsReported() {
        #expect(error("protocol: [unclosed") != nil)
    }
}
