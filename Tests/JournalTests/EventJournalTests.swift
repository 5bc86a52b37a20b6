import Foundation
import Glibc
import Testing
@testable import Journal

@Suite("Event journal: append, reopen, read back")
struct EventJournalTests {
    @Test("Entries read back exactly as append returned them")
    func roundTrip() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file()
        let journal = try EventJournal(path: path)
        #expect(journal.recovery == JournalRecovery(created: true, recordCount: 0, tornTailBytes: 0))
        let before = JournalTime.now()
        var appended: [JournalEntry] = []
        for kind in JournalEntry.Kind.known {
            appended.append(try journal.append(
                kind: kind, source: "interlock", message: "\(kind) happened, \"really\"",
                fields: ["sr": "SR-2", "value": "312 mmHg"]))
        }
        #expect(appended.map(\.sequence) == Array(1...UInt64(JournalEntry.Kind.known.count)))
        #expect(appended.allSatisfy { $0.time >= before && $0.time <= JournalTime.now() })
        let monotonic = appended.compactMap(\.monotonicSeconds)
        #expect(monotonic.count == appended.count && monotonic == monotonic.sorted() && monotonic[0] >= 0)
        #expect(try journal.entries() == appended)
        let read = try EventJournal.read(path: path)
        #expect(read == JournalReadResult(entries: appended, tornTailBytes: 0))
        #expect(journal.nextSequence == UInt64(appended.count) + 1)
    }

    @Test("The sequence continues after the journal is closed and reopened")
    func sequenceContinuesAfterReopen() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file()
        let first = try makeJournal(at: path, count: 3)
        let journal = try EventJournal(path: path)
        #expect(journal.recovery == JournalRecovery(created: false, recordCount: 3, tornTailBytes: 0))
        #expect(journal.nextSequence == 4)
        let fourth = try journal.append(kind: .note, source: "operator", message: "restarted")
        #expect(fourth.sequence == 4)
        #expect(try journal.entries() == first + [fourth])
    }

    @Test("A new journal file gets mode 0600 (less the umask): only its writer reads a patient's treatment")
    func createdMode() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file()
        try makeJournal(at: path, count: 1)
        let mask = umask(0o022)
        umask(mask)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600 & ~Int(mask))
    }

    @Test("A second writer on the same file is refused")
    func oneWriterAtATime() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file()
        let journal = try EventJournal(path: path)
        #expect(throws: JournalError.alreadyOpen(path: path)) { try EventJournal(path: path) }
        journal.close()
        #expect(throws: JournalError.closed(path: path)) {
            try journal.append(kind: .note, source: "test", message: "after close")
        }
        // Closing released the lock.
        let again = try EventJournal(path: path)
        #expect(again.nextSequence == 1)
    }

    @Test("Opening errors name the path and the cause")
    func openingErrors() throws {
        let directory = try TemporaryDirectory()
        let missing = directory.path + "/no-such-dir/journal.log"
        let error = #expect(throws: JournalError.self) { try EventJournal(path: missing) }
        #expect(error == .cannotOpen(path: missing, errno: ENOENT))
        #expect(error?.description.contains(missing) == true)
        #expect(error?.description.contains("No such file or directory") == true)
        #expect(throws: JournalError.notARegularFile(path: "/dev/null")) { try EventJournal(path: "/dev/null") }
        #expect(throws: JournalError.cannotOpen(path: missing, errno: ENOENT)) { try EventJournal.read(path: missing) }
    }

    @Test("An entry larger than a record may be is refused, and nothing is written")
    func entryTooLarge() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file()
        let journal = try EventJournal(path: path)
        let huge = String(repeating: "x", count: EventJournal.maximumRecordBytes)
        let error = #expect(throws: JournalError.self) {
            try journal.append(kind: .note, source: "test", message: huge)
        }
        guard case .entryTooLarge(path, _) = error else {
            Issue.record("expected entryTooLarge, got \(String(describing: error))")
            return
        }
        #expect(try fileBytes(path).isEmpty)
        #expect(try journal.append(kind: .note, source: "test", message: "small").sequence == 1)
    }
}
