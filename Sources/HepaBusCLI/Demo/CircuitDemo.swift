import Circuit
import CircuitConfiguration
import Foundation
import HardwareInterfaces
import Interlock
import Journal
import Simulator

/// The README's main job: the simulated `bal` circuit driven through the real stack
/// (drivers, buses on pseudo-terminals, poll scheduler, supervisor, interlock,
/// journal), through a treatment with an occluded return line on the way.
struct CircuitDemo {
    var verbose: Bool
    /// The journal `--journal` named, already opened (``JournalFile/open(_:)``); nil: a new one in the run directory.
    var givenJournal: EventJournal?
    private let start = ContinuousClock.now
    private let live: LiveView

    init(verbose: Bool, journal: EventJournal?) {
        self.verbose = verbose
        self.givenJournal = journal
        self.live = LiveView(enabled: Terminal.stdoutIsTerminal)
    }

    private func elapsed() -> String {
        let d = ContinuousClock.now - start
        return String(format: "%6.2f s", Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
    }

    private func say(_ text: String) { live.log("[\(elapsed())] \(text)") }

    /// Runs the demo; true only if every step behaved.
    func run() async -> Bool {
        var failures: [String] = []
        func check(_ ok: Bool, _ what: String) {
            say((ok ? "ok    " : "FAIL  ") + what)
            if !ok { failures.append(what) }
        }

        // 1. The simulated circuit, on pseudo-terminals, with wire time at the buses' baud rates.
        let configuration: CircuitConfiguration
        let simulator: CircuitSimulator
        do {
            configuration = try CircuitConfigurationLoader.preset("bal")
            var options = CircuitSimulator.Options()
            options.logger = LogSetup.logger
            options.emulatesWireTime = true
            simulator = try CircuitSimulator(layout: SimulatedCircuitLayout(configuration: configuration), options: options)
            try simulator.start()
        } catch {
            say("FAIL  cannot start the simulated circuit: \(error)")
            return false
        }
        // A passed run leaves nothing in /tmp; a failed one keeps its paths and journal to look at.
        var passed = false
        defer {
            simulator.stop()
            let removed = passed && (try? simulator.removeRunDirectory()) != nil
            if !removed { say("      run directory kept for inspection: \(simulator.runDirectory)") }
        }
        let endpoints = Dictionary(uniqueKeysWithValues: simulator.manifest.buses.map { ($0.name, BusEndpoint.serial(path: $0.endpoint)) })
        say("simulated circuit '\(configuration.name)': " + simulator.manifest.buses.map { "\($0.name) on \($0.pty ?? "?") (\($0.settings))" }.joined(separator: ", "))

        // 2. The real stack on top.
        let journalFile = givenJournal?.path ?? simulator.runDirectory + "/journal.log"
        let journal: EventJournal
        let runtime: CircuitRuntime
        let supervisor: Supervisor
        do {
            journal = try givenJournal ?? EventJournal(path: journalFile)
            runtime = try await CircuitRuntime(configuration: configuration, endpoints: endpoints, logger: LogSetup.busLogger)
            supervisor = try Supervisor(runtime: runtime, journal: journal, logger: LogSetup.logger)
        } catch {
            say("FAIL  cannot open the circuit: \(error)")
            return false
        }
        let events = await supervisor.events()
        let eventPrinter = Task {
            for await event in events {
                if case .actuatorCommanded = event, !verbose { continue }
                say("      \(event)")
            }
        }
        let view = Task {
            for await snapshot in supervisor.snapshots(every: .milliseconds(250)) {
                await live.render(snapshot: snapshot, lifecycle: supervisor.lifecycle, faults: supervisor.activeFaults)
            }
        }
        await supervisor.start()
        try? await Task.sleep(for: .milliseconds(600))  // first samples of every role

        func command(_ c: OperatorCommand) async -> Bool {
            let result = await supervisor.perform(c)
            check(result.isAccepted, "\(c) -> \(result)")
            return result.isAccepted
        }
        func waitFor(_ what: String, within: Duration, _ condition: @escaping () async -> Bool) async -> Bool {
            let deadline = ContinuousClock.now + within
            while ContinuousClock.now < deadline {
                if await condition() { return true }
                try? await Task.sleep(for: .milliseconds(20))
            }
            return false
        }
        func pumpFlow(_ role: CircuitRole) -> Double? {
            if case .pump(let p)? = runtime.snapshot[role]?.reading { return p.actualFlow.millilitersPerMinute }
            return nil
        }
        func pressure(_ role: CircuitRole) -> Double? {
            if case .pressure(let p)? = runtime.snapshot[role]?.reading { return p.pressure.millimetersOfMercury }
            return nil
        }

        // 3. The treatment.
        let selfTest = await supervisor.runSelfTest()
        check(selfTest.passed, "self-test (SR-18): \(selfTest.checks.filter(\.passed).count)/\(selfTest.checks.count) checks passed"
              + (selfTest.passed ? "" : ": " + selfTest.checks.filter { !$0.passed }.map(\.description).joined(separator: "; ")))
        if selfTest.passed, await command(.startPriming) {
            _ = await command(.setFlow(.blood, .mLPerMinute(100)))
            check(await waitFor("priming flow", within: .seconds(3)) { abs((pumpFlow(.bloodPump) ?? 0) - 100) < 3 },
                  "priming: blood pump at 100 mL/min (tachometer)")
            _ = await command(.finishPriming)
            _ = await command(.startTreatment)
            _ = await command(.setFlow(.blood, .mLPerMinute(150)))
            _ = await command(.setFlow(.plasma, .mLPerMinute(30)))
            _ = await command(.setFlow(.recirculation, .mLPerMinute(200)))
            check(await waitFor("treatment flows", within: .seconds(3)) {
                abs((pumpFlow(.bloodPump) ?? 0) - 150) < 3 && abs((pumpFlow(.plasmaPump) ?? 0) - 30) < 2
            }, "treating: blood 150, plasma 30, recirculation 200 mL/min")
            try? await Task.sleep(for: .seconds(2))
            let nominalVenous = pressure(.venousPressure) ?? 0
            check(await supervisor.activeFaults.isEmpty && nominalVenous > 50 && nominalVenous < 300,
                  "nominal: venous \(Int(nominalVenous)) mmHg, arterial \(Int(pressure(.arterialPressure) ?? 0)) mmHg, no alarm")

            // 4. The hazard: the return line occludes.
            say("      >>> occluding the return line (simulated)")
            var conditions = simulator.conditions
            conditions.returnLineRestriction = 5
            simulator.conditions = conditions
            let tripped = await waitFor("SR-2", within: .seconds(4)) {
                await supervisor.lifecycle.safeState == .s1
            }
            check(tripped, "SR-2 venous pressure high tripped: circuit in S1 (\(await supervisor.lifecycle))")
            // Checked on the simulated devices themselves, not on what the software believes.
            let bloodPump = simulator.device(role: CircuitRole.bloodPump.rawValue) as? SimulatedPump
            let clamp = simulator.device(role: CircuitRole.airDetector.rawValue) as? SimulatedAirDetector
            let heater = simulator.device(role: CircuitRole.plasmaHeater.rawValue) as? SimulatedHeater
            let inS1 = await waitFor("S1 outputs", within: .seconds(2)) {
                bloodPump?.rotorSpeed == 0 && clamp?.isClampClosed == true && heater?.isEnabled == false
            }
            check(inS1, "S1 on the devices themselves: blood pump stopped \(bloodPump?.rotorSpeed == 0), "
                  + "return clamp closed \(clamp?.isClampClosed == true), heater off \(heater?.isEnabled == false)")

            // 5. The occlusion clears; the operator acknowledges and resumes.
            say("      >>> clearing the occlusion")
            conditions.returnLineRestriction = 1
            simulator.conditions = conditions
            try? await Task.sleep(for: .milliseconds(1500))
            _ = await command(.acknowledge(.all))
            let resumed = await command(.resume)
            if resumed {
                check(await waitFor("resume", within: .seconds(3)) { abs((pumpFlow(.bloodPump) ?? 0) - 150) < 3 },
                      "resumed: blood pump back at 150 mL/min")
            }
            try? await Task.sleep(for: .seconds(2))
            check(await supervisor.activeFaults.isEmpty, "treating again with no active alarm")

            // 6. The end.
            _ = await command(.endTreatment)
            check(await waitFor("stopped", within: .seconds(3)) { (pumpFlow(.bloodPump) ?? 1) == 0 }, "treatment ended: pumps stopped")
            if await supervisor.lifecycle != .idle { _ = await command(.returnToIdle) }
            check(await supervisor.lifecycle == .idle, "back to idle")
        }

        let reactions = await supervisor.reactionTimes
        await supervisor.stop()
        view.cancel()
        eventPrinter.cancel()
        live.finish()

        // 7. Summary.
        let entries = (try? journal.entries())?.count ?? 0
        journal.close()
        say("summary:")
        for r in reactions {
            say(String(format: "      reaction time %@: %.1f ms from trip to the last safe-state command acknowledged on the wire",
                       "\(r.requirement)", r.seconds * 1000))
        }
        let journalIsKept = givenJournal != nil || !(failures.isEmpty && !reactions.isEmpty)
        say("      journal: \(entries) entries, durable" + (journalIsKept ? ", at \(journalFile)" : " (removed with the run directory; --journal keeps it)"))
        if failures.isEmpty && !reactions.isEmpty {
            say("demo passed: every step behaved")
            passed = true
            return true
        }
        say("demo FAILED: " + (failures.isEmpty ? "no reaction time was measured" : failures.joined(separator: "; ")))
        return false
    }
}
