import Foundation
import Glibc
import Testing

/// `hepabus calibrate` against a `hepabus simulate` process, over its ptys.
@Suite(.serialized) struct CalibrateCommandTests {
    /// The pump is still on the device itself: run bit clear, tachometer at zero.
    func expectStopped(_ sim: SimulatorProcess, _ pump: String) throws {
        let state = try sim.status(pump)
        #expect((state["controlWord"] as? Int ?? -1) & 1 == 0, "\(pump) still commanded to run: \(state)")
        #expect(state["actualSpeed"] as? Double == 0, "\(pump) still turning: \(state)")
        #expect((state["status"] as? Int ?? -1) & 1 == 0, "\(pump) reports running: \(state)")
    }

    func tubingCalibration(_ sim: SimulatorProcess, _ pump: String) throws -> Double {
        try #require(try sim.status(pump)["tubingCalibration"] as? Double)  // µL/rev
    }

    @Test func aMeasuredVolumeTypedAfterTheRunGivesTheTubingsTrueVolumeAndThePumpEndsStopped() throws {
        let sim = try SimulatorProcess()
        // The fitted tubing delivers 8.6 mL per revolution; the pump believes 8.0.
        try sim.simctl("set", "bloodPump", "tubingVolume", "8.6")
        let calibrate = try BackgroundHepabus(["calibrate", "pump", "bloodPump"] + sim.circuitArguments + ["--revolutions", "3", "--speed", "60"])
        // The technician reads the revolutions counted and measures what the tubing truly delivered.
        var revolutions: Double?
        #expect(calibrate.waitFor(within: .seconds(40)) { _, stderr in
            guard let range = stderr.range(of: #"turned ([0-9.]+) revolutions"#, options: .regularExpression) else { return false }
            revolutions = Double(stderr[range].split(separator: " ")[1])
            return stderr.contains("reading the measured volume")
        }, "\(calibrate.stderr)")
        let counted = try #require(revolutions)
        #expect(counted >= 3 && counted < 3.5, "\(counted)")
        try expectStopped(sim, "bloodPump")  // stopped before the technician is asked
        calibrate.type(String(format: "%.4f", counted * 8.6))
        let result = calibrate.finish()
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        // 8.600 give or take the last µL of the typed figure's rounding.
        #expect(result.stdout.contains(#/tubing calibration: 8\.000 mL/rev -> 8\.(600|599|601) mL/rev \(\+7\.5 %\), stored and read back/#),
                "\(result.stdout)")
        #expect(result.stdout.contains("pump stopped"))
        #expect(abs(try tubingCalibration(sim, "bloodPump") - 8600) <= 1)
        try expectStopped(sim, "bloodPump")
    }

    @Test func aGivenVolumeIsDividedByTheCountedRevolutionsAndReportedAsJSON() throws {
        let sim = try SimulatorProcess()
        // The circuit fits plasmaPump with 2.0 mL/rev tubing; the pump was never configured (8.0).
        try sim.simctl("set", "plasmaPump", "tubingVolume", "2.1")
        let result = try CLI.run(["calibrate", "pump", "plasmaPump"] + sim.circuitArguments
                                 + ["--revolutions", "2", "--speed", "60", "--measured-volume", "4.2", "--json"], timeout: 60)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let report = try #require(parsedJSON(result.stdout), "\(result.stdout)")
        let revolutions = try #require(report["revolutions"] as? Double)
        #expect(revolutions >= 2 && revolutions < 2.5)
        let expected = 4.2 / revolutions
        #expect(abs((report["new_ml_per_rev"] as? Double ?? 0) - expected) < 0.001, "\(report)")
        #expect(report["old_ml_per_rev"] as? Double == 8.0)
        #expect(report["circuit_file_ml_per_rev"] as? Double == 2.0)
        #expect(report["verified"] as? Bool == true && report["pump_stopped"] as? Bool == true)
        #expect(abs(try tubingCalibration(sim, "plasmaPump") - (expected * 1000).rounded()) <= 1)
        try expectStopped(sim, "plasmaPump")
    }

    @Test func theLineProtocolHeparinPumpIsCalibratedTooAndTooFewRevolutionsForItsCountAreRefused() throws {
        let sim = try SimulatorProcess()
        // The simulated pump comes unconfigured (8.0 mL/rev); the circuit fits 0.5 mL/rev tubing.
        let result = try CLI.run(["calibrate", "pump", "heparinPump"] + sim.circuitArguments
                                 + ["--revolutions", "5", "--speed", "100", "--measured-volume", "2.6", "--json"], timeout: 60)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let report = try #require(parsedJSON(result.stdout), "\(result.stdout)")
        let revolutions = try #require(report["revolutions"] as? Double)
        #expect(revolutions >= 5 && revolutions < 5.6, "\(report)")
        #expect(abs((report["new_ml_per_rev"] as? Double ?? 0) - 2.6 / revolutions) < 0.001, "\(report)")
        #expect(report["old_ml_per_rev"] as? Double == 8.0 && report["circuit_file_ml_per_rev"] as? Double == 0.5, "\(report)")
        let pump = try sim.status("heparinPump")
        #expect(pump["running"] as? Bool == false && pump["actualSpeed"] as? Double == 0, "\(pump)")

        // Now counted in 0.1 mL steps of ~0.52 mL/rev tubing: 3 revolutions cannot give a figure within 5 %.
        let volumeBefore = try #require(pump["deliveredVolume"] as? Double)
        let coarse = try CLI.run(["calibrate", "pump", "heparinPump"] + sim.circuitArguments
                                 + ["--revolutions", "3", "--measured-volume", "1.5"], timeout: 30)
        #expect(coarse.status == 2, "\(coarse.stderr)")
        #expect(coarse.stderr.contains("--revolutions 3") && coarse.stderr.contains("use at least 4"), "\(coarse.stderr)")
        #expect(try sim.status("heparinPump")["deliveredVolume"] as? Double == volumeBefore)  // never ran
    }

    @Test func anAbsurdVolumeIsRefusedAndNothingIsStored() throws {
        let sim = try SimulatorProcess()
        // No run of 3 revolutions delivers 500 mL: refused before the pump turns.
        let before = try CLI.run(["calibrate", "pump", "bloodPump"] + sim.circuitArguments + ["--revolutions", "3", "--measured-volume", "500"])
        #expect(before.status == 2, "\(before.stderr)")
        #expect(before.stderr.contains("--measured-volume") && before.stderr.contains("mL/rev"), "\(before.stderr)")
        #expect(try sim.status("bloodPump")["deliveredVolume"] as? Double == 0)  // never ran
        // 40 mL over about 3 revolutions is 13 mL/rev: storable, but 67 % off this tubing's 8.0.
        let after = try CLI.run(["calibrate", "pump", "bloodPump"] + sim.circuitArguments
                                + ["--revolutions", "3", "--speed", "60", "--measured-volume", "40"], timeout: 60)
        #expect(after.status == 2, "\(after.stderr)")
        #expect(after.stderr.contains("from the circuit's nominal 8.000 mL/rev") && after.stderr.contains("calibration unchanged"), "\(after.stderr)")
        #expect(try tubingCalibration(sim, "bloodPump") == 8000)
        try expectStopped(sim, "bloodPump")
        // ("-5" reads as an option to the argument parser: refused as its missing value.)
        let bad = try CLI.run(["calibrate", "pump", "bloodPump"] + sim.circuitArguments + ["--measured-volume", "-5"])
        #expect(bad.status == 2 && bad.stderr.contains("--measured-volume"), "-5: \(bad.stderr)")
        for volume in ["abc", "0", "1e300", "inf", "nan", "99999999999999999999"] {
            let bad = try CLI.run(["calibrate", "pump", "bloodPump"] + sim.circuitArguments + ["--measured-volume", volume])
            #expect(bad.status == 2 && bad.stderr.contains("--measured-volume") && bad.stderr.contains("'\(volume)'")
                    && bad.stderr.contains("0.1-2000 mL"), "\(volume): \(bad.stderr)")
        }
    }

    @Test func aVolumeNoIntHoldsTypedAfterTheRunIsRefusedNamingItAndTheRange() throws {
        // 1e300 read from standard input once trapped converting the figure to an Int for the message (exit 132).
        let sim = try SimulatorProcess()
        let calibrate = try BackgroundHepabus(["calibrate", "pump", "bloodPump"] + sim.circuitArguments + ["--revolutions", "3", "--speed", "60"])
        #expect(calibrate.waitFor(within: .seconds(40)) { _, stderr in stderr.contains("reading the measured volume") }, "\(calibrate.stderr)")
        calibrate.type("1e300")
        let result = calibrate.finish()
        #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("'1e300'") && result.stderr.contains("0.1-2000 mL") && result.stderr.contains("calibration unchanged"),
                "\(result.stderr)")
        #expect(try tubingCalibration(sim, "bloodPump") == 8000)
        try expectStopped(sim, "bloodPump")
    }

    @Test func ctrlCDuringTheRunStopsThePumpAndStoresNothing() throws {
        let sim = try SimulatorProcess()
        let calibrate = try turningRun(sim, "recirculationPump")
        calibrate.interrupt()
        let result = calibrate.finish()
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("interrupted") && result.stderr.contains("calibration unchanged"), "\(result.stderr)")
        try expectStopped(sim, "recirculationPump")
        #expect(try tubingCalibration(sim, "recirculationPump") == 8000)
    }

    /// Starts a long calibration run of `pump` and waits (bounded) until its rotor turns.
    func turningRun(_ sim: SimulatorProcess, _ pump: String) throws -> BackgroundHepabus {
        let calibrate = try BackgroundHepabus(["calibrate", "pump", pump] + sim.circuitArguments
                                              + ["--revolutions", "100", "--speed", "30", "--measured-volume", "800"])
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if (try sim.status(pump)["actualSpeed"] as? Double ?? 0) > 1 { return calibrate }
            usleep(50_000)
        }
        Issue.record("\(pump) never turned: \(calibrate.stderr)")
        return calibrate
    }

    @Test func aFaultDuringTheRunStopsThePumpAndNamesTheFault() throws {
        let sim = try SimulatorProcess()
        let calibrate = try turningRun(sim, "bloodPump")
        try sim.simctl("set", "bloodPump", "doorOpen", "true")
        let result = calibrate.finish()
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("bloodPump reported doorOpen") && result.stderr.contains("calibration unchanged"), "\(result.stderr)")
        try sim.simctl("set", "bloodPump", "doorOpen", "false")
        try expectStopped(sim, "bloodPump")  // the run bit is cleared: closing the door does not restart it
        #expect(try tubingCalibration(sim, "bloodPump") == 8000)
    }

    @Test func aLineThatFailsMidRunLeavesThePumpToItsWatchdogAndSaysSo() throws {
        let sim = try SimulatorProcess()
        let calibrate = try turningRun(sim, "bloodPump")
        try sim.simctl("fault", "bloodPump", "silent")  // no answer: neither heartbeats nor the stop arrive
        let result = calibrate.finish()
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("COULD NOT STOP bloodPump") && result.stderr.contains("watchdog"), "\(result.stderr)")
        try sim.simctl("clear", "bloodPump")
        // The pump's own watchdog stopped it once the heartbeats ceased (and says so: watchdogExpired).
        var state: [String: Any] = [:]
        let deadline = ContinuousClock.now + .seconds(10)
        repeat {
            state = try sim.status("bloodPump")
            if state["actualSpeed"] as? Double == 0 && (state["status"] as? Int ?? 0) & 0x80 != 0 { break }
            usleep(50_000)
        } while ContinuousClock.now < deadline
        #expect(state["actualSpeed"] as? Double == 0 && (state["status"] as? Int ?? 0) & 0x80 != 0, "\(state)")
        #expect(try tubingCalibration(sim, "bloodPump") == 8000)
    }

    @Test func zeroingRemovesAnElementOffsetAndIsRefusedNamingTheReadingWhenFarOff() throws {
        let sim = try SimulatorProcess()
        try sim.simctl("set", "venousPressure", "openToAtmosphere", "true")
        try sim.simctl("set", "venousPressure", "elementOffset", "12.5")
        #expect(try sim.status("venousPressure")["pressure"] as? Double == 12.5)
        let zeroed = try CLI.run(["calibrate", "pressure", "venousPressure", "--zero"] + sim.circuitArguments + ["--json"])
        #expect(zeroed.status == 0, "\(zeroed.stderr)")
        let report = try #require(parsedJSON(zeroed.stdout), "\(zeroed.stdout)")
        #expect(report["before_mmHg"] as? Double == 12.5 && report["after_mmHg"] as? Double == 0, "\(report)")
        #expect(report["old_offset_mmHg"] as? Double == 0 && report["new_offset_mmHg"] as? Double == 12.5, "\(report)")
        let sensor = try sim.status("venousPressure")
        #expect(sensor["zeroOffset"] as? Double == 12.5 && sensor["pressure"] as? Double == 0, "\(sensor)")

        // A transducer 80 mmHg off cannot be zeroed: refused by the sensor, reported with its reading.
        try sim.simctl("set", "arterialPressure", "openToAtmosphere", "true")
        try sim.simctl("set", "arterialPressure", "elementOffset", "80")
        let refused = try CLI.run(["calibrate", "pressure", "arterialPressure", "--zero"] + sim.circuitArguments)
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("arterialPressure refused to zero: it reads 80.0 mmHg"), "\(refused.stderr)")
        #expect(refused.stderr.contains("open to atmosphere"))
        #expect(try sim.status("arterialPressure")["zeroOffset"] as? Double == 0)
    }

    @Test func usageErrorsNameTheArgumentAndListTheValidRoles() throws {
        let cases: [([String], [String])] = [
            (["calibrate", "pump", "nosuch", "--circuit", "bal"], ["'nosuch'", "bloodPump, heparinPump, plasmaPump, recirculationPump"]),
            (["calibrate", "pump", "venousPressure", "--circuit", "bal"], ["'venousPressure'", "pressureSensor"]),
            (["calibrate", "pump", "bloodPump", "--circuit", "bal", "--revolutions", "0"], ["--revolutions"]),
            (["calibrate", "pump", "bloodPump", "--circuit", "bal", "--revolutions", "many"], ["--revolutions"]),
            (["calibrate", "pump", "bloodPump", "--circuit", "bal", "--speed", "500"], ["--speed"]),
            (["calibrate", "pressure", "venousPressure", "--circuit", "bal"], ["--zero"]),
            (["calibrate", "pressure", "bloodPump", "--circuit", "bal", "--zero"], ["'bloodPump'", "venousPressure"]),
            (["calibrate", "pressure", "venousPressure", "--circuit", "bal", "--zero", "--bus", "nobus=/dev/null"], ["nobus", "blood"]),
        ]
        for (arguments, mentioned) in cases {
            let result = try CLI.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            for text in mentioned { #expect(result.stderr.contains(text), "\(arguments) should mention \(text): \(result.stderr)") }
        }
    }
}
