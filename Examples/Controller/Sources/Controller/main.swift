// A treatment controller on HepaBus: the `bal` circuit through a whole treatment, with an
// alarm on the way, every command's result checked. Here against the simulated circuit on
// pseudo-terminals; on real hardware only the lines marked "simulator" go.
import Foundation
import HepaBus
import HepaBusSimulator  // simulator
import Logging

/// A refusal or a missed expectation, said in full: a controller never ignores either.
struct ControllerFailure: Error, CustomStringConvertible {
    var description: String
}

/// Performs an operator command and insists it was accepted.
func perform(_ command: OperatorCommand, on supervisor: Supervisor) async throws {
    let result = await supervisor.perform(command)
    guard result.isAccepted else { throw ControllerFailure(description: "\(command) was \(result)") }
    print("controller: \(command) accepted")
}

/// Waits until `condition` holds; fails naming what did not happen in time.
func waitUntil(_ what: String, within limit: Duration, _ condition: () async -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while await !condition() {
        guard ContinuousClock.now < deadline else { throw ControllerFailure(description: "\(what): not within \(limit)") }
        try await Task.sleep(for: .milliseconds(20))
    }
}

/// A pump's measured flow (its tachometer), in mL/min.
func measuredFlow(_ role: CircuitRole, on supervisor: Supervisor) -> Double? {
    guard case .pump(let pump)? = supervisor.snapshot[role]?.reading else { return nil }
    return pump.actualFlow.millilitersPerMinute
}

/// Self-test, priming, treatment, an occluded return line (SR-2) handled, the end.
func treat(with supervisor: Supervisor, simulator: CircuitSimulator) async throws {
    // SR-18: no treatment without a passed self-test; a failed check says what clears it.
    let selfTest = await supervisor.runSelfTest()
    guard selfTest.passed else {
        let failed = selfTest.checks.filter { !$0.passed }.map(\.description)
        throw ControllerFailure(description: "self-test failed: " + failed.joined(separator: "; "))
    }
    try await perform(.startPriming, on: supervisor)
    try await perform(.setFlow(.blood, .mLPerMinute(100)), on: supervisor)
    try await waitUntil("blood pump at 100 mL/min", within: .seconds(5)) {
        abs((measuredFlow(.bloodPump, on: supervisor) ?? 0) - 100) < 3
    }
    try await perform(.finishPriming, on: supervisor)
    try await perform(.startTreatment, on: supervisor)
    for (pump, flow) in [(PumpRole.blood, 150.0), (.plasma, 30), (.recirculation, 200)] {
        try await perform(.setFlow(pump, .mLPerMinute(flow)), on: supervisor)
    }
    try await waitUntil("treatment flows", within: .seconds(5)) {
        abs((measuredFlow(.bloodPump, on: supervisor) ?? 0) - 150) < 3
            && abs((measuredFlow(.plasmaPump, on: supervisor) ?? 0) - 30) < 2
    }
    // A flow outside the circuit's range is refused, with the reason, and changes nothing.
    let tooFast = await supervisor.perform(.setFlow(.blood, .mLPerMinute(5000)))
    guard case .refused(let why) = tooFast else { throw ControllerFailure(description: "5000 mL/min was accepted") }
    print("controller: setFlow(blood, 5000 mL/min) refused as it must be: \(why)")

    // The alarm: the return line occludes (simulator); the supervisor trips SR-2 to S1 by itself.
    simulator.conditions.returnLineRestriction = 5  // simulator
    try await waitUntil("SR-2 safe state S1", within: .seconds(5)) { await supervisor.lifecycle.safeState == .s1 }
    print("controller: alarm, \(await supervisor.lifecycle): \(await supervisor.activeFaults.map(\.description))")
    simulator.conditions.returnLineRestriction = 1  // simulator: the nurse frees the line
    // The two-stage latch: the condition must clear, then the operator acknowledges and resumes.
    try await waitUntil("SR-2 condition cleared", within: .seconds(10)) {
        await supervisor.activeFaults.allSatisfy { !$0.isConditionPresent }
    }
    try await perform(.acknowledge(.all), on: supervisor)
    try await perform(.resume, on: supervisor)
    try await waitUntil("blood pump back at 150 mL/min", within: .seconds(5)) {
        abs((measuredFlow(.bloodPump, on: supervisor) ?? 0) - 150) < 3
    }
    guard await supervisor.lifecycle == .treating, await supervisor.activeFaults.isEmpty else {
        throw ControllerFailure(description: "after resume: \(await supervisor.lifecycle), \(await supervisor.activeFaults)")
    }

    try await perform(.endTreatment, on: supervisor)
    try await waitUntil("pumps stopped", within: .seconds(5)) { (measuredFlow(.bloodPump, on: supervisor) ?? 1) == 0 }
    if await supervisor.lifecycle != .idle { try await perform(.returnToIdle, on: supervisor) }
}

/// Brings the circuit up, treats, and always stops supervising (every output off).
func run() async throws {
    // HepaBus never prints: its diagnostics (every frame at trace, retries at debug, state
    // changes at info, alarms at warning and error, a journal failure at critical) go to the
    // logger the controller gives it, with the circuit, bus and role in the metadata.
    var logger = Logger(label: "controller")
    logger.logLevel = .error
    let circuit = try CircuitConfigurationLoader.preset("bal")  // or the path of a circuit file
    let simulator = try CircuitSimulator(layout: SimulatedCircuitLayout(configuration: circuit))  // simulator
    try simulator.start()  // simulator
    defer { simulator.stop(); try? simulator.removeRunDirectory() }  // simulator
    let endpoints = Dictionary(uniqueKeysWithValues: simulator.manifest.buses.map {  // simulator
        ($0.name, BusEndpoint.serial(path: $0.endpoint))
    })
    let runtime = try await CircuitRuntime(configuration: circuit, endpoints: endpoints, logger: logger)
    let journal = try EventJournal(path: simulator.runDirectory + "/journal.log")  // e.g. /var/lib/hepabus/journal.log
    let supervisor = try Supervisor(runtime: runtime, journal: journal)  // limits checked against hard bounds; logs to the runtime's logger

    let events = await supervisor.events()  // alarms and state changes, as they happen
    let eventLog = Task {
        for await event in events {
            if case .actuatorCommanded = event { continue }
            print("event: \(event)")  // a controller escalates .journalFailed: an event was not recorded
        }
    }
    let monitor = Task {  // every role's latest value and its age, five times a second
        var seen = 0
        for await snapshot in supervisor.snapshots(every: .milliseconds(200)) {
            seen += 1
            if seen % 10 == 0, case .pressure(let venous)? = snapshot[.venousPressure]?.reading {
                print("monitor: venous \(Int(venous.pressure.millimetersOfMercury)) mmHg")
            }
        }
        return seen
    }

    await supervisor.start()  // everything off, clamp closed; polling and ticking
    var failure: (any Error)?
    do { try await treat(with: supervisor, simulator: simulator) } catch { failure = error }
    await supervisor.stop()
    monitor.cancel()
    eventLog.cancel()
    let snapshots = await monitor.value
    let entries = try journal.entries().count
    journal.close()
    if let failure { throw failure }
    guard snapshots > 0, entries > 0 else {
        throw ControllerFailure(description: "followed \(snapshots) snapshots, journalled \(entries) entries")
    }
    print("controller: treatment complete; \(snapshots) snapshots followed, \(entries) journal entries")
}

do {
    try await run()
} catch {
    print("controller: FAILED: \(error)")
    exit(1)
}
