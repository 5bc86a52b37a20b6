// libFuzzer target: the journal reader on arbitrary file contents: the record scan (framing,
// checksums, torn tail, damage), the decoding and sequence checks of every record before any
// damage, then the CSV and JSON exports of what was read. The code EventJournal.read(path:)
// and `journal export` run on a file's bytes.
import FuzzSupport
@testable import Journal

fuzzMain { bytes in
    let scan = RecordScan(bytes: bytes, path: "fuzz")
    // Every byte is an intact record or the torn tail, unless the scan stopped at damage
    // (which is reported, never cut), and the scan is linear: one parse per record, plus
    // one for whatever ends it.
    if scan.damage == nil {
        precondition(scan.validLength + scan.tornTailBytes == bytes.count, "the scan lost bytes")
    } else {
        precondition(scan.tornTailBytes == 0 && scan.validLength < bytes.count, "damage cut as a torn tail")
    }
    precondition(scan.parseCalls <= scan.records.count + 1, "the scan parsed a record twice")
    let (entries, _) = scan.entriesBeforeDamage(in: bytes, path: "fuzz")
    _ = JournalExport.csv(entries)
    _ = JournalExport.json(entries)
}
