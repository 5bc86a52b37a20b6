import Foundation
import Testing

/// `hepabus monitor` against a `hepabus simulate` process, over its ptys.
@Suite(.serialized) struct MonitorCommandTests {
    @Test func jsonShowsEveryRoleWithValueUnitAgeLimitsAndAlarmState() throws {
        let sim = try SimulatorProcess()
        let result = try CLI.run(["monitor"] + sim.circuitArguments + ["--json", "--count", "3", "--interval", "500"], timeout: 30)
        #expect(result.status == 0, "\(result.stderr)")
        let all = result.stdout.split(separator: "\n").compactMap(parsedJSON)
        try #require(all.count == 3, "\(result.stdout)")
        #expect(all.allSatisfy { ($0["roles"] as? [[String: Any]])?.count == 13 })
        // By the last refresh every device has answered at least once (the first may come before the slowest poll).
        let refreshes = [all[2]]
        let manifest = try #require(parsedJSON(try String(contentsOfFile: sim.manifest, encoding: .utf8)))
        let manifestRoles = Set(((manifest["devices"] as? [[String: Any]]) ?? []).compactMap { $0["role"] as? String })
        #expect(manifestRoles.count == 13)
        for refresh in refreshes {
            #expect(refresh["circuit"] as? String == "bal")
            #expect(refresh["phase"] as? String == "treating")
            let roles = try #require(refresh["roles"] as? [[String: Any]])
            #expect(Set(roles.compactMap { $0["role"] as? String }) == manifestRoles)
            for role in roles {
                let name = role["role"] as? String ?? "?"
                #expect(role["value"] != nil && !(role["value"] is NSNull), "\(name) has no value: \(role)")
                #expect((role["unit"] as? String)?.isEmpty == false, "\(name): \(role)")
                let age = role["age_ms"] as? Int
                #expect(age != nil && age! >= 0 && age! < 5000, "\(name) age: \(String(describing: role["age_ms"]))")
                #expect(role["limits"] is [[String: Any]], "\(name)")
                #expect(role["alarm"] as? String == "ok", "\(name): \(role)")
                #expect(role["error"] is NSNull, "\(name): \(role)")
            }
            func role(_ name: String) -> [String: Any] { roles.first { $0["role"] as? String == name } ?? [:] }
            // At rest the return line sits at its sink's 15 mmHg, between SR-3's 10 and SR-2's 300.
            let venous = role("venousPressure")
            #expect(venous["unit"] as? String == "mmHg")
            #expect((5.0...30.0).contains(venous["value"] as? Double ?? -1), "\(venous)")
            let limits = (venous["limits"] as? [[String: Any]]) ?? []
            #expect(limits.contains { $0["name"] as? String == "venousPressureHigh" && $0["value"] as? Double == 300
                && $0["comparison"] as? String == "above" && $0["requirement"] as? String == "SR-2" }, "\(limits)")
            #expect(limits.contains { $0["name"] as? String == "venousPressureLow" && $0["value"] as? Double == 10 })
            #expect(role("bloodPump")["unit"] as? String == "mL/min")
            #expect(((role("bloodPump")["limits"] as? [[String: Any]]) ?? []).contains {
                $0["name"] as? String == "flowRange" && $0["value"] as? Double == 50 && $0["maximum"] as? Double == 250 })
            #expect(role("plasmaTemperature")["unit"] as? String == "°C")
            #expect(role("airDetector")["value"] as? Bool == false)
            #expect((role("airDetector")["channels"] as? [String: Any])?["clamp"] as? String == "closed")
            #expect(role("bloodLeakDetector")["unit"] as? String == "ppm")
        }
    }

    @Test func anAlarmIsJudgedByTheInterlocksRulesPendingThenActive() throws {
        let sim = try SimulatorProcess()
        let monitor = try BackgroundHepabus(["monitor"] + sim.circuitArguments + ["--json", "--count", "150", "--interval", "200"])
        func states(_ stdout: String) -> [String] {
            stdout.split(separator: "\n").compactMap(parsedJSON).compactMap { refresh -> String? in
                let venous = (refresh["roles"] as? [[String: Any]])?.first { $0["role"] as? String == "venousPressure" }
                let alarms = venous?["alarms"] as? [[String: Any]] ?? []
                return alarms.first { $0["requirement"] as? String == "SR-2" }?["state"] as? String ?? (venous?["alarm"] as? String)
            }
        }
        #expect(monitor.waitFor { stdout, _ in !states(stdout).isEmpty }, "\(monitor.stderr)")
        // The return line's pressure climbs through SR-2's 300 mmHg.
        try sim.simctl("fault", "venousPressure", "drift", "150")
        #expect(monitor.waitFor { stdout, _ in states(stdout).contains("active") }, "\(monitor.stdout)")
        monitor.interrupt()
        let result = monitor.finish()
        #expect(result.status == 0, "\(result.stderr)")
        // ok below 300 mmHg, pending for SR-2's one second of persistence, then active.
        let seen = states(result.stdout)
        let pending = seen.firstIndex(of: "pending"), active = seen.firstIndex(of: "active")
        #expect(seen.first == "ok", "\(seen)")
        #expect(pending != nil && active != nil && pending! < active!, "\(seen)")
    }

    @Test func theMonitorWritesNothingToAnyDevice() throws {
        let sim = try SimulatorProcess()
        let blood = sim.endpoint("blood")
        // A mark in the blood pump's heartbeat register, which any heartbeat would overwrite.
        #expect(try CLI.run(["write", blood, "--parity", "even", "--unit", "1", "--address", "0x0100", "4242"]).status == 0)
        let monitor = try CLI.run(["monitor"] + sim.circuitArguments + ["--count", "4", "--interval", "250"], timeout: 30)
        #expect(monitor.status == 0, "\(monitor.stderr)")
        // Plain lines off a terminal: a header and one line per role, per refresh.
        #expect(monitor.stdout.components(separatedBy: "judged as during treating").count - 1 == 4, "\(monitor.stdout)")
        #expect(monitor.stdout.contains("venousPressure") && monitor.stdout.contains("SR-2 > 300 mmHg"), "\(monitor.stdout)")
        let read = try CLI.run(["read", blood, "--parity", "even", "--unit", "1", "--address", "0x0100", "--json"])
        #expect(read.status == 0, "\(read.stderr)")
        #expect(read.stdout.contains("4242"), "\(read.stdout)")
    }

    @Test func anUnpluggedBusIsShownWithTheReasonWhileTheRestIsWatched() throws {
        let sim = try SimulatorProcess()
        try sim.simctl("unplug", "plasma")
        let result = try CLI.run(["monitor"] + sim.circuitArguments + ["--json", "--count", "3", "--interval", "500"], timeout: 30)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("bus plasma cannot be opened"), "\(result.stderr)")
        let last = try #require(result.stdout.split(separator: "\n").compactMap(parsedJSON).last, "\(result.stdout)")
        let roles = try #require(last["roles"] as? [[String: Any]])
        #expect(roles.count == 13)
        for role in roles {
            let name = role["role"] as? String ?? "?"
            if role["bus"] as? String == "plasma" {
                #expect(role["value"] is NSNull, "\(name): \(role)")
                #expect((role["error"] as? String)?.contains("bus plasma cannot be opened: no such serial port") == true, "\(name): \(role)")
            } else {
                #expect(!(role["value"] is NSNull), "\(name): \(role)")
            }
        }
        // No data from the plasma side: the interlock's rules call it stale (SR-15, 0.3 s for a pressure).
        let filtrate = roles.first { $0["role"] as? String == "filtratePressure" }
        #expect(filtrate?["alarm"] as? String == "alarm", "\(String(describing: filtrate))")
        #expect(((filtrate?["alarms"] as? [[String: Any]]) ?? []).contains { $0["requirement"] as? String == "SR-15" },
                "\(String(describing: filtrate))")
    }

    @Test func usageErrorsNameTheArgument() throws {
        for (arguments, mentioned) in [(["monitor", "--circuit", "bal", "--bus", "blud=/dev/null"], "blud"),
                                       (["monitor", "--circuit", "bal", "--count", "0"], "--count"),
                                       (["monitor", "--circuit", "bal", "--interval", "5"], "--interval"),
                                       (["monitor", "--circuit", "no-such-circuit"], "no-such-circuit"),
                                       (["monitor", "--circuit", "bal", "--manifest", "/nonexistent/m.json"], "--manifest")] {
            let result = try CLI.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(mentioned), "\(arguments): \(result.stderr)")
        }
        // The valid buses are listed.
        #expect(try CLI.run(["monitor", "--circuit", "bal", "--bus", "blud=/dev/null"]).stderr.contains("blood, plasma, heparin"))
    }
}
