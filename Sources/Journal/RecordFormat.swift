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
/// yet decoded, with the torn tail, if any, set apart.
struct RecordScan {
    /// Where each intact record starts, and its JSON bytes.
    var records: [(start: Int, payload: Range<Int>)] = []
    /// The length of the intact prefix: where the next record belongs.
    var validLength = 0
    /// Bytes after the last intact record that form no intact record: a write cut short by
    /// a crash. Ignored on reading, truncated before appending.
    var tornTailBytes = 0

    private init() {}

    /// Scans `bytes`, the contents of the journal at `path`.
    ///
    /// A damaged record followed by any intact record is corruption in the middle of the
    /// journal and throws ``JournalError/corruptedRecord(path:offset:line:reason:)``; a damaged
    /// record with nothing intact after it is a torn tail. Every later byte offset is tried,
    /// not only line starts, so a damaged line end cannot hide the record after it.
    init(bytes: [UInt8], path: String) throws(JournalError) {
        let outcome: (scan: RecordScan, damage: (offset: Int, line: Int, reason: String)?) = bytes.withUnsafeBufferPointer { buffer in
            var scan = RecordScan()
            var offset = 0
            while offset < buffer.count {
                switch RecordFormat.parse(buffer, at: offset) {
                case .record(let payload, let next):
                    scan.records.append((offset, payload))
                    offset = next
                case .invalid(let reason):
                    for later in (offset + 1)..<buffer.count {
                        if case .record = RecordFormat.parse(buffer, at: later) {
                            return (scan, (offset, scan.records.count + 1, reason))
                        }
                    }
                    scan.validLength = offset
                    scan.tornTailBytes = buffer.count - offset
                    return (scan, nil)
                }
            }
            scan.validLength = offset
            return (scan, nil)
        }
        if let damage = outcome.damage {
            throw .corruptedRecord(path: path, offset: damage.offset, line: damage.line, reason: damage.reason)
        }
        self = outcome.scan
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
        var entries: [JournalEntry] = []
        entries.reserveCapacity(records.count)
        for index in records.indices {
            let entry = try entry(at: index, in: bytes, path: path)
            try checkSequence(entry, at: index, path: path)
            entries.append(entry)
        }
        return entries
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
