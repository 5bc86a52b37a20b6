/// Renders specifications as the human-readable documents beside them.
public enum MarkdownRenderer {
    /// File name (in firmware-protocols/) → contents.
    public static func render(common: CommonBlocks, families: [ProtocolSpecification]) -> [String: String] {
        var files: [String: String] = [:]
        for family in families {
            let name = family.sourceFile.lastComponentWithoutExtension + ".md"
            files[name] = renderFamily(family, common: common)
        }
        return files
    }

    static func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }

    /// Whole numbers without ".0"; one no Int64 holds is printed as it is, never trapped on.
    static func number(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)" }

    static func table(_ registers: [RegisterSpecification]) -> String {
        var out = "| address | table | name | type | access | unit | scale | range | default | description |\n"
        out += "|---|---|---|---|---|---|---|---|---|---|\n"
        for r in registers {
            let range = r.range.map { "\(number($0.lowerBound)) … \(number($0.upperBound))" } ?? ""
            var description = r.description
            if let s = r.sentinel { description += " Unavailable: \(SwiftRenderer.hex(s))." }
            out += "| \(SwiftRenderer.hex(r.address)) | \(r.table.rawValue) | `\(r.name)` | \(r.type.rawValue) | \(r.access.rawValue) | \(r.unit ?? "") | \(r.scale == 1 ? "1" : number(r.scale)) | \(range) | \(r.defaultValue.map(number) ?? "") | \(cell(description)) |\n"
        }
        for r in registers where !r.bits.isEmpty {
            out += "\n**`\(r.name)` bits**\n\n| bit | name | meaning |\n|---|---|---|\n"
            for b in r.bits { out += "| \(b.bit) | `\(b.name)` | \(cell(b.description)) |\n" }
        }
        for r in registers where !r.commands.isEmpty {
            out += "\n**`\(r.name)` values**\n\n| value | command | effect |\n|---|---|---|\n"
            for c in r.commands { out += "| \(SwiftRenderer.hex(c.value)) | `\(c.name)` | \(cell(c.description)) |\n" }
        }
        return out
    }

    static func renderFamily(_ f: ProtocolSpecification, common: CommonBlocks) -> String {
        var out = "<!-- Generated from \(f.sourceFile) by hepabus-protocolgen. Do not edit: change the YAML and run `make protocols`. -->\n"
        out += "# \(f.title)\n\n"
        out += "Family `\(f.family)`, family code \(f.familyCode), protocol version \(f.protocolVersion >> 8).\(f.protocolVersion & 0xFF).\n\n"
        out += f.description + "\n\n"
        if let safe = f.safeState { out += "**Safe state** when the host watchdog lapses: \(safe)\n\n" }
        out += "Addresses are Modbus protocol (0-based) addresses. 32-bit values are high word first. "
        out += "Engineering value = raw × scale; a value outside its range is a device fault.\n\n"
        out += "## Registers\n\n" + table(f.registers)
        for name in f.blocks {
            guard let block = common.block(named: name) else { continue }
            out += "\n## Common block: \(name)\n\n\(block.description)\n\n" + table(block.registers)
        }
        return out
    }
}

extension String {
    var lastComponentWithoutExtension: String {
        let last = split(separator: "/").last.map(String.init) ?? self
        if let dot = last.lastIndex(of: ".") { return String(last[..<dot]) }
        return last
    }
}

import Foundation
