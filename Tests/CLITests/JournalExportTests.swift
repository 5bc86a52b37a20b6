import Foundation
import Journal
import Testing

@Suite struct JournalExportTests {
    @Test func exportsEveryEntryAsCSVAndJSON() throws {
        let path = NSTemporaryDirectory() + "hepabus-journal-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let journal = try EventJournal(path: path)
        try journal.append(kind: .alarmRaised, source: "interlock", message: "SR-2 venous pressure high, 541 mmHg", fields: ["sr": "SR-2"])
        try journal.append(kind: .acknowledgement, source: "operator", message: "acknowledged \"SR-2\"")
        journal.close()

        let csv = try CLI.run(["journal", "export", path])
        #expect(csv.status == 0, "\(csv.stderr)")
        let lines = csv.stdout.split(separator: "\r\n", omittingEmptySubsequences: true)
        #expect(lines.first == "sequence,time,monotonic_seconds,kind,source,message,fields")
        #expect(lines.count == 3)
        #expect(csv.stdout.contains("\"SR-2 venous pressure high, 541 mmHg\""))  // the comma is quoted
        #expect(csv.stdout.contains("\"acknowledged \"\"SR-2\"\"\""))           // quotes doubled

        let json = try CLI.run(["journal", "export", path, "--format", "json"])
        let array = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(array?.map { $0["sequence"] as? Int } == [1, 2])
        #expect(array?.first?["kind"] as? String == "alarmRaised")
    }

    @Test func aFileThatIsNotAJournalExitsOneSayingSo() throws {
        let path = NSTemporaryDirectory() + "hepabus-journal-\(UUID().uuidString).txt"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("sequence,time\n1,yesterday\n".utf8).write(to: URL(fileURLWithPath: path))
        let result = try CLI.run(["journal", "export", path])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("\(path) is not an event journal"), "\(result.stderr)")
    }

    @Test func aDamagedJournalExportsEveryEntryBeforeTheDamageAndNamesItsOffset() throws {
        let path = NSTemporaryDirectory() + "hepabus-journal-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let journal = try EventJournal(path: path)
        for index in 1...3 { try journal.append(kind: .note, source: "test", message: "entry \(index)") }
        journal.close()
        var bytes = try #require(FileManager.default.contents(atPath: path))
        let lineEnds = bytes.indices.filter { bytes[$0] == UInt8(ascii: "\n") }
        let third = lineEnds[1] + 1
        bytes[third + 30] ^= 0x01  // inside record 3's JSON
        try bytes.write(to: URL(fileURLWithPath: path))

        let result = try CLI.run(["journal", "export", path, "--format", "json"])
        #expect(result.status == 1)
        let array = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
        #expect(array?.map { $0["message"] as? String } == ["entry 1", "entry 2"])
        #expect(result.stderr.contains("byte offset \(third) (line 3)"), "\(result.stderr)")
        #expect(result.stderr.contains("the 2 entries before it were exported"), "\(result.stderr)")
    }

    @Test func aMissingJournalIsALineFailureNamingThePath() throws {
        let result = try CLI.run(["journal", "export", "/nonexistent/journal.log"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("/nonexistent/journal.log"))
    }
}
