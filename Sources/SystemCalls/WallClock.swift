import Glibc

/// The wall clock (CLOCK_REALTIME) and UTC calendar fields, for timestamps people read.
public enum WallClock {
    /// clock_gettime(2) with `CLOCK_REALTIME`: seconds and nanoseconds since the Unix epoch.
    public static func now() -> (seconds: Int64, nanoseconds: Int64) {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return (Int64(ts.tv_sec), Int64(ts.tv_nsec))
    }
}

/// A UTC date and time of day to the second (struct tm, without the C).
public struct UTCDateTime: Sendable, Equatable {
    /// The year, e.g. 2025.
    public var year: Int
    /// 1...12.
    public var month: Int
    /// 1...31.
    public var day: Int
    /// 0...23.
    public var hour: Int
    /// 0...59.
    public var minute: Int
    /// 0...60 (a leap second).
    public var second: Int

    /// A UTC date and time from its fields (not checked: the wall clock is their source).
    public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        (self.year, self.month, self.day, self.hour, self.minute, self.second) = (year, month, day, hour, minute, second)
    }

    /// The UTC fields of `secondsSince1970` (gmtime_r(3)).
    public init(secondsSince1970: Int64) {
        var time = time_t(secondsSince1970)
        var parts = tm()
        gmtime_r(&time, &parts)
        self.init(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
                  hour: Int(parts.tm_hour), minute: Int(parts.tm_min), second: Int(parts.tm_sec))
    }

    /// Seconds since the Unix epoch (timegm(3), which normalises out-of-range fields).
    public var secondsSince1970: Int64 {
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        return Int64(timegm(&parts))
    }
}
