public import Foundation

/// Journal entries as a bench technician reads them (`hepabus journal export`):
/// CSV for a spreadsheet, JSON for a program.
public enum JournalExport {
    /// An export format.
    public enum Format: String, Sendable, CaseIterable {
        /// RFC 4180 CSV with a header row (``JournalExport/csv(_:)``).
        case csv
        /// A JSON array of entry objects (``JournalExport/json(_:)``).
        case json
    }

    /// The CSV header row's column names, in order.
    public static let csvColumns = ["sequence", "time", "monotonic_seconds", "kind", "source", "message", "fields"]

    /// `entries` as RFC 4180 CSV: a header row (``csvColumns``), then one row per entry, each
    /// line ended by CRLF. A value holding a comma, a double quote, CR or LF is quoted and its
    /// quotes doubled, so multi-line messages survive. `time` is ISO 8601 UTC with microseconds,
    /// `monotonic_seconds` has six decimals (empty when absent), and `fields` is one column
    /// holding a JSON object with sorted keys. Values are written as they are: a message
    /// starting with `=` is not defused for spreadsheets, because the export must be faithful.
    public static func csv(_ entries: some Sequence<JournalEntry>) -> String {
        var out = csvHeaderLine
        for entry in entries {
            out += csvRow(entry)
        }
        return out
    }

    /// `entries` as a JSON array, one entry object per line: `sequence`, `time` (ISO 8601 UTC
    /// with microseconds), `monotonicSeconds` (absent when unknown), `kind`, `source`,
    /// `message` and `fields` (an object of strings). `JSONDecoder` reads it back as
    /// `[JournalEntry]`.
    public static func json(_ entries: some Sequence<JournalEntry>) -> String {
        var out = "["
        var first = true
        for entry in entries {
            out += jsonElement(entry, first: first)
            first = false
        }
        return out + jsonEnd(empty: first)
    }

    /// Writes `entries` in `format` to `handle` in chunks, so a long journal is not built
    /// up as one string first. Wraps `FileHandle.write(contentsOf:)`.
    public static func write(
        _ entries: some Sequence<JournalEntry>, as format: Format, to handle: FileHandle
    ) throws(JournalError) {
        var chunk = ""
        func flush() throws(JournalError) {
            do {
                try handle.write(contentsOf: Data(chunk.utf8))
            } catch {
                throw .exportFailed(reason: "cannot write the \(format.rawValue) export: \(error)")
            }
            chunk = ""
        }
        var first = true
        chunk += format == .csv ? csvHeaderLine : "["
        for entry in entries {
            chunk += format == .csv ? csvRow(entry) : jsonElement(entry, first: first)
            first = false
            if chunk.utf8.count >= 64 * 1024 { try flush() }
        }
        if format == .json { chunk += jsonEnd(empty: first) }
        try flush()
    }

    // MARK: Pieces

    private static var csvHeaderLine: String {
        csvColumns.joined(separator: ",") + "\r\n"
    }

    private static func csvRow(_ entry: JournalEntry) -> String {
        let monotonic = entry.monotonicSeconds.map { String(format: "%.6f", $0) } ?? ""
        return [
            String(entry.sequence), entry.time.iso8601, monotonic, entry.kind.rawValue,
            entry.source, entry.message, JournalJSON.object(entry.fields),
        ].map(csvField).joined(separator: ",") + "\r\n"
    }

    /// One CSV value, quoted when RFC 4180 requires it.
    static func csvField(_ value: String) -> String {
        let needsQuotes = value.utf8.contains { byte in
            byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
        }
        guard needsQuotes else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func jsonElement(_ entry: JournalEntry, first: Bool) -> String {
        (first ? "\n  " : ",\n  ") + JournalJSON.object(entry)
    }

    private static func jsonEnd(empty: Bool) -> String {
        empty ? "]\n" : "\n]\n"
    }
}
