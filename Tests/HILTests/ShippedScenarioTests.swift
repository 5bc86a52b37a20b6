import Foundation
import HIL
import Testing

/// Every scenario shipped in Scenarios/ runs against the simulator and must pass.
/// Parametrised over the folder's files, so a new scenario is picked up by itself.
@Suite(.serialized) struct ShippedScenarioTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Scenarios")

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasSuffix(".yaml") }.sorted()
    }

    @Test func theFolderHasAScenarioPerSafetyRow() {
        #expect(Self.files.count >= 2)
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
}
