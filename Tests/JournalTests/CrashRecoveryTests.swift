import Foundation
import Testing
@testable import Journal

/// What a crash (or a power loss) can leave after the last intact record.
enum TornTail: String, CaseIterable, Sendable {
    case halfRecord, missingNewline, headerOnly, badChecksumOnLastLine, zeroFilled

    /// The tail bytes, given the record that was being written.
    func bytes(of record: [UInt8]) -> [UInt8] {
        switch self {
        case .halfRecord: Array(record.prefix(record.count / 2))
        case .missingNewline: Array(record.dropLast())
        case .headerOnly: Array(record.prefix(4))
        case .badChecksumOnLastLine:
            // A complete line whose payload never fully reached the disk.
            { var damaged = record; damaged[damaged.count - 10] ^= 0x01; return damaged }()
        case .zeroFilled: [UInt8](repeating: 0, count: 4096)  // the size grew, the data never came
        }
    }
}

@Suite("Crash recovery: torn tails are repaired, damage in the middle is an error")
struct CrashRecoveryTests {
    @Test("A torn tail is ignored on reading, truncated on opening, and appending continues", arguments: TornTail.allCases)
    func tornTailIsRepaired(tail: TornTail) throws {
        let directory = try TemporaryDirectory()
        let path = directory.file()
        let intact = try makeJournal(at: path, count: 2)
        let goodBytes = try fileBytes(path)
        let torn = tail.bytes(of: RecordFormat.encode(sampleEntry(sequence: 3)))
        try setFileBytes(path, goodBytes + torn)

        // Reading (what an export does) leaves the file alone and reports the tail.
        #expect(try EventJournal.read(path: path) == JournalReadResult(entries: intact, tornTailBytes: torn.count))
        #expect(try fileBytes(path).count == goodBytes.count + torn.count)

        // Opening for appending repairs it first.
        let journal = try EventJournal(path: path)
        #expect(journal.recovery == JournalRecovery(created: false, recordCount: 2, tornTailBytes: torn.count))
        #expect(try fileBytes(path) == goodBytes)
        let next = try journal.append(kind: .note, source: "supervisor", message: "recovered after a crash")
        #expect(next.sequence == 3)
        journal.close()
        #expect(try EventJournal.read(path: path) == JournalReadResult(entries: intact + [next], tornTailBytes: 0))
    }

    @Test("A damaged record in the middle is an error naming its offset and line")
    func damageInTheMiddle() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file()
        try makeJournal(at: path, count: 3)
        var bytes = try fileBytes(path)
        let second = lineStarts(bytes)[1]
        bytes[second + 40] ^= 0x20  // one flipped bit inside record 2's JSON
        try setFileBytes(path, bytes)

        let error = #expect(throws: JournalError.self) { try EventJournal.read(path: path) }
        guard case .corruptedRecord(path, second, 2, let reason) = error else {
            Issue.record("expected corruptedRecord at offset \(second), line 2; got \(String(describing: error))")
            return
        }
        #expect(reason.contains("checksum mismatch"))
        #expect(error?.description.contains("at byte offset \(second) (line 2)") == true)
        #expect(error?.description.contains(path) == true)
        // The writer refuses the file too: it must never append after damage it cannot explain.
        #expect(throws: error!) { try EventJournal(path: path) }
    }

    @Test("A damaged line end cannot make the records after it look like a torn tail")
    func damagedLineEnd() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file()
        try makeJournal(at: path, count: 3)
        var bytes = try fileBytes(path)
        let third = lineStarts(bytes)[2]
        bytes[third - 1] = UInt8(ascii: "x")  // record 2's newline
        try setFileBytes(path, bytes)
        let second = lineStarts(bytes)[1]
        let error = #expect(throws: JournalError.self) { try EventJournal.read(path: path) }
        guard case .corruptedRecord(path, second, 2, let reason) = error else {
            Issue.record("expected corruptedRecord at offset \(second), line 2; got \(String(describing: error))")
            return
        }
        #expect(reason.contains("no line end"))
    }

    @Test("Intact records out of sequence are an error, not silently accepted")
    func sequenceGap() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file()
        let bytes = [1, 2, 4].flatMap { RecordFormat.encode(sampleEntry(sequence: UInt64($0))) }
        try setFileBytes(path, bytes)
        let third = lineStarts(bytes)[2]
        let expected = JournalError.corruptedRecord(
            path: path, offset: third, line: 3, reason: "sequence number 4 where 3 was expected")
        #expect(throws: expected) { try EventJournal.read(path: path) }
        #expect(throws: expected) { try EventJournal(path: path) }
    }

    @Test("A record with an intact checksum but no journal entry inside is an error")
    func undecodableRecord() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file()
        let payload = Array(#"{"hello":"world"}"#.utf8)
        let record = Array("\(payload.count):\(RecordFormat.hex(CRC32.checksum(payload))):".utf8) + payload + [10]
        try setFileBytes(path, record)
        let error = #expect(throws: JournalError.self) { try EventJournal.read(path: path) }
        guard case .corruptedRecord(path, 0, 1, let reason) = error else {
            Issue.record("expected corruptedRecord at offset 0; got \(String(describing: error))")
            return
        }
        #expect(reason.contains("not a journal entry"))
    }

    @Test("An empty file is an empty journal")
    func emptyFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file()
        try setFileBytes(path, [])
        #expect(try EventJournal.read(path: path) == JournalReadResult(entries: [], tornTailBytes: 0))
        let journal = try EventJournal(path: path)
        #expect(journal.recovery == JournalRecovery(created: false, recordCount: 0, tornTailBytes: 0))
        #expect(try journal.append(kind: .note, source: "test", message: "first").sequence == 1)
    }
}
