import Foundation
import Glibc
import Testing
import Journal

/// The probe's `payload` field for entry `index`; must match Tools/journal-probe/main.swift.
func probePayload(for index: Int, size: Int) -> String {
    let unit = "entry \(index) payload, \"quoted\"; "  // ASCII: one byte a character
    return String(String(repeating: unit, count: size / unit.utf8.count + 1).utf8.prefix(size))!
}

/// `hepabus-journal-probe`, built beside this test binary.
func probeExecutable() throws -> String {
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    while true {
        let candidate = directory.appendingPathComponent("hepabus-journal-probe").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        guard directory.path != "/" else {
            throw TestFailure("hepabus-journal-probe not found above \(CommandLine.arguments[0])")
        }
        directory = directory.deletingLastPathComponent()
    }
}

/// Milliseconds left until `deadline`, at least 0.
func millisecondsLeft(until deadline: ContinuousClock.Instant) -> Int32 {
    let left = (deadline - .now).components
    return Int32(max(0, left.seconds * 1000 + left.attoseconds / 1_000_000_000_000_000))
}

/// Where in the probe's next append the kill should land.
enum KillPoint: Sendable, CustomStringConvertible {
    /// This long after the report: anywhere in the append cycle.
    case after(microseconds: UInt32)
    /// As soon as the file grows: inside (or just after) the write(2) of the next record,
    /// which a large record makes likely to leave a torn tail.
    case whileWriting

    var description: String {
        switch self {
        case .after(let microseconds): "\(microseconds) µs after the report"
        case .whileWriting: "while the file grows"
        }
    }
}

/// The size of the file at `path`, or -1.
func fileSize(_ path: String) -> Int {
    var st = stat()
    return stat(path, &st) == 0 ? Int(st.st_size) : -1
}

/// Starts the probe appending to `journal`, reads its `reported N` lines, and SIGKILLs it
/// once it has reported `killAfter` entries, at `killPoint`. Returns every sequence number
/// it reported, including those that reached the pipe between the decision and the kill.
/// Throws, after killing the probe, if `deadline` passes first.
func runProbeUntilKilled(
    probe: String, journal: String, payloadBytes: Int, killAfter: Int, killPoint: KillPoint,
    deadline: ContinuousClock.Instant
) throws -> [UInt64] {
    var pipeEnds: [Int32] = [-1, -1]
    guard pipe(&pipeEnds) == 0 else { throw TestFailure("pipe: errno \(errno)") }
    let (readEnd, writeEnd) = (pipeEnds[0], pipeEnds[1])
    // Close-on-exec, so children other tests spawn do not inherit our write end and hold EOF off
    // (the dup2 below gives the probe its own copy as standard output).
    _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
    _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
    defer { close(readEnd) }

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, writeEnd, STDOUT_FILENO)
    let argv: [UnsafeMutablePointer<CChar>?] =
        [strdup(probe), strdup(journal), strdup("1000000"), strdup(String(payloadBytes)), nil]
    defer { argv.forEach { free($0) } }
    let environment: [UnsafeMutablePointer<CChar>?] = [nil]
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, probe, &actions, nil, argv, environment)
    close(writeEnd)
    guard spawned == 0 else { throw TestFailure("posix_spawn \(probe): error \(spawned)") }

    var killed = false
    func killAndReap() {
        if !killed {
            kill(pid, SIGKILL)
            killed = true
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    var pending: [UInt8] = []
    var reported: [UInt64] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    /// Reads what the pipe holds within `timeout` ms; false at end of file or timeout.
    func readSome(timeout: Int32) throws -> Bool {
        var poller = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&poller, 1, timeout)
        if ready < 0 && errno == EINTR { return true }
        guard ready > 0 else { return false }
        let n = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
        guard n > 0 else { return false }
        pending += buffer[0..<n]
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            let line = String(decoding: pending[..<newline], as: UTF8.self)
            pending.removeSubrange(...newline)
            guard line.hasPrefix("reported "), let sequence = UInt64(line.dropFirst(9)) else {
                throw TestFailure("probe said \(line)")
            }
            reported.append(sequence)
        }
        return true
    }

    do {
        while reported.count < killAfter {
            guard millisecondsLeft(until: deadline) > 0 else {
                throw TestFailure("probe reported \(reported.count) of \(killAfter) entries before the deadline")
            }
            guard try readSome(timeout: millisecondsLeft(until: deadline)) else {
                throw TestFailure("probe stopped after reporting \(reported.count) entries")
            }
        }
        switch killPoint {
        case .after(let microseconds):
            usleep(microseconds)
        case .whileWriting:
            // Spin (bounded by the deadline) until the next record starts to land.
            let reportedSize = fileSize(journal)
            while fileSize(journal) == reportedSize && millisecondsLeft(until: deadline) > 0 {}
        }
        killAndReap()
        // The probe is dead: take what it wrote before dying, bounded in case an
        // unrelated child inherited the write end after all.
        while try readSome(timeout: min(1000, millisecondsLeft(until: deadline))) {}
    } catch {
        killAndReap()
        throw error
    }
    return reported
}

@Suite("Crash durability: SIGKILL at random moments loses nothing that was reported")
struct CrashDurabilityTests {
    @Test("Every reported entry survives a SIGKILL at a random moment", .timeLimit(.minutes(2)))
    func reportedEntriesSurviveSIGKILL() throws {
        let probe = try probeExecutable()
        let directory = try TemporaryDirectory()
        // Small records killed anywhere in the cycle, and large ones killed while their
        // write(2) is under way, which tears them.
        let runs: [(payloadBytes: Int, killPoint: KillPoint)] = [
            (256, .after(microseconds: .random(in: 0...3000))),
            (1024 * 1024, .whileWriting),
            (64, .after(microseconds: .random(in: 0...3000))),
            (4096, .after(microseconds: .random(in: 0...3000))),
            (512 * 1024, .whileWriting),
            (256 * 1024, .after(microseconds: .random(in: 0...3000))),
        ]
        var tornTails = 0
        for (run, (payloadBytes, killPoint)) in runs.enumerated() {
            let path = directory.file("run\(run).log")
            let killAfter = Int.random(in: 2...25)
            let reported = try runProbeUntilKilled(
                probe: probe, journal: path, payloadBytes: payloadBytes, killAfter: killAfter,
                killPoint: killPoint, deadline: .now + .seconds(30))
            #expect(reported == Array(1...UInt64(reported.count)), "run \(run): reported out of order")
            #expect(reported.count >= killAfter)

            // The journal reads without error; a torn tail is allowed and reported.
            let onDisk = try EventJournal.read(path: path)
            if onDisk.tornTailBytes > 0 { tornTails += 1 }
            // The append in flight at the kill may have reached the file without being reported.
            #expect(onDisk.entries.count == reported.count || onDisk.entries.count == reported.count + 1,
                    "run \(run): \(onDisk.entries.count) entries on disk, \(reported.count) reported")
            for sequence in reported {
                guard sequence <= onDisk.entries.count else {
                    Issue.record("run \(run): reported entry \(sequence) is missing (payload \(payloadBytes) bytes, killed \(killPoint))")
                    continue
                }
                let entry = onDisk.entries[Int(sequence) - 1]
                #expect(entry.sequence == sequence)
                #expect(entry.kind == .command && entry.source == "probe" && entry.message == "probe \(sequence)")
                #expect(entry.fields == ["i": String(sequence), "payload": probePayload(for: Int(sequence), size: payloadBytes)],
                        "run \(run): entry \(sequence) altered")
            }

            // Appending afterwards cuts the tail, journals the cut, and continues the sequence.
            let journal = try EventJournal(path: path)
            #expect(journal.recovery.tornTailBytes == onDisk.tornTailBytes)
            let repairs = onDisk.tornTailBytes > 0 ? 1 : 0
            let next = try journal.append(kind: .note, source: "test", message: "after kill \(run)")
            #expect(next.sequence == UInt64(onDisk.entries.count + repairs) + 1)
            journal.close()
            let after = try EventJournal.read(path: path)
            #expect(after.tornTailBytes == 0)
            #expect(after.entries.prefix(onDisk.entries.count) == onDisk.entries[...])
            #expect(after.entries.last == next)
            if repairs == 1 {
                let repair = after.entries[onDisk.entries.count]
                #expect(repair.kind == .journalRepair && repair.fields["bytes"] == String(onDisk.tornTailBytes))
            }
            #expect(after.entries.count == onDisk.entries.count + repairs + 1)
        }
        print("crash durability: \(runs.count) kills, \(tornTails) left a torn tail")
    }
}
