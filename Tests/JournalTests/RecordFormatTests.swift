import Foundation
import Testing
@testable import Journal

@Suite("Record format: CRC-32, framing, JSON, time")
struct RecordFormatTests {
    @Test("CRC-32 gives the standard check values")
    func crc32CheckValues() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
        #expect(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
    }

    @Test("A record is <length>:<crc32>:<json> and a newline")
    func recordLayout() throws {
        let entry = sampleEntry()
        let record = RecordFormat.encode(entry)
        let text = String(decoding: record, as: UTF8.self)
        #expect(text.hasSuffix("\n"))
        let parts = text.dropLast().split(separator: ":", maxSplits: 2).map(String.init)
        #expect(parts.count == 3)
        let json = parts[2]
        #expect(Int(parts[0]) == json.utf8.count)
        #expect(parts[1] == RecordFormat.hex(CRC32.checksum(Array(json.utf8))))
        // The whole line, as Python's zlib.crc32 (an independent CRC-32) frames it.
        #expect(text == #"166:7340f635:{"sequence":1,"time":"2023-11-14T22:13:20.123456Z","monotonicSeconds":12.5,"kind":"command","source":"operator","message":"blood pump started","fields":{"sr":"SR-2"}}"# + "\n")
        #expect(json == #"{"sequence":1,"time":"2023-11-14T22:13:20.123456Z","monotonicSeconds":12.5,"kind":"command","source":"operator","message":"blood pump started","fields":{"sr":"SR-2"}}"#)
        let parsed = record.withUnsafeBufferPointer { RecordFormat.parse($0, at: 0) }
        guard case .record(let payload, let next) = parsed else {
            Issue.record("record did not parse: \(parsed)")
            return
        }
        #expect(next == record.count)
        #expect(try JSONDecoder().decode(JournalEntry.self, from: Data(record[payload])) == entry)
    }

    @Test("Awkward text survives the JSON form on one line", arguments: [
        "line one\nline two\r\nthree", "tab\tquote\"backslash\\slash/", "control \u{01}\u{1F}\u{7F} bell \u{07}",
        "Ünïcødé — 37 °C, 🩸", "", "{\"looks\":\"like json\"}", "12:deadbeef:{}",
    ])
    func jsonRoundTrip(text: String) throws {
        let entry = sampleEntry(message: text, fields: [text: text, "plain": "x"])
        let json = JournalJSON.object(entry)
        #expect(!json.contains("\n") && !json.contains("\r"))
        #expect(try JSONDecoder().decode(JournalEntry.self, from: Data(json.utf8)) == entry)
        // The Codable form (what a library user's JSONEncoder writes) reads back the same.
        let encoded = try JSONEncoder().encode(entry)
        #expect(try JSONDecoder().decode(JournalEntry.self, from: encoded) == entry)
    }

    @Test("An entry without monotonic time or fields decodes; an unknown kind is kept")
    func lenientDecoding() throws {
        let json = #"{"sequence":7,"time":"2025-06-01T12:00:00.5Z","kind":"calibration","source":"bench","message":"m"}"#
        let entry = try JSONDecoder().decode(JournalEntry.self, from: Data(json.utf8))
        #expect(entry.monotonicSeconds == nil)
        #expect(entry.fields.isEmpty)
        #expect(entry.kind == JournalEntry.Kind(rawValue: "calibration"))
        #expect(!JournalEntry.Kind.known.contains(entry.kind))
        #expect(entry.time.iso8601 == "2025-06-01T12:00:00.500000Z")
        #expect(!JournalJSON.object(entry).contains("monotonicSeconds"))
    }

    @Test("Time is ISO 8601 UTC with microseconds, both ways")
    func timeFormatting() {
        let cases: [(Int64, String)] = [
            (0, "1970-01-01T00:00:00.000000Z"),
            (1_700_000_000_123_456, "2023-11-14T22:13:20.123456Z"),
            (-1, "1969-12-31T23:59:59.999999Z"),
            (951_782_400_000_001, "2000-02-29T00:00:00.000001Z"),
        ]
        for (micros, text) in cases {
            #expect(JournalTime(microsecondsSince1970: micros).iso8601 == text)
            #expect(JournalTime(iso8601: text)?.microsecondsSince1970 == micros)
        }
        #expect(JournalTime(iso8601: "2023-11-14T22:13:20Z")?.microsecondsSince1970 == 1_700_000_000_000_000)
        for bad in ["", "2023-11-14 22:13:20Z", "2023-11-14T22:13:20", "2023-13-14T22:13:20Z",
                    "2023-11-14T22:13:20.1234567Z", "2023-11-14T22:13:20.Z", "2023-11-14T22:13:20+01:00"] {
            #expect(JournalTime(iso8601: bad) == nil, "\(bad) should not parse")
        }
        let now = JournalTime.now()
        #expect(abs(now.date.timeIntervalSinceNow) < 5)
        #expect(JournalTime(now.date) == now)
    }
}
