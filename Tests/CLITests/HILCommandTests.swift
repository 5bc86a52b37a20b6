import Foundation
import Testing

/// `hepabus hil` as a CI job runs it: its exit status (0 held, 1 failed, 2 bad scenario)
/// and its report files.
@Suite(.serialized) struct HILCommandTests {
    static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Scenarios")

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hil-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func checkAcceptsAShippedScenarioAndNamesTheLineOfABadOne() throws {
        let good = try CLI.run(["hil", "check", Self.scenarios.appendingPathComponent("sr-02-venous-pressure-high.yaml").path])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.stdout.contains("ok — SR-2 venous pressure high"))
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.yaml")
        try "scenario: bad\ncircuit: bal\nsteps:\n  - prime\n  - expect: {alarm: SR-2, within: soon}\n".write(to: bad, atomically: true, encoding: .utf8)
        let result = try CLI.run(["hil", "check", bad.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("bad.yaml:5:"), "\(result.stderr)")
        #expect(result.stderr.contains("'within'") && result.stderr.contains("'soon'"), "\(result.stderr)")
        let run = try CLI.run(["hil", "run", bad.path])
        #expect(run.status == 2)
    }

    @Test func aPassingRunExitsZeroAndWritesItsReports() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let junit = dir.appendingPathComponent("report.xml"), trace = dir.appendingPathComponent("trace.csv"), plot = dir.appendingPathComponent("plot.svg")
        let result = try CLI.run(["hil", "run", Self.scenarios.appendingPathComponent("sr-18-self-test-failed.yaml").path,
                                  "--junit", junit.path, "--trace", trace.path, "--plot", plot.path], timeout: 60)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("PASSED SR-18 self-test failed"))
        #expect(result.stdout.contains("ok    03 expect alarm SR-18"), "\(result.stdout)")
        let xml = try String(contentsOf: junit, encoding: .utf8)
        #expect(xml.contains("<testsuite name=\"SR-18 self-test failed\"") && xml.contains("failures=\"0\""))
        let csv = try String(contentsOf: trace, encoding: .utf8)
        #expect(csv.hasPrefix("time_s,lifecycle,safe_state,alarms,"))
        #expect(csv.contains("SR-18 self-test failed"))
        #expect(try String(contentsOf: plot, encoding: .utf8).contains("<svg"))
    }

    @Test func aFailedExpectationExitsOne() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let wrong = dir.appendingPathComponent("wrong.yaml")
        try """
            scenario: wrong on purpose
            circuit: bal
            steps:
              - selfTest: pass
              - expect: {lifecycle: treating, within: 300ms}
            """.write(to: wrong, atomically: true, encoding: .utf8)
        let result = try CLI.run(["hil", "run", wrong.path, "--json"], timeout: 60)
        #expect(result.status == 1)
        #expect(result.stderr.contains("FAIL  02 expect lifecycle treating within 300 ms"), "\(result.stderr)")
        #expect(result.stderr.contains("lifecycle selfTest"), "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        let steps = try #require(json.first?["steps"] as? [[String: Any]])
        #expect(steps.map { $0["status"] as? String } == ["passed", "failed"])
    }
}
