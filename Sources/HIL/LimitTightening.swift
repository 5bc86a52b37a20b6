public import Interlock

/// The limits a scenario tightens for its run: persistence times and long windows
/// shortened so a row can be provoked in seconds (SR-9's 60 s, SR-14's 120 s, SR-17's
/// 10 s), and limit values. Only ever tighter: the interlock checks the result against
/// its hard bounds, and the parser refuses anything looser with the file and line.
public struct LimitTightening: Sendable {
    /// One tightened limit as written.
    public struct Setting: Sendable {
        /// The limit's name ("persistence.venousPressureHigh", "frozenSensorWindow", "venousPressureHigh").
        public var name: String
        /// Seconds for times, a count for `consecutiveFailures`, the limit's unit otherwise.
        public var value: Double
        /// Where it is written in the scenario file.
        public var location: SourceLocation

        /// The limit `name` tightened to `value`, written at `location`.
        public init(name: String, value: Double, location: SourceLocation) {
            self.name = name
            self.value = value
            self.location = location
        }
    }

    /// The limits tightened, as written.
    public var settings: [Setting]

    /// A tightening of `settings` (none by default).
    public init(settings: [Setting] = []) { self.settings = settings }

    /// Persistence times that can be shortened, by SAFETY.md condition (PersistenceTimes' fields).
    public static let persistenceNames: Set<String> = [
        "venousPressureHigh", "venousPressureLow", "arterialPressureLow", "preFilterPressureHigh", "transmembranePressureHigh",
        "bloodLeak", "plasmaTemperatureHigh", "plasmaTemperatureLow", "plasmaTemperatureVeryLow", "temperatureProbesDisagree",
        "pumpSpeedDeviation",
    ]

    static func setPersistence(_ name: String, _ v: Double, in p: inout PersistenceTimes) {
        switch name {
        case "venousPressureHigh": p.venousPressureHigh = v
        case "venousPressureLow": p.venousPressureLow = v
        case "arterialPressureLow": p.arterialPressureLow = v
        case "preFilterPressureHigh": p.preFilterPressureHigh = v
        case "transmembranePressureHigh": p.transmembranePressureHigh = v
        case "bloodLeak": p.bloodLeak = v
        case "plasmaTemperatureHigh": p.plasmaTemperatureHigh = v
        case "plasmaTemperatureLow": p.plasmaTemperatureLow = v
        case "plasmaTemperatureVeryLow": p.plasmaTemperatureVeryLow = v
        case "temperatureProbesDisagree": p.temperatureProbesDisagree = v
        case "pumpSpeedDeviation": p.pumpSpeedDeviation = v
        default: break
        }
    }

    /// Windows, in seconds.
    public static let windowNames: Set<String> = ["frozenSensorWindow", "bloodPumpStopTime", "transmembraneLatchTime"]

    /// Limit values, in the unit SAFETY.md gives them (mmHg, ppm, °C, %).
    public static let valueNames: Set<String> = [
        "venousPressureHigh", "venousPressureLow", "arterialPressureLow", "preFilterPressureHigh",
        "transmembranePressureHigh", "bloodLeak", "plasmaTemperatureHigh", "plasmaTemperatureLow",
        "plasmaTemperatureVeryLow", "temperatureProbeDisagreement", "heaterElementHigh", "tachometerDeviationPercent",
    ]

    /// Applies every setting (unknown names were refused by the parser).
    public func apply(to limits: inout InterlockLimits) {
        for setting in settings { Self.apply(setting, to: &limits) }
    }

    static func apply(_ setting: Setting, to l: inout InterlockLimits) {
        let v = setting.value
        if setting.name.hasPrefix("persistence.") {
            setPersistence(String(setting.name.dropFirst("persistence.".count)), v, in: &l.persistence)
            return
        }
        l.set(setting.name, to: v)
    }

    /// The closure the supervisor takes (nil when nothing is tightened).
    public var closure: (@Sendable (inout InterlockLimits) -> Void)? {
        guard !settings.isEmpty else { return nil }
        let copy = self
        return { copy.apply(to: &$0) }
    }
}
