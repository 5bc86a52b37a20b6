import Foundation
import Testing

/// The global `--log-level` and `--trace-frames` options: the library's diagnostics on
/// standard error through swift-log, standard output unchanged.
@Suite(.serialized) struct LogLevelTests {
    /// Lines of a StreamLogHandler's output carrying a frame of `bus` ("... trace hepabus: bus=blood ... TX 01 03 ...").
    func frameLines(_ stderr: String, bus: String) -> [Substring] {
        stderr.split(separator: "\n").filter { $0.contains(" trace ") && $0.contains("bus=\(bus)") && ($0.contains(" TX ") || $0.contains(" RX ")) }
    }

    @Test func traceLevelShowsTheSupervisedBusesFramesOnStandardError() throws {
        let sim = try SimulatorProcess()
        let traced = try CLI.run(["--log-level", "trace", "selftest"] + sim.circuitArguments, timeout: 60)
        #expect(traced.status == 0, "\(traced.stdout)\n\(traced.stderr.suffix(2000))")
        for bus in ["blood", "plasma", "heparin"] {
            #expect(!frameLines(traced.stderr, bus: bus).isEmpty, "no frame of bus \(bus) on stderr: \(traced.stderr.prefix(2000))")
        }
        // The supervisor's own diagnostics come at their levels (state changes at info).
        #expect(traced.stderr.contains(" info hepabus:") && traced.stderr.contains("event=lifecycleChanged"), "\(traced.stderr.suffix(2000))")
        // Standard output is the report, as without logging.
        #expect(traced.stdout.contains("self-test passed") && !traced.stdout.contains(" TX "), "\(traced.stdout)")
        #expect(traced.stdout.split(separator: "\n").first?.hasPrefix("CHECK") == true, "\(traced.stdout)")

        // --trace-frames (the option anywhere on the line): the frames, without the rest.
        let frames = try CLI.run(["selftest"] + sim.circuitArguments + ["--trace-frames"], timeout: 60)
        #expect(frames.status == 0, "\(frames.stdout)\n\(frames.stderr.suffix(2000))")
        #expect(!frameLines(frames.stderr, bus: "blood").isEmpty, "\(frames.stderr.prefix(2000))")
        #expect(!frames.stderr.contains(" info hepabus:"), "\(frames.stderr.split(separator: "\n").filter { $0.contains(" info ") }.prefix(3))")

        // By default nothing of the kind: the output is as it was before logging.
        let quiet = try CLI.run(["selftest"] + sim.circuitArguments, timeout: 60)
        #expect(quiet.status == 0, "\(quiet.stdout)\n\(quiet.stderr)")
        #expect(!quiet.stderr.contains(" trace ") && !quiet.stderr.contains(" info hepabus:"), "\(quiet.stderr.prefix(2000))")
    }

    /// HEPABUS_LOG_LEVEL sets the level when no --log-level is given; --log-level wins.
    @Test func theEnvironmentSetsTheLevelAndTheOptionOverridesIt() throws {
        let sim = try SimulatorProcess()
        let arguments = ["read", sim.endpoint("blood"), "--unit", "1", "--address", "0x0200"]
        let fromEnvironment = try CLI.run(arguments, environment: ["HEPABUS_LOG_LEVEL": "trace"])
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")
        #expect(fromEnvironment.stderr.contains(" trace hepabus:") && fromEnvironment.stderr.contains("] TX 01 03 02 00 00 01"),
                "\(fromEnvironment.stderr)")
        let overridden = try CLI.run(arguments + ["--log-level=error"], environment: ["HEPABUS_LOG_LEVEL": "trace"])
        #expect(overridden.status == 0 && overridden.stdout == fromEnvironment.stdout, "\(overridden.stdout)\n\(overridden.stderr)")
        #expect(!overridden.stderr.contains(" trace "), "\(overridden.stderr)")
        let wrong = try CLI.run(["ports"], environment: ["HEPABUS_LOG_LEVEL": "chatty"])
        #expect(wrong.status == 2 && wrong.stderr.contains("HEPABUS_LOG_LEVEL=chatty"), "\(wrong.stderr)")
    }

    @Test func anUnknownLevelIsAUsageErrorNamingTheLevels() throws {
        let result = try CLI.run(["--log-level", "loud", "ports"])
        #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("--log-level loud") && result.stderr.contains("trace, debug, info, notice, warning, error, critical"),
                "\(result.stderr)")
        let missing = try CLI.run(["ports", "--log-level"])
        #expect(missing.status == 2 && missing.stderr.contains("--log-level needs a level"), "\(missing.stderr)")
    }
}
