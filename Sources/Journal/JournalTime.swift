public import Foundation
internal import SystemCalls

/// A wall-clock instant in UTC with microsecond resolution, as the journal stamps entries.
///
/// Held as whole microseconds since the Unix epoch so it survives a round trip through
/// the journal bit for bit (a `Date` is a binary floating-point number of seconds);
/// written as ISO 8601 with six fractional digits: `2025-06-01T12:34:56.123456Z`.
public struct JournalTime: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public let microsecondsSince1970: Int64

    /// The instant `microsecondsSince1970` microseconds after the epoch.
    public init(microsecondsSince1970: Int64) {
        self.microsecondsSince1970 = microsecondsSince1970
    }

    /// The nearest microsecond to `date`.
    public init(_ date: Date) {
        microsecondsSince1970 = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// The wall clock now: clock_gettime(2) with `CLOCK_REALTIME`, truncated to the microsecond.
    public static func now() -> JournalTime {
        let now = WallClock.now()
        return JournalTime(microsecondsSince1970: now.seconds * 1_000_000 + now.nanoseconds / 1_000)
    }

    /// The same instant as a `Date`.
    public var date: Date {
        Date(timeIntervalSince1970: Double(microsecondsSince1970) / 1_000_000)
    }

    /// ISO 8601 in UTC with microseconds: `2025-06-01T12:34:56.123456Z`.
    public var iso8601: String {
        let (seconds, micros) = floorDivision(microsecondsSince1970, by: 1_000_000)
        let parts = UTCDateTime(secondsSince1970: seconds)
        return "\(padded(parts.year, 4))-\(padded(parts.month, 2))-\(padded(parts.day, 2))"
            + "T\(padded(parts.hour, 2)):\(padded(parts.minute, 2)):\(padded(parts.second, 2))"
            + ".\(padded(Int(micros), 6))Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.f…f]Z` (UTC, one to six fractional digits); nil if `text` is anything else.
    public init?(iso8601 text: String) {
        let chars = Array(text.utf8)
        guard chars.count >= 20, chars.last == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let c = chars[index]
                guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(c - UInt8(ascii: "0"))
            }
            return value
        }
        let separators: [(Int, Character)] = [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":")]
        for (index, separator) in separators where chars[index] != separator.asciiValue! { return nil }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var micros = 0
        let fractionEnd = chars.count - 1
        if fractionEnd > 19 {
            let digits = fractionEnd - 20
            guard chars[19] == UInt8(ascii: "."), (1...6).contains(digits), let fraction = number(20..<fractionEnd)
            else { return nil }
            micros = fraction * [1, 100_000, 10_000, 1_000, 100, 10, 1][digits]
        }
        let seconds = UTCDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second).secondsSince1970
        microsecondsSince1970 = seconds * 1_000_000 + Int64(micros)
    }

    /// ``iso8601``.
    public var description: String { iso8601 }

    /// Orders by instant.
    public static func < (lhs: JournalTime, rhs: JournalTime) -> Bool {
        lhs.microsecondsSince1970 < rhs.microsecondsSince1970
    }

    /// Decodes the ISO 8601 string ``iso8601`` writes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let time = JournalTime(iso8601: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "not a UTC ISO 8601 time with microseconds: \(text)")
        }
        self = time
    }

    /// Encodes as the ISO 8601 string ``iso8601``.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso8601)
    }
}

/// Division that rounds towards minus infinity, so instants before 1970 format correctly.
private func floorDivision(_ value: Int64, by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
    var quotient = value / divisor
    var remainder = value % divisor
    if remainder < 0 {
        quotient -= 1
        remainder += divisor
    }
    return (quotient, remainder)
}

/// `value` in decimal, zero-padded on the left to `width` digits.
private func padded(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
}
