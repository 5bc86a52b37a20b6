import Foundation

/// The journal file's record format: one line per entry,
///
///     <length>:<crc32>:<json>\n
///
/// `length` is the byte count of `json` in decimal (no leading zeros), `crc32` the CRC-32 of
/// those bytes as eight lowercase hex digits, and `json` the entry as ``JournalJSON`` writes
/// it (never a raw newline). For example (one line):
///
///     166:7340f635:{"sequence":1,"time":"2023-11-14T22:13:20.123456Z","monotonicSeconds":12.5,
///     "kind":"command","source":"operator","message":"blood pump started","fields":{"sr":"SR-2"}}
///
/// The length says where the record must end, so a record cut short by a crash is seen
/// as incomplete, and the checksum catches one that is complete but altered: neither is
/// ever half-parsed. The file stays greppable text.
enum RecordFormat {
    /// The bytes of the record for `entry`.
    static func encode(_ entry: JournalEntry) -> [UInt8] {
        let payload = Array(JournalJSON.object(entry).utf8)
        let crc = String(CRC32.checksum(payload), radix: 16)
        var record = Array("\(payload.count):\(String(repeating: "0", count: 8 - crc.count))\(crc):".utf8)
        record.reserveCapacity(record.count + payload.count + 1)
        record += payload
        record.append(UInt8(ascii: "\n"))
        return record
    }

    /// What is found at one offset.
    enum Parsed {
        /// An intact record: its JSON bytes, and the offset just past its newline.
        case record(payload: Range<Int>, next: Int)
        /// Not an intact record, and why.
        case invalid(reason: String)
    }

    /// Reads the record starting at `offset` of `bytes`.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> Parsed {
        let end = bytes.count
        var index = offset
        var length = 0
        var digits = 0
        while true {
            guard index < end else { return .invalid(reason: "incomplete record header at end of file") }
            let byte = bytes[index]
            if byte == UInt8(ascii: ":") { break }
            guard let digit = decimalValue(byte) else { return .invalid(reason: "malformed length field") }
            // A fixed number of digits and no leading zero: one spelling for each length.
            guard digits < 9, !(digits == 1 && length == 0) else { return .invalid(reason: "malformed length field") }
            length = length * 10 + digit
            digits += 1
            index += 1
        }
        guard digits > 0 else { return .invalid(reason: "malformed length field") }
        guard length <= EventJournal.maximumRecordBytes else {
            return .invalid(reason: "length \(length) exceeds the \(EventJournal.maximumRecordBytes)-byte maximum")
        }
        index += 1
        guard index + 9 <= end else { return .invalid(reason: "incomplete record header at end of file") }
        var stored: UInt32 = 0
        for position in index..<(index + 8) {
            guard let nibble = hexValue(bytes[position]) else { return .invalid(reason: "malformed checksum field") }
            stored = stored << 4 | UInt32(nibble)
        }
        guard bytes[index + 8] == UInt8(ascii: ":") else { return .invalid(reason: "malformed checksum field") }
        let payloadStart = index + 9
        let newline = payloadStart + length
        guard newline < end else {
            return .invalid(reason: "incomplete record: \(end - payloadStart) of \(length) payload bytes before end of file")
        }
        guard bytes[newline] == UInt8(ascii: "\n") else {
            return .invalid(reason: "no line end after the \(length)-byte payload")
        }
        let computed = CRC32.checksum(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[payloadStart..<newline])))
        guard computed == stored else {
            return .invalid(reason: "checksum mismatch (stored \(hex(stored)), computed \(hex(computed)))")
        }
        return .record(payload: payloadStart..<newline, next: newline + 1)
    }

    /// Whether `bytes[offset...]` is what a write cut short leaves: the start of a record
    /// exactly as ``encode(_:)`` writes it, missing at least its line end, perhaps followed by
    /// zeros (the file's size reached the disk, its data never did). Nothing else is torn: a
    /// tail holding a line end was written whole, so if it does not check, it is damaged.
    ///
    /// With `requiringHeader`, the start must hold the whole `<length>:<crc32>:` header: a
    /// file with no intact record is taken for a journal only on that much evidence, so a
    /// stray file named as a journal is never cut.
    static func isTornRecord(_ bytes: UnsafeBufferPointer<UInt8>, from offset: Int, requiringHeader: Bool) -> Bool {
        var end = bytes.count
        while end > offset, bytes[end - 1] == 0 { end -= 1 }
        var index = offset
        var length = 0
        var digits = 0
        while index < end, let digit = decimalValue(bytes[index]) {
            guard digits < 9, !(digits == 1 && length == 0) else { return false }
            length = length * 10 + digit
            digits += 1
            index += 1
        }
        if index == end { return !requiringHeader }
        guard digits > 0, length <= EventJournal.maximumRecordBytes, bytes[index] == UInt8(ascii: ":") else { return false }
        index += 1
        var nibbles = 0
        while index < end, nibbles < 8, hexValue(bytes[index]) != nil {
            nibbles += 1
            index += 1
        }
        if index == end { return !requiringHeader }
        guard nibbles == 8, bytes[index] == UInt8(ascii: ":") else { return false }
        index += 1
        // At most the whole payload, and no line end: the record's only line end is its last byte.
        guard end - index <= length else { return false }
        return !UnsafeBufferPointer(rebasing: bytes[index..<end]).contains(UInt8(ascii: "\n"))
    }

    private static func decimalValue(_ byte: UInt8) -> Int? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int(byte - UInt8(ascii: "0")) : nil
    }

    /// Lowercase only, as written: one spelling for each checksum.
    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}

/// The records of a journal file's bytes, found and checked (framing and checksum) but not
/// yet decoded, up to the first that is not intact: a torn tail, or damage.
///
/// One pass, each byte examined a bounded number of times: the scan stops at the first
/// record that does not check and never searches past it (searching every later offset
/// for an intact record made a crafted 1 MB file take tens of seconds to read).
struct RecordScan {
    /// Where each intact record starts, and its JSON bytes.
    var records: [(start: Int, payload: Range<Int>)] = []
    /// The length of the intact prefix: where the next record belongs.
    var validLength = 0
    /// Bytes after the last intact record that are a record cut short by a crash
    /// (``RecordFormat/isTornRecord(_:from:requiringHeader:)``). Ignored on reading,
    /// truncated (and the cut journalled) before appending.
    var tornTailBytes = 0
    /// The first record that is complete but does not check, if any:
    /// ``JournalError/corruptedRecord(path:offset:line:reason:)``, or
    /// ``JournalError/notAJournal(path:reason:)`` when the file holds no intact record at all.
    /// Records after it are not examined.
    var damage: JournalError?
    /// Calls of ``RecordFormat/parse(_:at:)``: at most one more than the intact records,
    /// which tests hold the scan to.
    private(set) var parseCalls = 0

    private init() {}

    /// Scans `bytes`, the contents of the journal at `path`.
    init(bytes: [UInt8], path: String) {
        var scan = RecordScan()
        bytes.withUnsafeBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count {
                scan.parseCalls += 1
                switch RecordFormat.parse(buffer, at: offset) {
                case .record(let payload, let next):
                    scan.records.append((offset, payload))
                    offset = next
                case .invalid(let reason):
                    if RecordFormat.isTornRecord(buffer, from: offset, requiringHeader: offset == 0) {
                        scan.tornTailBytes = buffer.count - offset
                    } else if offset == 0 {
                        scan.damage = .notAJournal(path: path, reason: "no intact record at its start: \(reason)")
                    } else {
                        scan.damage = .corruptedRecord(path: path, offset: offset, line: scan.records.count + 1, reason: reason)
                    }
                    scan.validLength = offset
                    return
                }
            }
            scan.validLength = offset
        }
        self = scan
    }

    /// Decodes record `index` (0-based) of `bytes`.
    func entry(at index: Int, in bytes: [UInt8], path: String) throws(JournalError) -> JournalEntry {
        let record = records[index]
        do {
            return try JSONDecoder().decode(JournalEntry.self, from: Data(bytes[record.payload]))
        } catch {
            throw .corruptedRecord(path: path, offset: record.start, line: index + 1,
                                   reason: "intact checksum but not a journal entry: \(error)")
        }
    }

    /// Decodes every record and checks the sequence runs 1, 2, 3… without a gap or repeat.
    func entries(in bytes: [UInt8], path: String) throws(JournalError) -> [JournalEntry] {
        let (entries, damage) = entriesBeforeDamage(in: bytes, path: path)
        if let damage { throw damage }
        return entries
    }

    /// The entries that decode, in sequence, before the first that does not (or before the
    /// scan's own ``damage``), and that damage.
    func entriesBeforeDamage(in bytes: [UInt8], path: String) -> (entries: [JournalEntry], damage: JournalError?) {
        var entries: [JournalEntry] = []
        entries.reserveCapacity(records.count)
        for index in records.indices {
            do {
                let entry = try entry(at: index, in: bytes, path: path)
                try checkSequence(entry, at: index, path: path)
                entries.append(entry)
            } catch {
                return (entries, error)
            }
        }
        return (entries, damage)
    }

    /// Throws unless `entry`, record `index` (0-based), has sequence number `index + 1`.
    func checkSequence(_ entry: JournalEntry, at index: Int, path: String) throws(JournalError) {
        let expected = UInt64(index) + 1
        guard entry.sequence == expected else {
            throw .corruptedRecord(path: path, offset: records[index].start, line: index + 1,
                                   reason: "sequence number \(entry.sequence) where \(expected) was expected")
        }
    }
}
