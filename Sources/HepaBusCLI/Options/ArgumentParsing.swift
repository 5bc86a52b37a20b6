public import ArgumentParser
import Foundation
import Modbus

/// Parsers for what technicians type, each failing with the rule it enforces.
enum ArgumentParsing {
    /// A decimal or 0x-hex integer in `range`.
    static func integer(_ text: String, in range: ClosedRange<Int>, what: String) throws -> Int {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let value: Int?
        if trimmed.lowercased().hasPrefix("0x") {
            value = Int(trimmed.dropFirst(2), radix: 16)
        } else {
            value = Int(trimmed)
        }
        guard let value else { throw ValidationError("\(what) '\(text)' is not a number (decimal, or hex as 0x…)") }
        guard range.contains(value) else {
            throw ValidationError("\(what) \(value) is out of range \(range.lowerBound)-\(range.upperBound)")
        }
        return value
    }

    static func address(_ text: String) throws -> UInt16 {
        UInt16(try integer(text, in: 0...65535, what: "address"))
    }

    /// Unit ids: 0 (broadcast, writes on serial lines only) to 247 (255 on TCP, checked later).
    static func unit(_ text: String) throws -> UInt8 {
        UInt8(try integer(text, in: 0...255, what: "unit"))
    }

    /// "1-247", "5", "1,2,10-12".
    static func unitList(_ text: String) throws -> [UInt8] {
        var units: [UInt8] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count) else { throw ValidationError("units '\(text)': '\(part)' is not N or N-M") }
            let low = try integer(String(bounds[0]), in: 1...247, what: "unit")
            let high = try integer(String(bounds[bounds.count - 1]), in: 1...247, what: "unit")
            guard low <= high else { throw ValidationError("units '\(text)': range \(low)-\(high) runs backwards") }
            units += (low...high).map { UInt8($0) }
        }
        var seen = Set<UInt8>()
        return units.filter { seen.insert($0).inserted }
    }
}

extension ModbusTable: ExpressibleByArgument {}
extension WordOrder: ExpressibleByArgument {}
