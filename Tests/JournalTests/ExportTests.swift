import Foundation
import Testing
@testable import Journal

/// A strict RFC 4180 reader, independent of the writer under test: fields separated by
/// commas, records by CRLF, quoted fields with doubled quotes.
func parseCSV(_ text: String) throws -> [[String]] {
    var records: [[String]] = []
    var record: [String] = []
    var field = ""
    var chars = Array(text.unicodeScalars)[...]
    var quotedField = false
    while let c = chars.popFirst() {
        if quotedField {
            if c == "\"" {
                if chars.first == "\"" { chars.removeFirst(); field.unicodeScalars.append("\"") } else { quotedField = false }
            } else {
                field.unicodeScalars.append(c)
            }
            continue
        }
        switch c {
        case "\"":
            guard field.isEmpty else { throw TestFailure("quote inside an unquoted field: \(field)") }
            quotedField = true
        case ",":
            record.append(field)
            field = ""
        case "\r":
            guard chars.popFirst() == "\n" else { throw TestFailure("CR without LF outside quotes") }
            record.append(field)
            records.append(record)
            record = []
            field = ""
        case "\n":
            throw TestFailure("bare LF outside quotes")
        default:
            field.unicodeScalars.append(c)
        }
    }
    guard !quotedField, record.isEmpty, field.isEmpty else { throw TestFailure("unterminated last record") }
    return records
}

@Suite("Export: RFC 4180 CSV and JSON")
struct ExportTests {
    static let awkwardMessages = [
        "plain", "comma, separated", "say \"stop\"", "two\nlines", "crlf\r\nend", "\"", ",", "",
        " leading and trailing spaces ", "=SUM(A1:A2)", "Ünïcødé 🩸",
    ]

    @Test("CSV has a header row and one exactly-formatted row per entry")
    func csvLayout() {
        let csv = JournalExport.csv([sampleEntry(fields: ["sr": "SR-2", "to": "safe(S1)"])])
        #expect(csv == "sequence,time,monotonic_seconds,kind,source,message,fields\r\n"
            + "1,2023-11-14T22:13:20.123456Z,12.500000,command,operator,blood pump started,"
            + "\"{\"\"sr\"\":\"\"SR-2\"\",\"\"to\"\":\"\"safe(S1)\"\"}\"\r\n")
        #expect(JournalExport.csv([JournalEntry]()) == "sequence,time,monotonic_seconds,kind,source,message,fields\r\n")
    }

    @Test("CSV quotes commas, quotes and line breaks so every value reads back intact")
    func csvEscaping() throws {
        let directory = try TemporaryDirectory()
        let journal = try EventJournal(path: directory.file())
        for message in Self.awkwardMessages {
            try journal.append(kind: .note, source: "bench, \"tech\"", message: message, fields: ["note": message])
        }
        let rows = try parseCSV(try journal.exportCSV())
        #expect(rows.first == JournalExport.csvColumns)
        #expect(rows.count == Self.awkwardMessages.count + 1)
        for (row, message) in zip(rows.dropFirst(), Self.awkwardMessages) {
            #expect(row.count == 7)
            #expect(row[4] == "bench, \"tech\"")
            #expect(row[5] == message)
            let fields = try JSONDecoder().decode([String: String].self, from: Data(row[6].utf8))
            #expect(fields == ["note": message])
        }
    }

    @Test("JSON export is an array that parses back into the same entries")
    func jsonExport() throws {
        let directory = try TemporaryDirectory()
        let journal = try EventJournal(path: directory.file())
        #expect(try journal.exportJSON() == "[]\n")
        let entries = try Self.awkwardMessages.map {
            try journal.append(kind: .commandResult, source: "bloodPump", message: $0, fields: ["text": $0])
        }
        let json = try journal.exportJSON()
        let array = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        #expect(array.count == entries.count)
        #expect(array.first?["sequence"] as? Int == 1)
        #expect(array.first?["kind"] as? String == "commandResult")
        #expect(try JSONDecoder().decode([JournalEntry].self, from: Data(json.utf8)) == entries)
    }

    @Test("Exporting to a FileHandle writes what the String export holds", arguments: JournalExport.Format.allCases)
    func exportToFileHandle(format: JournalExport.Format) throws {
        let directory = try TemporaryDirectory()
        let journal = try EventJournal(path: directory.file())
        // Enough entries to need several chunks.
        for index in 1...600 {
            try journal.append(kind: .deviceEvent, source: "venousPressure", message: "reading \(index), ok",
                               fields: ["value": String(repeating: "9", count: 200)])
        }
        let outPath = directory.file("export.\(format.rawValue)")
        #expect(FileManager.default.createFile(atPath: outPath, contents: nil))
        let handle = try #require(FileHandle(forWritingAtPath: outPath))
        try journal.export(format, to: handle)
        try handle.close()
        let written = String(decoding: try fileBytes(outPath), as: UTF8.self)
        #expect(written == (format == .csv ? try journal.exportCSV() : try journal.exportJSON()))
        #expect(written.utf8.count > 128 * 1024)
    }
}
