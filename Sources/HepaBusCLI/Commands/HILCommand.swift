import ArgumentParser
import Journal
import Foundation
import HIL

/// `hepabus hil`: hardware-in-the-loop scenarios (Scenarios/README.md) through the real
/// stack, against the simulator or a rig, with JUnit, CSV and SVG reports.
struct HILCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hil",
        abstract: "Run hardware-in-the-loop scenarios against the simulator or a rig.",
        discussion: "Exit status: 0 every expectation held, 1 an expectation (or the bring-up) failed, 2 a bad scenario or usage.",
        subcommands: [Run.self, Check.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run scenarios and report every step.",
            discussion: """
                Each scenario starts its circuit (the simulator on ptys with wire time emulated, or the rig's devices),
                the supervisor with the interlock live and its journal, then runs its steps in order. Progress goes to
                standard output (standard error with --json), one line per step with its timing.
                """)

        @Argument(help: "Scenario files (YAML).")
        var scenarios: [String]

        @Option(help: "Write a JUnit XML report (one testsuite per scenario).")
        var junit: String?

        @Option(help: "Write a CSV trace of every signal (one scenario only).")
        var trace: String?

        @Option(help: "Write an SVG plot of pressures, temperatures and flows with alarms marked (one scenario only).")
        var plot: String?

        @Option(help: "Where the event journal goes (one scenario only; default: the run directory).")
        var journal: String?

        @Flag(help: "Print the results as JSON on standard output.")
        var json = false

        func run() async throws {
            guard !scenarios.isEmpty else { throw CommandFailure.usage("name at least one scenario file") }
            if scenarios.count > 1, trace != nil || plot != nil || journal != nil {
                throw CommandFailure.usage("--trace, --plot and --journal take one scenario at a time (\(scenarios.count) given)")
            }
            if let journal {
                // A path that cannot be a journal stops the run before a circuit is brought up;
                // the runner opens it again (appending) once the circuit is up.
                try JournalFile.open(journal).close()
            }
            var loaded: [Scenario] = []
            for path in scenarios {
                do {
                    loaded.append(try ScenarioParser.load(path))
                } catch {
                    throw CommandFailure.usage(error.description)
                }
            }
            let toStderr = json
            let say: @Sendable (String) -> Void = { text in
                if toStderr { Terminal.writeStderr(text + "\n") } else { Terminal.line(text) }
            }
            var results: [ScenarioResult] = []
            for scenario in loaded {
                say("scenario \(scenario.name) (\(scenario.file), circuit \(scenario.circuitName), \(scenario.target.rawValue))")
                var options = ScenarioRunner.Options()
                options.journalPath = journal
                options.logger = LogSetup.busLogger
                options.supervisorLogger = LogSetup.logger
                if scenario.target == .rig { options.console = OperatorConsole(output: say) }
                options.progress = { progress in
                    switch progress {
                    case .note(let text, let at): say("[\(Self.clock(at))]       \(text)")
                    case .event(let text, let at): say("[\(Self.clock(at))]         \(text)")
                    case .stepStarted(let number, let title, let at): say("[\(Self.clock(at))] ....  \(String(format: "%02d", number)) \(title)")
                    case .stepFinished(let o):
                        let mark = switch o.status {
                        case .passed: "ok   "
                        case .failed: "FAIL "
                        case .skipped: "skip "
                        }
                        say("[\(Self.clock(o.startedAt + o.duration))] \(mark) \(String(format: "%02d", o.number)) \(o.title) "
                            + "(\(String(format: "%.2f", o.duration)) s): \(o.message)")
                    }
                }
                let run = await ScenarioRunner(scenario: scenario, options: options).run()
                results.append(run.result)
                if let error = run.result.setupError { say("ERROR \(error)") }
                say(run.result.passed
                    ? "PASSED \(scenario.name): \(run.result.steps.count) steps in \(String(format: "%.1f", run.result.duration)) s"
                    : "FAILED \(scenario.name): \(run.result.failures.count) of \(run.result.steps.count) steps failed"
                        + (run.result.failures.isEmpty ? "" : " (" + run.result.failures.map { "step \($0.number)" }.joined(separator: ", ") + ")"))
                try write(trace, run.trace.csv())
                try write(plot, SVGPlot.svg(run.trace, title: "\(scenario.name) — \(scenario.circuit.name) (\(scenario.target.rawValue))"))
            }
            try write(junit, JUnitReport.xml(results))
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                let data = (try? encoder.encode(results)) ?? Data("[]".utf8)
                FileHandle.standardOutput.write(data + Data("\n".utf8))
            }
            let failed = results.filter { !$0.passed }
            if !failed.isEmpty {
                throw CommandFailure.device("\(failed.count) of \(results.count) scenario(s) failed: \(failed.map(\.scenario).joined(separator: ", "))")
            }
        }

        static func clock(_ seconds: Double) -> String { String(format: "%7.2f s", seconds) }

        func write(_ path: String?, _ text: String) throws {
            guard let path else { return }
            do {
                try text.write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw CommandFailure.usage("cannot write \(path): \(error.localizedDescription)")
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Validate scenario files without running them (exit 2 naming file:line:column on the first error).")

        @Argument(help: "Scenario files (YAML).")
        var scenarios: [String]

        func run() async throws {
            guard !scenarios.isEmpty else { throw CommandFailure.usage("name at least one scenario file") }
            for path in scenarios {
                do {
                    let s = try ScenarioParser.load(path)
                    Terminal.line("\(path): ok — \(s.name): circuit \(s.circuitName), \(s.target.rawValue), \(s.steps.count) steps"
                        + (s.tightening.settings.isEmpty ? "" : ", tightened: " + s.tightening.settings.map { "\($0.name) \(formatNumber($0.value))" }.joined(separator: ", ")))
                } catch {
                    throw CommandFailure.usage(error.description)
                }
            }
        }
    }
}
