import Foundation
import HIL
import Testing

extension PtySuites {
    /// The runner against the simulated circuit over ptys: it can fail, and says why.
    @Suite struct ScenarioRunnerTests {
        /// A scenario whose expectation is deliberately wrong: the return line occludes (SR-2),
        /// but the scenario claims air (SR-1). The runner must fail that step, name what it
        /// expected and what it saw with the time, and still pass the true expectations.
        @Test func aWrongExpectationFailsWithExpectedAndSeen() async throws {
            let text = """
                scenario: deliberately wrong
                circuit: bal
                tightening:
                  persistence: {venousPressureHigh: 200ms}
                steps:
                  - selfTest: pass
                  - prime
                  - setFlow: {pump: bloodPump, flow: 100}
                  - waitFor: {flow: bloodPump, reaches: 100, within: 5s}
                  - finishPriming
                  - startTreatment
                  - setFlow: {pump: bloodPump, flow: 150}
                  - waitFor: {flow: bloodPump, reaches: 150, within: 5s}
                  - inject: condition returnLineRestriction 5
                  - expect: {alarm: SR-1, within: 3s}
                  - expect: {alarm: SR-2, within: 5s}
                  - expect: {outputs: {bloodPump: running}, within: 1s}
                  - resume
                  - wait: 200ms
                """
            let scenario = try ScenarioParser.parse(text, file: "wrong.yaml")
            let run = await ScenarioRunner(scenario: scenario).run()
            let r = run.result
            #expect(r.setupError == nil)
            #expect(!r.passed)
            #expect(r.steps.map(\.status) == [.passed, .passed, .passed, .passed, .passed, .passed, .passed, .passed, .passed,
                                              .failed, .passed, .failed, .failed, .skipped])
            let wrongAlarm = r.steps[9].message
            #expect(wrongAlarm.contains("expected SR-1 within 3 s"), "\(wrongAlarm)")
            #expect(wrongAlarm.contains("seen: SR-2"), "\(wrongAlarm)")
            #expect(wrongAlarm.contains(" s"), "names the time: \(wrongAlarm)")
            let wrongOutput = r.steps[11].message
            #expect(wrongOutput.contains("expected bloodPump running") && wrongOutput.contains("bloodPump stopped"), "\(wrongOutput)")
            // Resuming before acknowledging is refused: the setup step fails, the rest is skipped.
            #expect(r.steps[12].message.contains("expected accepted; refused"), "\(r.steps[12].message)")
            #expect(r.steps[13].message.contains("step 13"))
            // The trace saw the venous pressure rise and the alarm.
            let venous = try #require(run.trace.columns.firstIndex { $0.name == "venousPressure" })
            #expect(run.trace.rows.contains { ($0.values[venous] ?? 0) > 300 })
            #expect(run.trace.markers.contains { $0.kind == .alarm && $0.label.hasPrefix("SR-2") })
            #expect(run.trace.markers.contains { $0.kind == .safeState && $0.label == "S1" })
        }

        /// An injection the simulator refuses fails its step with the simulator's reason. (An
        /// unknown condition or property no longer gets this far: the parser checks them.)
        @Test func aRefusedInjectionFailsWithTheSimulatorsReason() async throws {
            let text = """
                scenario: a measurement fault on the line pump
                circuit: bal
                steps:
                  - inject: fault heparinPump stuck
                  - expect: {noAlarm: 100ms}
                """
            let run = await ScenarioRunner(scenario: try ScenarioParser.parse(text, file: "refused.yaml")).run()
            #expect(run.result.steps.map(\.status) == [.failed, .skipped])
            #expect(run.result.steps[0].message.contains("no Modbus device plays role 'heparinPump'"), "\(run.result.steps[0].message)")
        }
    }
}
