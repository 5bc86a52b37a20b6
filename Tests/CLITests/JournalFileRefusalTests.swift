import Foundation
import Journal
import Testing

/// Every command taking `--journal` refuses a path that is not a journal (exit 2) before it
/// does anything else, and leaves the file byte for byte as it was.
@Suite struct JournalFileRefusalTests {
    /// A fresh directory, and the bytes of a file that is plainly not a journal.
    static let notes = Data("treatment notes, 3 December\nnothing to report\n".utf8)

    static func scratch() throws -> String {
        let directory = NSTemporaryDirectory() + "hepabus-journal-refusal-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        return directory
    }

    /// The commands, each with `--journal PATH`; hil's scenario need not exist, the journal is checked first.
    static func commands(journal path: String) -> [[String]] {
        [["demo", "--journal", path],
         ["treat", "--circuit", "bal", "--journal", path],
         ["hil", "run", "--journal", path, "/nonexistent/scenario.yaml"]]
    }

    @Test("A file that is not a journal is refused with exit 2 and left intact, by demo, treat and hil run")
    func notAJournalIsRefused() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/notes.txt"
        try Self.notes.write(to: URL(fileURLWithPath: path))
        for arguments in Self.commands(journal: path) {
            let result = try CLI.run(arguments, timeout: 30)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("not an event journal"), "\(arguments): \(result.stderr)")
            #expect(FileManager.default.contents(atPath: path) == Self.notes, "\(arguments) changed the file")
        }
    }

    @Test("A symbolic link is never followed: exit 2, the link's target left intact")
    func symbolicLinkIsRefused() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let target = directory + "/notes.txt"
        try Self.notes.write(to: URL(fileURLWithPath: target))
        let link = directory + "/journal.log"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        for arguments in Self.commands(journal: link) {
            let result = try CLI.run(arguments, timeout: 30)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("symbolic link"), "\(arguments): \(result.stderr)")
            #expect(FileManager.default.contents(atPath: target) == Self.notes, "\(arguments) changed the target")
        }
    }

    @Test("A journal with a damaged record is refused with exit 2 naming the offset, and kept")
    func damagedJournalIsRefused() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/journal.log"
        let journal = try EventJournal(path: path)
        try journal.append(kind: .note, source: "test", message: "first")
        try journal.append(kind: .note, source: "test", message: "second")
        journal.close()
        var bytes = try #require(FileManager.default.contents(atPath: path))
        bytes[bytes.count - 5] ^= 0x01  // inside the last, complete record
        try bytes.write(to: URL(fileURLWithPath: path))
        let offset = try #require(bytes.firstIndex(of: UInt8(ascii: "\n"))) + 1
        let result = try CLI.run(["treat", "--circuit", "bal", "--journal", path], timeout: 30)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("byte offset \(offset)"), "\(result.stderr)")
        #expect(FileManager.default.contents(atPath: path) == bytes)
    }
}
