/// Renders a line-protocol specification as the human-readable document beside it.
public enum LineProtocolMarkdownRenderer {
    /// File name (in firmware-protocols/) → contents.
    public static func render(_ specs: [LineProtocolSpecification]) -> [String: String] {
        var files: [String: String] = [:]
        for spec in specs { files[spec.sourceFile.lastComponentWithoutExtension + ".md"] = render(spec) }
        return files
    }

    static func cell(_ text: String) -> String { MarkdownRenderer.cell(text) }

    /// A byte as technicians write it: `CR`, or the character in backquotes.
    static func show(_ byte: UInt8) -> String {
        byte == 0x0D ? "CR (0x0D)" : byte == 0x0A ? "LF (0x0A)" : "`\(Character(UnicodeScalar(byte)))`"
    }

    /// How a field is written, for the tables.
    static func syntax(_ f: LineField) -> String {
        switch f.kind {
        case .decimal:
            let raw = f.rawRange ?? 0...0
            return "decimal \(raw.lowerBound)…\(raw.upperBound) (1–\(f.maximumWidth) digits)"
        case .flag: return "`0` or `1`"
        case .choice: return f.choices.map { "`\($0.text)`" }.joined(separator: " or ")
        case .hexFlags: return "\(f.digits ?? 0) hex digits"
        case .text: return "text, 1–\(f.maxLength ?? 0) of A–Z 0–9 -"
        case .version: return "major.minor"
        }
    }

    static func render(_ spec: LineProtocolSpecification) -> String {
        let fr = spec.framing
        var out = "<!-- Generated from \(spec.sourceFile) by hepabus-protocolgen. Do not edit: change the YAML and run `make protocols`. -->\n"
        out += "# \(spec.title)\n\n"
        out += "Line protocol `\(spec.name)`, version \(spec.version).\n\n"
        out += spec.description + "\n\n"
        if let safe = spec.safeState { out += "**Safe state** when the host watchdog lapses: \(safe)\n\n" }

        out += "## Line\n\n| setting | value |\n|---|---|\n"
        out += "| serial | \(spec.serial.summary) (\(spec.serial.baudRate) baud, \(spec.serial.dataBits) data bits, parity \(spec.serial.parity), \(spec.serial.stopBits) stop bit\(spec.serial.stopBits == 1 ? "" : "s")), flow control \(spec.serial.flowControl) |\n"
        out += "| addresses | \(spec.addresses.lowerBound)–\(spec.addresses.upperBound), one digit |\n"
        out += "| terminator | \(show(fr.terminator)) |\n"
        out += "| maximum line length | \(fr.maximumLineLength) bytes, terminator included |\n"
        out += "| minimum gap between commands | \(spec.timing.minimumCommandGap) ms |\n"
        out += "| reply starts within | \(spec.timing.maximumReplyDelay) ms of the request's terminator |\n"
        out += "| host reply timeout | \(spec.timing.replyTimeout) ms from starting to send the request |\n\n"
        out += spec.timing.description + "\n\n"

        out += "## Framing\n\n" + fr.description + "\n\n"
        out += "```\nrequest:  <address><command>[<argument>]\(Character(UnicodeScalar(fr.checksumSeparator)))<checksum><\(fr.terminatorName)>\n"
        out += "reply:    <address><marker><command>[<payload>]\(Character(UnicodeScalar(fr.checksumSeparator)))<checksum><\(fr.terminatorName)>\n```\n\n"
        out += "| part | written |\n|---|---|\n"
        out += "| checksum | \(fr.checksumAlgorithm): sum of the bytes before \(show(fr.checksumSeparator)) modulo 256, \(fr.checksumDigits) upper-case hex digits |\n"
        out += "| marker: done | \(show(fr.doneMarker)), nothing follows the command |\n"
        out += "| marker: value | \(show(fr.valueMarker)), the value fields follow, separated by \(show(fr.fieldSeparator)) |\n"
        out += "| marker: refused | \(show(fr.refusedMarker)), a two-digit reply code follows |\n"
        out += "| unverified echo | `\(fr.unverifiedEcho)` stands for the command when the request failed its checksum or framing |\n\n"

        out += "## Commands\n\n| mnemonic | command | argument | reply | refused with | description |\n|---|---|---|---|---|---|\n"
        for c in spec.commands {
            let argument = c.argument.map { "`\($0)`" } ?? ""
            let reply = c.reply == .done ? "done" : c.value.map { "`\($0)`" }.joined(separator: ", ")
            let safety = c.safety ? " **Safety command.**" : ""
            out += "| `\(c.mnemonic)` | `\(c.name)` | \(argument) | \(reply) | \(c.refusals.map { "`\($0)`" }.joined(separator: ", ")) | \(cell(c.description + safety)) |\n"
        }
        let every = spec.replyCodes.filter(\.everyCommand).map { "`\($0.name)`" }.joined(separator: ", ")
        out += "\nEvery command may also be refused with \(every).\n\n"

        out += "## Fields\n\n| name | written | unit | scale | range | default | description |\n|---|---|---|---|---|---|---|\n"
        for f in spec.fields {
            let range = f.range.map { "\(MarkdownRenderer.number($0.lowerBound)) … \(MarkdownRenderer.number($0.upperBound))" } ?? ""
            let defaultValue = f.defaultNumber.map(MarkdownRenderer.number) ?? f.defaultChoice.map { "`\($0)`" } ?? ""
            let scale = f.kind == .decimal ? (f.scale == 1 ? "1" : MarkdownRenderer.number(f.scale)) : ""
            out += "| `\(f.name)` | \(syntax(f)) | \(f.unit ?? "") | \(scale) | \(range) | \(defaultValue) | \(cell(f.description)) |\n"
        }
        for f in spec.fields where f.kind == .choice {
            out += "\n**`\(f.name)` values**\n\n| text | name | meaning |\n|---|---|---|\n"
            for c in f.choices { out += "| `\(c.text)` | `\(c.name)` | \(cell(c.description)) |\n" }
        }
        for f in spec.fields where f.kind == .hexFlags {
            out += "\n**`\(f.name)` bits**\n\n| bit | name | meaning |\n|---|---|---|\n"
            for b in f.bits { out += "| \(b.bit) | `\(b.name)` | \(cell(b.description)) |\n" }
        }

        out += "\n## Reply codes\n\n| code | name | reported as | every command | meaning |\n|---|---|---|---|---|\n"
        for code in spec.replyCodes {
            let digits = code.code < 10 ? "0\(code.code)" : "\(code.code)"
            out += "| `\(digits)` | `\(code.name)` | \(code.kind) | \(code.everyCommand ? "yes" : "") | \(cell(code.description)) |\n"
        }

        if let w = spec.watchdog {
            out += "\n## Watchdog\n\n" + w.description + "\n\n"
            out += "Heartbeat command `\(w.heartbeat)`, timeout field `\(w.timeout)`, reported by fault flag `\(w.flag)`.\n"
        }
        if let rotor = spec.rotor {
            out += "\n## Rotor\n\nAcceleration: \(MarkdownRenderer.number(rotor.acceleration)) rpm/s. " + rotor.description + "\n"
        }
        if !spec.examples.isEmpty {
            out += "\n## Examples\n\nLines shown without their terminator.\n\n| request | reply | meaning |\n|---|---|---|\n"
            for e in spec.examples { out += "| `\(e.request)` | `\(e.reply)` | \(cell(e.description)) |\n" }
        }
        return out
    }
}
