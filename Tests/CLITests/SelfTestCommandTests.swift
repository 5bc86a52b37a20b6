import Foundation
import Testing

/// `hepabus selftest` (SR-18) against a `hepabus simulate` process, over its ptys.
@Suite(.serialized) struct SelfTestCommandTests {
    /// The devices themselves, after the command: pumps still, heater off, return clamp closed.
    func expectSafeIdle(_ sim: SimulatorProcess) throws {
        for pump in ["bloodPump", "plasmaPump", "recirculationPump"] {
            let state = try sim.status(pump)
            #expect(state["controlWord"] as? Int == 0, "\(pump): \(state)")
            #expect(state["actualSpeed"] as? Double == 0, "\(pump): \(state)")
        }
        let heater = try sim.status("plasmaHeater")
        #expect(heater["controlWord"] as? Int == 0 && heater["outputPower"] as? Double == 0, "\(heater)")
        let clamp = try sim.status("airDetector")
        #expect((clamp["status"] as? Int ?? 0) & 0b1000 != 0, "return clamp not closed: \(clamp)")  // clampIsClosed
        #expect(clamp["controlWord"] as? Int == 0, "\(clamp)")
    }

    @Test func passesOnAHealthyCircuitAndLeavesItIdle() throws {
        let sim = try SimulatorProcess()
        let table = try CLI.run(["selftest"] + sim.circuitArguments, timeout: 60)
        #expect(table.status == 0, "\(table.stdout)\n\(table.stderr)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("CHECK") == true && lines.first?.contains("RESULT  DETAIL") == true, "\(table.stdout)")
        for check in ["devicePresent(bloodPump)", "plausibleReading(venousPressure)", "watchdogArmed(plasmaHeater)", "returnClampFeedback"] {
            #expect(lines.contains { $0.hasPrefix(check) && $0.contains(" pass ") }, "\(check): \(table.stdout)")
        }
        #expect(!table.stdout.contains("FAIL"))
        #expect(table.stdout.contains("self-test passed"))
        #expect(table.stdout.contains("circuit left idle: pumps stopped, heater off, return clamp closed"), "\(table.stdout)")

        let json = try CLI.run(["selftest"] + sim.circuitArguments + ["--json"], timeout: 60)
        #expect(json.status == 0, "\(json.stderr)")
        let report = try #require(parsedJSON(json.stdout), "\(json.stdout)")
        #expect(report["passed"] as? Bool == true)
        #expect(report["failed"] as? Int == 0)
        let checks = try #require(report["checks"] as? [[String: Any]])
        // Every interlock device of bal: present and plausible; six actuators with watchdogs; the clamp.
        // And the roles the interlock does not watch: the heparin pump (present, plausible,
        // watchdog) and the bioreactor probe (present, plausible).
        let expected = 12 * 2 + 5 + 1 + 3 + 2
        #expect(checks.count == expected, "\(checks.map { $0["check"] ?? "" })")
        #expect(checks.allSatisfy { $0["passed"] as? Bool == true })
        #expect((report["final_state"] as? String)?.hasPrefix("idle") == true, "\(report)")
        try expectSafeIdle(sim)
    }

    @Test func failsNamingTheBusAndItsDevicesWhenABusIsUnplugged() throws {
        let sim = try SimulatorProcess()
        try sim.simctl("unplug", "plasma")
        let result = try CLI.run(["selftest"] + sim.circuitArguments, timeout: 60)
        #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("self-test FAILED (SR-18)"), "\(result.stderr)")
        #expect(result.stderr.contains("busOpens(plasma)") && result.stderr.contains("devicePresent(plasmaPump)"), "\(result.stderr)")
        #expect(result.stdout.contains("busOpens(blood)") && result.stdout.contains("pass"), "\(result.stdout)")
        #expect(result.stdout.split(separator: "\n").contains { $0.hasPrefix("busOpens(plasma)") && $0.contains("FAIL")
            && $0.contains("no such serial port") }, "\(result.stdout)")
        #expect(!result.stderr.contains("devicePresent(bloodPump)"))
    }

    @Test func failsNamingTheCheckWhenADeviceIsSilentAndStillLeavesTheCircuitIdle() throws {
        let sim = try SimulatorProcess()
        try sim.simctl("fault", "venousPressure", "silent")
        let result = try CLI.run(["selftest"] + sim.circuitArguments + ["--json"], timeout: 60)
        #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("devicePresent(venousPressure)"), "\(result.stderr)")
        let report = try #require(parsedJSON(result.stdout), "\(result.stdout)")
        #expect(report["passed"] as? Bool == false)
        let checks = try #require(report["checks"] as? [[String: Any]])
        let failed = checks.filter { $0["passed"] as? Bool == false }.compactMap { $0["check"] as? String }
        // The silent sensor's checks fail, and the alarms it raised (SR-15/SR-16) are named as
        // active alarms, each saying what clears it; nothing else fails.
        #expect(Set(failed.filter { !$0.hasPrefix("noActiveAlarm") }) == ["devicePresent(venousPressure)", "plausibleReading(venousPressure)"],
                "\(failed)")
        #expect(Set(failed.filter { $0.hasPrefix("noActiveAlarm") }).isSubset(of: ["noActiveAlarm(SR-15)", "noActiveAlarm(SR-16)"]), "\(failed)")
        let present = checks.first { $0["check"] as? String == "devicePresent(venousPressure)" }
        #expect((present?["detail"] as? String)?.contains("timeout") == true, "\(String(describing: present))")
        #expect((report["final_state"] as? String)?.hasPrefix("idle") == true, "\(report)")
        try sim.simctl("clear", "venousPressure")
        try expectSafeIdle(sim)
    }
}
