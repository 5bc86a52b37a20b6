extension InterlockLimits {
    /// Sets the limit called `name` — the name of its property here — to `value` in
    /// SAFETY.md's units (mmHg, ppm, °C, %, seconds; a count for `consecutiveFailures`).
    /// Returns false, changing nothing, when no limit has that name. The one place circuit
    /// files and HIL scenarios turn a limit's name into the limit; persistence times are
    /// set through ``persistence``.
    @discardableResult
    public mutating func set(_ name: String, to v: Double) -> Bool {
        switch name {
        case "venousPressureHigh": venousPressureHigh = .mmHg(v)
        case "venousPressureLow": venousPressureLow = .mmHg(v)
        case "arterialPressureLow": arterialPressureLow = .mmHg(v)
        case "preFilterPressureHigh": preFilterPressureHigh = .mmHg(v)
        case "transmembranePressureHigh": transmembranePressureHigh = .mmHg(v)
        case "transmembraneLatchTime": transmembraneLatchTime = v
        case "bloodLeak": bloodLeak = .ppm(v)
        case "plasmaTemperatureHigh": plasmaTemperatureHigh = .celsius(v)
        case "plasmaTemperatureLow": plasmaTemperatureLow = .celsius(v)
        case "plasmaTemperatureVeryLow": plasmaTemperatureVeryLow = .celsius(v)
        case "plasmaTemperatureTarget": plasmaTemperatureTarget = .celsius(v)
        case "temperatureProbeDisagreement": temperatureProbeDisagreement = v
        case "heaterElementHigh": heaterElementHigh = .celsius(v)
        case "tachometerDeviationPercent": tachometerDeviationPercent = v
        case "bloodPumpStopTime": bloodPumpStopTime = v
        // A count: a value no Int holds (or not whole) is kept past every bound, for validation to refuse, never trapped on.
        case "consecutiveFailures": consecutiveFailures = Int(exactly: v) ?? (v > 0 ? Int.max : Int.min)
        case "frozenSensorWindow": frozenSensorWindow = v
        default: return false
        }
        return true
    }
}
