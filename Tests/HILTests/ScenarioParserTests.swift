import Foundation
import HIL
import Interlock
import StrictYAML
import Testing

/// Scenario files are read strictly: every mistake is named with its file, line, column and key.
@Suite struct ScenarioParserTests {
    static let good = """
        scenario: SR-2 venous pressure high
        description: the return line occludes
        circuit: bal
        tightening:
          persistence: {venousPressureHigh: 500ms}
          frozenSensorWindow: 2s
        steps:
          - selfTest: pass
          - prime
          - setFlow: {pump: bloodPump, flow: 100}
          - waitFor: {flow: bloodPump, reaches: 100, within: 3s}
          - inject: condition returnLineRestriction 5
          - expect: {alarm: SR-2, within: 2s}
          - expect: {safeState: S1, within: 1500ms}
          - expect: {outputs: {bloodPump: stopped, returnClamp: closed, heater: off}, within: 1s}
          - expect: {register: {role: bloodPump, name: controlWord, bit: run, equals: 0}, within: 1s}
          - expect: {onWire: stopPump bloodPump, within: 1s}
          - resume: {expect: refused, reason: acknowledged}
          - clear: venousPressure
          - expect: {noAlarm: 2s}
          - wait: 1.5s
        """

    func error(_ text: String) throws -> YAMLError {
        do {
            _ = try ScenarioParser.parse(text, file: "bad.yaml")
        } catch {
            return error
        }
        Issue.record("the scenario was accepted")
        throw CancellationError()
    }

    @Test func aGoodScenarioReadsEveryStep() throws {
        let s = try ScenarioParser.parse(Self.good, file: "good.yaml")
        #expect(s.name == "SR-2 venous pressure high")
        #expect(s.circuit.name == "bal")
        #expect(s.target == .simulator)
        #expect(s.steps.count == 14)
        #expect(s.tightening.settings.map(\.name) == ["persistence.venousPressureHigh", "frozenSensorWindow"])
        #expect(s.tightening.settings.map(\.value) == [0.5, 2])
        guard case .expect(.alarm(let sr, nil, let within)) = s.steps[5].action else {
            Issue.record("step 6 is \(s.steps[5].action)")
            return
        }
        #expect(sr == .sr2)
        #expect(within == .seconds(2))
        #expect(s.steps[5].location.line == 13)
        guard case .expect(.register(let register, _)) = s.steps[8].action else { Issue.record("step 9"); return }
        #expect(register.bit == 0 && register.bitName == "run")
        guard case .command(.resume, .refused(let reason)) = s.steps[10].action else { Issue.record("step 11"); return }
        #expect(reason == "acknowledged")
        guard case .inject(let command, nil, _) = s.steps[11].action else { Issue.record("step 12"); return }
        #expect(command == "clear venousPressure")
        guard case .wait(let d) = s.steps[13].action else { Issue.record("step 14"); return }
        #expect(d == .milliseconds(1500))
    }

    @Test func anUnknownKeyIsNamedWithItsPlace() throws {
        let e = try error(Self.good.replacingOccurrences(of: "description:", with: "descripton:"))
        #expect(e.line == 2 && e.column == 1)
        #expect(e.description.hasPrefix("bad.yaml:2:1: unknown key 'descripton'"))
    }

    @Test func anUnknownKeyInsideAStepIsNamed() throws {
        let e = try error(Self.good.replacingOccurrences(of: "{alarm: SR-2, within: 2s}", with: "{alarm: SR-2, whithin: 2s}"))
        #expect(e.line == 13)
        #expect(e.message.contains("unknown key 'whithin'"))
    }

    @Test func anUnknownStepIsNamed() throws {
        let e = try error(Self.good.replacingOccurrences(of: "  - prime\n", with: "  - primeCircuit\n"))
        #expect(e.line == 9 && e.column == 5)
        #expect(e.message.contains("unknown step 'primeCircuit'"))
    }

    @Test func aBadDurationIsNamed() throws {
        let e = try error(Self.good.replacingOccurrences(of: "within: 1500ms", with: "within: 1500"))
        #expect(e.line == 14)
        #expect(e.message.contains("'within'") && e.message.contains("not a duration"))
        let e2 = try error(Self.good.replacingOccurrences(of: "wait: 1.5s", with: "wait: soon"))
        #expect(e2.line == 21 && e2.message.contains("'soon'"))
    }

    @Test func aWrongTypeIsNamed() throws {
        let e = try error(Self.good.replacingOccurrences(of: "flow: 100}", with: "flow: lots}"))
        #expect(e.line == 10)
        #expect(e.message.contains("'flow'") && e.message.contains("must be a number"))
        let e2 = try error(Self.good.replacingOccurrences(of: "circuit: bal", with: "circuit: [bal]"))
        #expect(e2.line == 3 && e2.message.contains("'circuit'") && e2.message.contains("must be text"))
        let e3 = try error(Self.good.replacingOccurrences(of: "  - wait: 1.5s", with: "  - wait: [1.5s]"))
        #expect(e3.line == 21 && e3.message.contains("'wait'") && e3.message.contains("must be text"))
    }

    @Test func aRoleTheCircuitLacksIsNamed() throws {
        let e = try error(Self.good.replacingOccurrences(of: "clear: venousPressure", with: "clear: portalPressure"))
        #expect(e.line == 19 && e.message.contains("no role 'portalPressure'"))
    }

    @Test func aBadControlCommandIsNamedWithTheSimulatorsReason() throws {
        let e = try error(Self.good.replacingOccurrences(of: "condition returnLineRestriction 5", with: "fault venousPressure wobble"))
        #expect(e.line == 12)
        #expect(e.message.contains("unknown fault kind 'wobble'"))
    }

    @Test(arguments: ["99999999999999999999", "9223372036854775807", "0", "4"])
    func aConsecutiveFailuresCountOutOfRangeIsRefusedNotTrappedOn(count: String) throws {
        // Int.max once became 2^63 as a Double and trapped converting back (SIGILL in `hil check`).
        let e = try error(Self.good.replacingOccurrences(of: "frozenSensorWindow: 2s", with: "consecutiveFailures: \(count)"))
        #expect(e.line == 6 && e.column == 24, "\(e)")
        #expect(e.message.contains("consecutiveFailures") && e.message.contains(count) && e.message.contains("out of range"), "\(e)")
        let ok = try ScenarioParser.parse(Self.good.replacingOccurrences(of: "frozenSensorWindow: 2s", with: "consecutiveFailures: 2"), file: "good.yaml")
        #expect(ok.tightening.settings.contains { $0.name == "consecutiveFailures" && $0.value == 2 })
    }

    @Test func aNumberPastWhatADoubleHoldsIsRefused() throws {
        let e = try error(Self.good.replacingOccurrences(of: "flow: 100}", with: "flow: 1e400}"))
        #expect(e.line == 10 && e.message.contains("1e400") && e.message.contains("not a finite number"), "\(e)")
    }

    @Test func anUnknownConditionOrPropertyIsCaughtByCheckNotByRun() throws {
        let e = try error(Self.good.replacingOccurrences(of: "condition returnLineRestriction 5", with: "condition returnLineRestrction 5"))
        #expect(e.line == 12 && e.message.contains("unknown condition 'returnLineRestrction'") && e.message.contains("returnLineRestriction"), "\(e)")
        let e2 = try error(Self.good.replacingOccurrences(of: "condition returnLineRestriction 5", with: "condition separatorClotting 7"))
        #expect(e2.line == 12 && e2.message.contains("outside 0-1"), "\(e2)")
        let e3 = try error(Self.good.replacingOccurrences(of: "condition returnLineRestriction 5", with: "set bloodPump doorOpn true"))
        #expect(e3.line == 12 && e3.message.contains("no condition 'doorOpn'") && e3.message.contains("doorOpen"), "\(e3)")
        let e4 = try error(Self.good.replacingOccurrences(of: "condition returnLineRestriction 5", with: "set bloodPump doorOpen maybe"))
        #expect(e4.line == 12 && e4.message.contains("'maybe'"), "\(e4)")
        // The line-protocol heparin pump has its own list.
        let e5 = try error(Self.good.replacingOccurrences(of: "condition returnLineRestriction 5", with: "set heparinPump rotorDrag 3"))
        #expect(e5.line == 12 && e5.message.contains("no condition 'rotorDrag' on the line pump"), "\(e5)")
        _ = try ScenarioParser.parse(Self.good.replacingOccurrences(of: "condition returnLineRestriction 5", with: "set bloodPump doorOpen true"), file: "good.yaml")
    }

    @Test func aSubjectOnARowWhoseAlarmNamesNoDeviceIsRefused() throws {
        let e = try error(Self.good.replacingOccurrences(of: "{alarm: SR-2, within: 2s}", with: "{alarm: SR-2, subject: bloodPump, within: 2s}"))
        #expect(e.line == 13 && e.message.contains("'subject' on SR-2") && e.message.contains("SR-16"), "\(e)")
        _ = try ScenarioParser.parse(Self.good.replacingOccurrences(of: "{alarm: SR-2, within: 2s}", with: "{alarm: SR-16, subject: venousPressure, within: 2s}"), file: "good.yaml")
    }

    @Test func yamlTagsAreRefusedWithTheirPlace() throws {
        for (tagged, column) in [("scenario: !!str SR-2", 11), ("scenario: !foo SR-2", 11), ("scenario: ! SR-2", 11)] {
            let e = try error(Self.good.replacingOccurrences(of: "scenario: SR-2 venous pressure high", with: tagged))
            #expect(e.file == "bad.yaml" && e.line == 1 && e.column == column && e.message.contains("YAML tag"), "\(tagged): \(e)")
        }
        let e = try error(Self.good.replacingOccurrences(of: "flow: 100}", with: "flow: !!int 100}"))
        #expect(e.line == 10 && e.message.contains("'!!int'"), "\(e)")
        let e2 = try error(Self.good.replacingOccurrences(of: "  - prime", with: "  - !!map {prime: {}}"))
        #expect(e2.line == 9 && e2.message.contains("YAML tag"), "\(e2)")
    }

    @Test func clearedWaitsForTheRowsConditionToGo() throws {
        let s = try ScenarioParser.parse(Self.good.replacingOccurrences(of: "  - wait: 1.5s", with: "  - waitFor: {cleared: SR-2, within: 3s}"), file: "good.yaml")
        if case .waitFor(let condition, let within)? = s.steps.last?.action {
            #expect(condition == .cleared(.sr2) && within == .seconds(3))
        } else {
            Issue.record("not a waitFor: \(String(describing: s.steps.last))")
        }
        let e = try error(Self.good.replacingOccurrences(of: "  - wait: 1.5s", with: "  - waitFor: {cleared: SR-42, within: 3s}"))
        #expect(e.line == 21 && e.message.contains("'SR-42'"), "\(e)")
    }

    @Test func aLimitLoosenedPastItsBoundIsRefused() throws {
        let e = try error(Self.good.replacingOccurrences(of: "venousPressureHigh: 500ms", with: "venousPressureHigh: 5s"))
        #expect(e.line == 5)
        #expect(e.message.contains("persistence.venousPressureHigh"))
    }

    @Test func anUnknownSignalAndAnUnknownLifecycleAreNamed() throws {
        let e = try error(Self.good.replacingOccurrences(of: "{flow: bloodPump, reaches: 100, within: 3s}", with: "{signal: portalPressure, above: 3, within: 3s}"))
        #expect(e.line == 11 && e.message.contains("'portalPressure'") && e.message.contains("venousPressure"))
        let e2 = try error(Self.good.replacingOccurrences(of: "safeState: S1", with: "safeState: S3"))
        #expect(e2.line == 14 && e2.message.contains("'S3'"))
    }

    @Test func anUnknownRegisterBitIsNamed() throws {
        let e = try error(Self.good.replacingOccurrences(of: "bit: run", with: "bit: sprint"))
        #expect(e.line == 16 && e.message.contains("no bit 'sprint'") && e.message.contains("0 run"))
    }

    @Test func durationsNeedAUnit() {
        #expect(DurationText.parse("250ms") == .milliseconds(250))
        #expect(DurationText.parse("2s") == .seconds(2))
        #expect(DurationText.parse("1.5 s") == .milliseconds(1500))
        #expect(DurationText.parse("1min") == .seconds(60))
        #expect(DurationText.parse("5") == nil)
        #expect(DurationText.parse("-1s") == nil)
        #expect(DurationText.parse("fast") == nil)
    }
}

extension ScenarioParserTests {
    /// A rig has no simulated device to read a register from.
    @Test func aRegisterExpectationIsRefusedOnARig() throws {
        let text = Self.good.replacingOccurrences(of: "circuit: bal\n", with: "circuit: bal\ntarget: rig\n")
        let e = try error(text)
        #expect(e.line == 17 && e.message.contains("'register' reads the simulated device"))
    }
}

extension ScenarioParserTests {
    /// A YAML syntax error is located like every other error.
    @Test func aSyntaxErrorIsLocated() throws {
        let e = try error(Self.good.replacingOccurrences(of: "{alarm: SR-2, within: 2s}", with: "{alarm: SR-2, within: 2s"))
        #expect(e.line == 14 && e.column == 11, "\(e)")
        #expect(e.description.hasPrefix("bad.yaml:14:11: not valid YAML: parser: while parsing a flow mapping in line 13"), "\(e)")
    }
}
