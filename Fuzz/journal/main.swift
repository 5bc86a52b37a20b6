// libFuzzer target: the journal reader on arbitrary file contents: the record scan (framing,
// checksums, torn tail), the decoding and sequence checks of every record, then the CSV and
// JSON exports of what was read. The code EventJournal.read(path:) runs on a file's bytes.
import FuzzSupport
@testable import Journal

fuzzMain { bytes in
    guard let scan = try? RecordScan(bytes: bytes, path: "fuzz") else { return }
    precondition(scan.validLength + scan.tornTailBytes == bytes.count, "the scan lost bytes")
    guard let entries = try? scan.entries(in: bytes, path: "fuzz") else { return }
    _ = JournalExport.csv(entries)
    _ = JournalExport.json(entries)
}
