import CircuitConfiguration
import Foundation
import HIL
import Simulator
import Synchronization
import Testing

extension PtySuites {
    /// The rig target: real ports from the circuit file (here the simulator's ptys stand in
    /// for a bench of devices, started apart from the runner), injections asked of the
    /// operator, outputs checked by the devices' own read-back.
    @Suite struct RigTargetTests {
        @Test func anInjectionWaitsForTheOperatorAndOutputsAreReadBack() async throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hil-rig-\(UUID().uuidString)").path
            // The bench simulator's run directory too: it must be this user's alone, whatever the umask.
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let circuitText = """
                circuit: bench
                title: The blood side of the circuit on a bench
                description: blood pump, three pressures, air detector with clamp
                buses:
                  - {name: blood, port: \(directory)/blood, baud: 115200, parity: even}
                devices:
                  - {role: bloodPump, family: peristalticPump, bus: blood, unit: 1, tubingMlPerRev: 8.0}
                  - {role: arterialPressure, family: pressureSensor, bus: blood, unit: 2}
                  - {role: preFilterPressure, family: pressureSensor, bus: blood, unit: 3}
                  - {role: venousPressure, family: pressureSensor, bus: blood, unit: 4}
                  - {role: airDetector, family: airDetector, bus: blood, unit: 5}
                flows:
                  bloodPump: {min: 50, max: 250}
                poll: {pressure: 50, air: 50, pump: 100, heater: 250, temperature: 500, bloodLeak: 500}
                """
            try circuitText.write(toFile: directory + "/bench.yaml", atomically: true, encoding: .utf8)
            let scenarioText = """
                scenario: bench occlusion
                circuit: bench.yaml
                target: rig
                steps:
                  - selfTest: pass
                  - prime
                  - setFlow: {pump: bloodPump, flow: 100}
                  - waitFor: {flow: bloodPump, reaches: 100, within: 5s}
                  - finishPriming
                  - startTreatment
                  - setFlow: {pump: bloodPump, flow: 150}
                  - waitFor: {flow: bloodPump, reaches: 150, within: 5s}
                  - inject: {command: condition returnLineRestriction 5, until: {signal: venousPressure, above: 300}, within: 10s}
                  - expect: {alarm: SR-2, within: 5s}
                  - expect: {outputs: {bloodPump: stopped, returnClamp: closed}, within: 3s}
                """
            try scenarioText.write(toFile: directory + "/bench-occlusion.yaml", atomically: true, encoding: .utf8)
            let scenario = try ScenarioParser.load(directory + "/bench-occlusion.yaml")

            // The bench: the simulated devices at the circuit file's port, outside the runner.
            var options = CircuitSimulator.Options()
            options.runDirectory = directory
            options.emulatesWireTime = true
            let bench = try CircuitSimulator(layout: SimulatedCircuitLayout(configuration: scenario.circuit), options: options)
            try bench.start()
            defer { bench.stop() }

            // The operator: reads the prompt, then occludes the line by hand.
            let prompts = Mutex<[String]>([])
            var runOptions = ScenarioRunner.Options()
            runOptions.console = OperatorConsole(output: { line in prompts.withLock { $0.append(line) } })
            let operatorTask = Task {
                while !Task.isCancelled, prompts.withLock({ $0.isEmpty }) { try? await Task.sleep(for: .milliseconds(20)) }
                try? await Task.sleep(for: .milliseconds(300))
                bench.conditions.returnLineRestriction = 5
            }
            let run = await ScenarioRunner(scenario: scenario, options: runOptions).run()
            operatorTask.cancel()
            #expect(run.result.setupError == nil, "\(run.result.setupError ?? "")")
            for step in run.result.steps where step.status != .passed {
                Issue.record("step \(step.number) \(step.title): \(step.message)")
            }
            let prompt = try #require(prompts.withLock { $0.first })
            #expect(prompt.contains("OPERATOR") && prompt.contains("condition returnLineRestriction 5"))
            #expect(run.result.steps[8].message.contains("confirmed by venousPressure above 300"), "\(run.result.steps[8].message)")
            #expect(run.result.steps[10].message.contains("read back"), "\(run.result.steps[10].message)")
        }
    }
}
