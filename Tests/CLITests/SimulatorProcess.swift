import Foundation
import Glibc
import Testing

/// `hepabus simulate` running as its own process, as a technician's bench would have it:
/// its manifest names every bus endpoint, and `hepabus simctl` drives its faults.
final class SimulatorProcess {
    let directory: String
    let manifest: String
    private let process = Process()

    init(circuit: String = "bal") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("hepabus-cli-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        manifest = directory + "/manifest.json"
        process.executableURL = CLI.executable
        process.arguments = ["simulate", "--circuit", circuit, "--manifest", manifest, "--run-directory", directory + "/run"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // The manifest is written once every line is served.
        let deadline = ContinuousClock.now + .seconds(30)
        while !FileManager.default.fileExists(atPath: manifest) {
            guard process.isRunning, ContinuousClock.now < deadline else {
                stop()
                throw SimulatorProcessError("hepabus simulate did not write its manifest within 30 s")
            }
            usleep(20_000)
        }
    }

    /// The circuit options every circuit command takes to reach this simulator.
    var circuitArguments: [String] { ["--circuit", "bal", "--manifest", manifest] }

    /// A bus's stable endpoint.
    func endpoint(_ bus: String) -> String { directory + "/run/" + bus }

    /// `hepabus simctl --manifest M WORDS…`, which must succeed.
    @discardableResult
    func simctl(_ words: String...) throws -> [String: Any] {
        let result = try CLI.run(["simctl", "--manifest", manifest] + words)
        guard result.status == 0, let reply = parsedJSON(result.stdout) else {
            throw SimulatorProcessError("simctl \(words.joined(separator: " ")) failed: \(result.stdout) \(result.stderr)")
        }
        return reply
    }

    /// One role's registers, decoded by the simulator from its own state.
    func status(_ role: String) throws -> [String: Any] {
        let reply = try simctl("status")
        let roles = (reply["status"] as? [String: Any])?["roles"] as? [String: Any]
        guard let state = roles?[role] as? [String: Any] else { throw SimulatorProcessError("no status for \(role): \(reply)") }
        return state
    }

    func stop() {
        if process.isRunning {
            process.interrupt()  // SIGINT: the simulator shuts its lines down cleanly
            let deadline = ContinuousClock.now + .seconds(10)
            while process.isRunning && ContinuousClock.now < deadline { usleep(10_000) }
            if process.isRunning { process.terminate() }
        }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { stop() }
}

struct SimulatorProcessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// `hepabus` running in the background while a test works beside it, its output
/// collected as it comes and its standard input a pipe the test can write to.
final class BackgroundHepabus: @unchecked Sendable {
    private let process = Process()
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()
    private let done = DispatchGroup()
    private let input = Pipe()

    init(_ arguments: [String]) throws {
        process.executableURL = CLI.executable
        process.arguments = arguments
        let outPipe = Pipe(), errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = input
        try process.run()
        for (pipe, isError) in [(outPipe, false), (errPipe, true)] {
            done.enter()
            Thread.detachNewThread { [self] in
                let handle = pipe.fileHandleForReading
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    lock.withLock { if isError { err += chunk } else { out += chunk } }
                }
                done.leave()
            }
        }
    }

    var pid: Int32 { process.processIdentifier }
    var stdout: String { lock.withLock { String(decoding: out, as: UTF8.self) } }
    var stderr: String { lock.withLock { String(decoding: err, as: UTF8.self) } }

    /// Waits (bounded) until `condition` holds on what the process said so far.
    func waitFor(within: Duration = .seconds(20), _ condition: (_ stdout: String, _ stderr: String) -> Bool) -> Bool {
        let deadline = ContinuousClock.now + within
        while ContinuousClock.now < deadline {
            if condition(stdout, stderr) { return true }
            if !process.isRunning { return condition(stdout, stderr) }
            usleep(10_000)
        }
        return false
    }

    /// Writes a line to the process's standard input.
    func type(_ line: String) {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    func interrupt() { process.interrupt() }

    /// Waits (bounded) for the process to end; kills it past the deadline (status -1).
    func finish(within: Duration = .seconds(30)) -> CLIResult {
        let deadline = ContinuousClock.now + within
        while process.isRunning && ContinuousClock.now < deadline { usleep(5_000) }
        var timedOut = false
        if process.isRunning {
            timedOut = true
            process.terminate()
        }
        process.waitUntilExit()
        done.wait()
        return lock.withLock {
            CLIResult(status: timedOut ? -1 : process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                      stderr: (timedOut ? "TIMED OUT\n" : "") + String(decoding: err, as: UTF8.self))
        }
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}

/// A JSON object from one line of output, or nil.
func parsedJSON(_ text: some StringProtocol) -> [String: Any]? {
    try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
}
