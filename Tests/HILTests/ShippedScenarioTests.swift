import Foundation
import HIL
import Interlock
import Testing

extension PtySuites {
    /// Every scenario shipped in Scenarios/ runs against the simulator and must pass.
    /// Parametrised over the folder's files, so a new scenario is picked up by itself.
    @Suite struct ShippedScenarioTests {
        static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Scenarios")

        static var files: [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
                .filter { $0.hasSuffix(".yaml") }.sorted()
        }

        /// Every row of SAFETY.md is expected by some shipped scenario, and one runs a whole
        /// treatment expecting none.
        @Test func theFolderHasAScenarioPerSafetyRow() throws {
            var rows: Set<SafetyRequirement> = []
            var withoutAlarm = 0
            for file in Self.files {
                let scenario = try ScenarioParser.load(Self.folder.appendingPathComponent(file).path)
                let expected = scenario.steps.compactMap { step -> SafetyRequirement? in
                    if case .expect(.alarm(let sr, _, _)) = step.action { return sr }
                    return nil
                }
                rows.formUnion(expected)
                if expected.isEmpty { withoutAlarm += 1 }
            }
            let missing = SafetyRequirement.allCases.filter { !rows.contains($0) }
            #expect(missing.isEmpty, "no shipped scenario expects \(missing.map(\.id).joined(separator: ", "))")
            #expect(withoutAlarm >= 1, "no nominal scenario")
        }

        @Test(arguments: files)
        func shippedScenarioPasses(_ file: String) async throws {
            let scenario = try ScenarioParser.load(Self.folder.appendingPathComponent(file).path)
            #expect(scenario.target == .simulator)
            let run = await ScenarioRunner(scenario: scenario).run()
            #expect(run.result.setupError == nil, "\(run.result.setupError ?? "")")
            for step in run.result.steps where step.status != .passed {
                Issue.record("\(file) step \(step.number) \(step.title) \(step.status.rawValue): \(step.message)")
            }
            #expect(run.result.passed)
        }

        /// A resume refused for a reason (still active, not acknowledged) is refused for that
        /// reason however late it comes: each such step is delayed here, as a loaded machine
        /// would. SR-2's once passed only because the resume came within ~80 ms of the trip,
        /// before the stopped pumps let the pressure bleed off.
        @Test(arguments: files.filter { file in
            (try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8))?.contains("resume: {expect: refused, reason:") == true
        })
        func aRefusedResumesReasonDoesNotDependOnTiming(_ file: String) async throws {
            let path = Self.folder.appendingPathComponent(file).path
            let text = try String(contentsOfFile: path, encoding: .utf8)
                .replacingOccurrences(of: "  - resume: {expect: refused, reason:", with: "  - wait: 400ms\n  - resume: {expect: refused, reason:")
            let scenario = try ScenarioParser.parse(text, file: path)
            let run = await ScenarioRunner(scenario: scenario).run()
            #expect(run.result.setupError == nil, "\(run.result.setupError ?? "")")
            for step in run.result.steps where step.status != .passed {
                Issue.record("\(file) (delayed resumes) step \(step.number) \(step.title) \(step.status.rawValue): \(step.message)")
            }
            #expect(run.result.passed)
        }
    }
}
