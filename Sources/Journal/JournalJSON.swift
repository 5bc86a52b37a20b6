/// The one JSON form of an entry, written by hand so the journal file and the JSON export
/// read the same way every time: keys in a fixed order (sequence first, as a person scans
/// it), `fields` sorted by key, no insignificant whitespace, and never a raw newline (which
/// would end the record line early). `JSONDecoder` and ``JournalEntry``'s `Codable` read it back.
enum JournalJSON {
    /// `entry` as one line of compact JSON, without a trailing newline.
    static func object(_ entry: JournalEntry) -> String {
        var out = "{\"sequence\":\(entry.sequence),\"time\":"
        appendString(entry.time.iso8601, to: &out)
        if let seconds = entry.monotonicSeconds {
            out += ",\"monotonicSeconds\":" + number(seconds)
        }
        out += ",\"kind\":"
        appendString(entry.kind.rawValue, to: &out)
        out += ",\"source\":"
        appendString(entry.source, to: &out)
        out += ",\"message\":"
        appendString(entry.message, to: &out)
        out += ",\"fields\":"
        appendObject(entry.fields, to: &out)
        out += "}"
        return out
    }

    /// `fields` as a compact JSON object with its keys sorted.
    static func object(_ fields: [String: String]) -> String {
        var out = ""
        appendObject(fields, to: &out)
        return out
    }

    private static func appendObject(_ fields: [String: String], to out: inout String) {
        out += "{"
        for (index, key) in fields.keys.sorted().enumerated() {
            if index > 0 { out += "," }
            appendString(key, to: &out)
            out += ":"
            appendString(fields[key]!, to: &out)
        }
        out += "}"
    }

    /// A finite number in Swift's shortest round-tripping form (valid JSON); `null` otherwise.
    private static func number(_ value: Double) -> String {
        value.isFinite ? "\(value)" : "null"
    }

    /// `text` as a JSON string literal (RFC 8259 §7): quote, backslash and the C0 controls escaped.
    /// Works on UTF-8 bytes and copies runs that need no escape whole, so a long value costs
    /// little next to the fdatasync (multi-byte sequences are all ≥ 0x80 and pass through).
    static func appendString(_ text: String, to out: inout String) {
        var text = text
        let escaped: String? = text.withUTF8 { bytes in
            guard bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
                return nil
            }
            var result = [UInt8]()
            result.reserveCapacity(bytes.count + 16)
            var runStart = 0
            for (index, byte) in bytes.enumerated() {
                let escape: String
                switch byte {
                case UInt8(ascii: "\""): escape = "\\\""
                case UInt8(ascii: "\\"): escape = "\\\\"
                case UInt8(ascii: "\n"): escape = "\\n"
                case UInt8(ascii: "\r"): escape = "\\r"
                case UInt8(ascii: "\t"): escape = "\\t"
                case 0x08: escape = "\\b"
                case 0x0C: escape = "\\f"
                case ..<0x20:
                    let hex = String(byte, radix: 16)
                    escape = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: continue
                }
                result.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                result.append(contentsOf: escape.utf8)
                runStart = index + 1
            }
            result.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
            return String(decoding: result, as: UTF8.self)
        }
        out += "\""
        out += escaped ?? text
        out += "\""
    }
}
