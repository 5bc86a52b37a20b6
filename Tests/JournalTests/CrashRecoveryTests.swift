import Foundation
import Testing
@testable import Journal

/// What a crash (or a power loss) can leave after the last intact record.
enum TornTail: String, CaseIterable, Sendable {
    case halfRecord, missingNewline, headerOnly, halfRecordThenZeros, zeroFilled

    /// The tail bytes, given the record that was being written.
    func bytes(of record: [UInt8]) -> [UInt8] {
        switch self {
        case .halfRecord: Array(record.prefix(record.count / 2))
        case .missingNewline: Array(record.dropLast())
        case .headerOnly: Array(record.prefix(4))
        case .halfRecordThenZeros: Array(record.prefix(record.count / 2)) + [UInt8](repeating: 0, count: 512)
        case .zeroFilled: [UInt8](repeating: 0, count: 4096)  // the size grew, the data never came
        }
    }
}

@Suite("Crash recovery: torn tails are cut and the cut journalled; damaged records are kept and refused")
struct CrashRecoveryTests {
    @Test("A torn tail is ignored on reading, cut on opening with the cut journalled, and appending continues",
          arguments: TornTail.allCases)
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

        // Opening for appending cuts it, and says so in the journal: where, how much, why.
        let journal = try EventJournal(path: path)
        #expect(journal.recovery == JournalRecovery(created: false, recordCount: 2, tornTailBytes: torn.count))
        #expect(try fileBytes(path).starts(with: goodBytes))
        let repair = try #require(try journal.entries().last)
        #expect(repair.sequence == 3)
        #expect(repair.kind == .journalRepair)
        #expect(repair.fields["offset"] == String(goodBytes.count))
        #expect(repair.fields["bytes"] == String(torn.count))
        #expect(repair.fields["reason"]?.contains("torn tail") == true)
        let next = try journal.append(kind: .note, source: "supervisor", message: "recovered after a crash")
        #expect(next.sequence == 4)
        journal.close()
        #expect(try EventJournal.read(path: path) == JournalReadResult(entries: intact + [repair, next], tornTailBytes: 0))
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

    @Test("A complete last record with a flipped bit is damage: reported, kept, its sequence number never reused",
          arguments: [10, 40, 2])  // bytes from the end: in the JSON, in the JSON, the closing brace
    func damagedLastRecordIsKept(fromEnd: Int) throws {
        let directory = try TemporaryDirectory()
        let path = directory.file()
        let intact = try makeJournal(at: path, count: 3)
        var bytes = try fileBytes(path)
        let third = lineStarts(bytes)[2]
        bytes[bytes.count - fromEnd] ^= 0x01
        try setFileBytes(path, bytes)

        let error = #expect(throws: JournalError.self) { try EventJournal.read(path: path) }
        guard case .corruptedRecord(path, third, 3, _) = error else {
            Issue.record("expected corruptedRecord at offset \(third), line 3; got \(String(describing: error))")
            return
        }
        // An export gets every entry before it, and the damage named.
        #expect(try EventJournal.readUpToDamage(path: path)
                == JournalReadResult(entries: Array(intact.prefix(2)), tornTailBytes: 0, damage: error))
        // The writer refuses to append after it (or to cut it): the file is kept byte for byte.
        #expect(throws: error!) { try EventJournal(path: path) }
        #expect(try fileBytes(path) == bytes)
    }

    @Test("A flipped bit in the last record's length or line end is damage too, not a torn tail")
    func damagedFramingOfLastRecord() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file()
        try makeJournal(at: path, count: 2)
        let good = try fileBytes(path)
        let second = lineStarts(good)[1]
        for damage in [second, good.count - 1] {  // the first length digit; the newline
            var bytes = good
            bytes[damage] ^= 0x04
            try setFileBytes(path, bytes)
            let error = #expect(throws: JournalError.self) { try EventJournal(path: path) }
            guard case .corruptedRecord(path, second, 2, _) = error else {
                Issue.record("byte \(damage): expected corruptedRecord at offset \(second); got \(String(describing: error))")
                continue
            }
            #expect(try fileBytes(path) == bytes)
        }
    }

    @Test("A file that is not a journal is refused by the writer and left byte for byte; reading says so",
          arguments: ["hello\n", "12", "just some notes without a line end", "\u{0}\u{0}\u{0}\u{0}", "{\"a\":1}\n"])
    func notAJournal(text: String) throws {
        let directory = try TemporaryDirectory()
        let path = directory.file()
        let bytes = Array(text.utf8)
        try setFileBytes(path, bytes)
        let error = #expect(throws: JournalError.self) { try EventJournal(path: path) }
        guard case .notAJournal(path, _) = error else {
            Issue.record("expected notAJournal; got \(String(describing: error))")
            return
        }
        #expect(error?.description.contains("not an event journal") == true)
        #expect(try fileBytes(path) == bytes)
        #expect(throws: error!) { try EventJournal.read(path: path) }
    }

    @Test("A writer never follows a symbolic link: the link and its target are left alone")
    func symbolicLinkRefused() throws {
        let directory = try TemporaryDirectory()
        let target = directory.file("precious.txt")
        try setFileBytes(target, Array("precious\n".utf8))
        let link = directory.file("journal.log")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        #expect(throws: JournalError.symbolicLink(path: link)) { try EventJournal(path: link) }
        #expect(try fileBytes(target) == Array("precious\n".utf8))
        // A dangling link is not followed to create its target either.
        let dangling = directory.file("dangling.log")
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: directory.file("made.log"))
        #expect(throws: JournalError.symbolicLink(path: dangling)) { try EventJournal(path: dangling) }
        #expect(!FileManager.default.fileExists(atPath: directory.file("made.log")))
    }

    @Test("Reading is linear: a crafted 1 MB file of near-records is scanned with one parse per record", .timeLimit(.minutes(1)))
    func craftedInputIsReadInLinearTime() throws {
        // One intact record, one damaged byte, then a megabyte of headers each of whose length
        // lands on the file's last byte, a line end: every one a full-length checksum for a
        // reader that searches each later offset for an intact record (quadratic: hours).
        var bytes = RecordFormat.encode(sampleEntry(sequence: 1))
        let damagedAt = bytes.count
        bytes.append(UInt8(ascii: "x"))
        let total = 1 << 20
        var headers: [UInt8] = []
        while damagedAt + 1 + headers.count + 64 < total {
            let start = damagedAt + 1 + headers.count
            // The length's own digits count towards where its payload starts.
            var digits = 7
            while digits > 1, String(total - 1 - (start + digits + 10)).count != digits { digits -= 1 }
            let length = total - 1 - (start + digits + 10)
            headers += Array("\(length):00000000:".utf8)
        }
        bytes += headers
        bytes += [UInt8](repeating: UInt8(ascii: "a"), count: total - 1 - bytes.count) + [UInt8(ascii: "\n")]
        #expect(bytes.count == total)

        let scan = RecordScan(bytes: bytes, path: "crafted")
        #expect(scan.records.count == 1)
        #expect(scan.parseCalls == 2)
        #expect(scan.damage == .corruptedRecord(path: "crafted", offset: damagedAt, line: 2, reason: "malformed length field"))

        // The same through the file: the writer refuses, the export gets the first entry.
        let directory = try TemporaryDirectory()
        let path = directory.file()
        try setFileBytes(path, bytes)
        #expect(try EventJournal.readUpToDamage(path: path).entries == [sampleEntry(sequence: 1)])
        #expect(throws: JournalError.self) { try EventJournal(path: path) }
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
