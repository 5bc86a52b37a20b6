import Foundation
import Glibc
import Testing

/// The treatment process killed mid-treatment (SIGKILL, no chance to flush or close):
/// every state change and alarm it had reported is in its journal, which reads back intact.
@Suite struct KilledTreatmentTests {
    @Test(.timeLimit(.minutes(2)))
    func aKilledTreatmentLosesNothingItReported() throws {
        let directory = NSTemporaryDirectory() + "hepabus-killed-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = directory + "/journal.log"

        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["demo", "--journal", journal]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()

        // Read what the demo reports until the SR-2 alarm has been reported (mid-treatment,
        // in S1), then kill it at once.
        var reported = ""
        let deadline = Date().addingTimeInterval(60)
        let handle = out.fileHandleForReading
        while Date() < deadline {
            let data = handle.availableData
            if data.isEmpty { break }
            reported += String(decoding: data, as: UTF8.self)
            if reported.contains("ALARM SR-2") { break }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        try #require(reported.contains("ALARM SR-2"), "the demo never reported the SR-2 alarm:\n\(reported)")

        let export = try CLI.run(["journal", "export", journal, "--format", "json"])
        #expect(export.status == 0, "\(export.stderr)")
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(export.stdout.utf8)) as? [[String: Any]])
        let sequences = entries.compactMap { $0["sequence"] as? Int }
        #expect(sequences == Array(1...entries.count), "entries intact and in order, no gap")
        let messages = entries.compactMap { $0["message"] as? String }

        // Every state change the demo printed ("state priming -> ready") is journalled.
        let printedChanges = reported.split(separator: "\n").compactMap { line -> String? in
            guard let range = line.range(of: "state ") else { return nil }
            return String(line[range.upperBound...]).trimmingCharacters(in: .whitespaces)
        }
        #expect(printedChanges.contains("ready -> treating"), "\(printedChanges)")
        for change in printedChanges {
            #expect(messages.contains(change), "reported '\(change)' but the journal lacks it")
        }
        // And the alarm that was reported.
        #expect(entries.contains { ($0["kind"] as? String) == "alarmRaised" && ($0["message"] as? String)?.hasPrefix("SR-2") == true })
    }
}
