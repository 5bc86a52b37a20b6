public import HardwareInterfaces

/// Every configurable limit of the interlock, with SAFETY.md's defaults.
///
/// A value of this type is only a proposal: ``validated()`` (and ``tightened(_:)``, and
/// ``InterlockConfiguration/init(roles:limits:)``, the only way to hand limits to the
/// machine) check every limit against its hard bound (``HardBounds``) and against sense,
/// and throw a ``LimitError`` naming the limit and the bound. Operators may only tighten.
public struct InterlockLimits: Hashable, Sendable {
    /// SR-2: venous pressure above this trips S1 (default +300, hard bound +450 mmHg).
    public var venousPressureHigh = Pressure.mmHg(300)
    /// SR-3: venous pressure below this trips S1 (default +10, hard bound −50 mmHg).
    public var venousPressureLow = Pressure.mmHg(10)
    /// SR-4: arterial pressure below this trips S1 (default −250, hard bound −350 mmHg).
    public var arterialPressureLow = Pressure.mmHg(-250)
    /// SR-5: pre-filter pressure above this trips S1 (default and hard bound +400 mmHg).
    public var preFilterPressureHigh = Pressure.mmHg(400)
    /// SR-6: transmembrane pressure above this trips S2 (default 50, hard bound 75 mmHg).
    public var transmembranePressureHigh = Pressure.mmHg(50)
    /// SR-6: a TMP condition persisting longer than this latches and becomes high priority (10 s).
    public var transmembraneLatchTime = 10.0
    /// SR-7: blood in the plasma above this trips S2 (350 ppm).
    public var bloodLeak = Concentration.ppm(350)
    /// SR-8: either probe above this trips S2 (default 41.0, hard bound 42 °C).
    public var plasmaTemperatureHigh = Temperature.celsius(41)
    /// SR-9: the lower probe below this raises an alarm (35.0 °C).
    public var plasmaTemperatureLow = Temperature.celsius(35)
    /// SR-9: the lower probe below this trips S2 (33.0 °C).
    public var plasmaTemperatureVeryLow = Temperature.celsius(33)
    /// The heater's plasma target (37 °C); must lie between the SR-9 and SR-8 limits.
    public var plasmaTemperatureTarget = Temperature.celsius(37)
    /// SR-10: the probes differing by more than this (°C) trips S2 (1.0 °C).
    public var temperatureProbeDisagreement = 1.0
    /// SR-11: the heater element above this switches the heater off (45 °C).
    public var heaterElementHigh = Temperature.celsius(45)
    /// SR-12: a tachometer more than this percentage off its command is a deviation (10 %).
    public var tachometerDeviationPercent = 10.0
    /// SR-12: deviations up to this speed are noise; a pump at or below it counts as stopped
    /// (SR-14, SR-17) (1 rpm).
    public var tachometerDeadband = RotationalSpeed.rpm(1)
    /// SR-14: the blood pump standing still longer than this during treatment raises an alarm (120 s).
    public var bloodPumpStopTime = 120.0
    /// SR-16: this many consecutive failed transactions mean the device is gone (3).
    public var consecutiveFailures = 3
    /// SR-17: a pressure bit-identical this long while the blood pump runs is frozen (10 s).
    public var frozenSensorWindow = 10.0
    /// How long each condition must hold before it trips.
    public var persistence = PersistenceTimes.safetyDefaults
    /// SR-15: how old each device's readings may be.
    public var staleDeadlines = StaleDeadlines.hardBounds
    /// The flow set-points each pump accepts.
    public var flowRanges = FlowRanges()

    /// SAFETY.md's defaults.
    public init() {}

    /// SAFETY.md's defaults.
    public static let standard = InterlockLimits()

    /// These limits with `change` applied, validated.
    ///
    /// - Throws: ``LimitError`` naming the first limit loosened past its hard bound or made
    ///   nonsensical.
    public func tightened(_ change: (inout InterlockLimits) -> Void) throws(LimitError) -> InterlockLimits {
        var copy = self
        change(&copy)
        do {
            return try copy.validated()
        } catch {
            throw copy.blamingTheChange(error, from: self)
        }
    }

    /// A broken relation between two limits (low below high, the target between them) is
    /// reported by `validated()` against one side of it. When `change` moved only the other
    /// side, that side is the mistake: the error names it, so an operator who set the venous
    /// high limit too low is not told about the low limit they never touched.
    private func blamingTheChange(_ error: LimitError, from before: InterlockLimits) -> LimitError {
        guard case .nonsensical(let reported, let reportedValue, let reason) = error,
              relationValue(reported) == before.relationValue(reported)
        else { return error }
        for partner in Self.relationPartners(of: reported) {
            guard let value = relationValue(partner), value != before.relationValue(partner) else { continue }
            return .nonsensical(partner, value: value, reason: "conflicts with the \(reported) \(number(reportedValue)) "
                + "\(reported.unit), which \(reason)")
        }
        return error
    }

    /// The limits the sense checks of `validated()` compare `limit` with.
    private static func relationPartners(of limit: InterlockLimit) -> [InterlockLimit] {
        switch limit {
        case .venousPressureLow: [.venousPressureHigh]
        case .plasmaTemperatureVeryLow: [.plasmaTemperatureLow]
        case .plasmaTemperatureTarget: [.plasmaTemperatureLow, .plasmaTemperatureHigh]
        case .heaterElementHigh: [.plasmaTemperatureTarget]
        case .flowMinimum(let pump): [.flowMaximum(pump)]
        default: []
        }
    }

    /// The value of a limit that takes part in a relation (nil for the others).
    private func relationValue(_ limit: InterlockLimit) -> Double? {
        switch limit {
        case .venousPressureLow: venousPressureLow.millimetersOfMercury
        case .venousPressureHigh: venousPressureHigh.millimetersOfMercury
        case .plasmaTemperatureVeryLow: plasmaTemperatureVeryLow.degreesCelsius
        case .plasmaTemperatureLow: plasmaTemperatureLow.degreesCelsius
        case .plasmaTemperatureTarget: plasmaTemperatureTarget.degreesCelsius
        case .plasmaTemperatureHigh: plasmaTemperatureHigh.degreesCelsius
        case .heaterElementHigh: heaterElementHigh.degreesCelsius
        case .flowMinimum(let pump): flowRanges[pump].minimum.millilitersPerMinute
        case .flowMaximum(let pump): flowRanges[pump].maximum.millilitersPerMinute
        default: nil
        }
    }

    /// These limits, after checking every one against its hard bound and against sense.
    ///
    /// - Throws: ``LimitError`` naming the first offending limit (and the bound it went past).
    public func validated() throws(LimitError) -> InterlockLimits {
        // Upper limits: may be lowered (tightened) but not raised past the bound.
        try atMost(.venousPressureHigh, venousPressureHigh.millimetersOfMercury,
                   HardBounds.venousPressureHighMaximum.millimetersOfMercury)
        try atMost(.preFilterPressureHigh, preFilterPressureHigh.millimetersOfMercury,
                   HardBounds.preFilterPressureHighMaximum.millimetersOfMercury)
        try atMost(.transmembranePressureHigh, transmembranePressureHigh.millimetersOfMercury,
                   HardBounds.transmembranePressureHighMaximum.millimetersOfMercury)
        try atMost(.transmembraneLatchTime, transmembraneLatchTime, HardBounds.transmembraneLatchTimeMaximum)
        try atMost(.bloodLeak, bloodLeak.partsPerMillion, HardBounds.bloodLeakMaximum.partsPerMillion)
        try atMost(.plasmaTemperatureHigh, plasmaTemperatureHigh.degreesCelsius,
                   HardBounds.plasmaTemperatureHighMaximum.degreesCelsius)
        try atMost(.temperatureProbeDisagreement, temperatureProbeDisagreement,
                   HardBounds.temperatureProbeDisagreementMaximum)
        try atMost(.heaterElementHigh, heaterElementHigh.degreesCelsius, HardBounds.heaterElementHighMaximum.degreesCelsius)
        try atMost(.tachometerDeviation, tachometerDeviationPercent, HardBounds.tachometerDeviationMaximumPercent)
        try atMost(.tachometerDeadband, tachometerDeadband.revolutionsPerMinute,
                   HardBounds.tachometerDeadbandMaximum.revolutionsPerMinute)
        try atMost(.bloodPumpStopTime, bloodPumpStopTime, HardBounds.bloodPumpStopTimeMaximum)
        try atMost(.consecutiveFailures, Double(consecutiveFailures), Double(HardBounds.consecutiveFailuresMaximum))
        try atMost(.frozenSensorWindow, frozenSensorWindow, HardBounds.frozenSensorWindowMaximum)
        // Lower limits: may be raised (tightened) but not lowered past the bound.
        try atLeast(.venousPressureLow, venousPressureLow.millimetersOfMercury,
                    HardBounds.venousPressureLowMinimum.millimetersOfMercury)
        try atLeast(.arterialPressureLow, arterialPressureLow.millimetersOfMercury,
                    HardBounds.arterialPressureLowMinimum.millimetersOfMercury)
        try atLeast(.plasmaTemperatureLow, plasmaTemperatureLow.degreesCelsius,
                    HardBounds.plasmaTemperatureLowMinimum.degreesCelsius)
        try atLeast(.plasmaTemperatureVeryLow, plasmaTemperatureVeryLow.degreesCelsius,
                    HardBounds.plasmaTemperatureVeryLowMinimum.degreesCelsius)

        // Sense: limits that would trip always, never, or in the wrong order.
        try require(.venousPressureLow, venousPressureLow.millimetersOfMercury,
                    venousPressureLow < venousPressureHigh, "must be below the venous high limit")
        try require(.arterialPressureLow, arterialPressureLow.millimetersOfMercury,
                    arterialPressureLow.millimetersOfMercury < 0, "must be below zero (access pressure is suction)")
        try require(.preFilterPressureHigh, preFilterPressureHigh.millimetersOfMercury,
                    preFilterPressureHigh.millimetersOfMercury > 0, "must be above zero")
        try require(.transmembranePressureHigh, transmembranePressureHigh.millimetersOfMercury,
                    transmembranePressureHigh.millimetersOfMercury > 0, "must be above zero")
        try require(.transmembraneLatchTime, transmembraneLatchTime, transmembraneLatchTime >= 0, "must not be negative")
        try require(.bloodLeak, bloodLeak.partsPerMillion, bloodLeak.partsPerMillion > 0, "must be above zero")
        try require(.plasmaTemperatureVeryLow, plasmaTemperatureVeryLow.degreesCelsius,
                    plasmaTemperatureVeryLow <= plasmaTemperatureLow, "must not be above the low (alarm) limit")
        try require(.plasmaTemperatureTarget, plasmaTemperatureTarget.degreesCelsius,
                    plasmaTemperatureTarget.degreesCelsius.isFinite, "must be a finite temperature")
        try require(.plasmaTemperatureTarget, plasmaTemperatureTarget.degreesCelsius,
                    plasmaTemperatureLow < plasmaTemperatureTarget && plasmaTemperatureTarget < plasmaTemperatureHigh,
                    "must lie between the low limit \(number(plasmaTemperatureLow.degreesCelsius)) °C and the high limit "
                        + "\(number(plasmaTemperatureHigh.degreesCelsius)) °C")
        try require(.heaterElementHigh, heaterElementHigh.degreesCelsius,
                    heaterElementHigh > plasmaTemperatureTarget, "must be above the plasma target")
        try require(.temperatureProbeDisagreement, temperatureProbeDisagreement, temperatureProbeDisagreement > 0,
                    "must be above zero")
        try require(.tachometerDeviation, tachometerDeviationPercent, tachometerDeviationPercent > 0, "must be above zero")
        try require(.tachometerDeadband, tachometerDeadband.revolutionsPerMinute,
                    tachometerDeadband.revolutionsPerMinute >= 0, "must not be negative")
        try require(.bloodPumpStopTime, bloodPumpStopTime, bloodPumpStopTime > 0, "must be above zero")
        try require(.consecutiveFailures, Double(consecutiveFailures), consecutiveFailures >= 1, "must be at least one")
        try require(.frozenSensorWindow, frozenSensorWindow, frozenSensorWindow > 0, "must be above zero")

        for kind in ConditionKind.allCases where persistence.isConfigurable(kind) {
            let seconds = persistence[kind]
            try atMost(.persistence(kind), seconds, PersistenceTimes.safetyDefaults[kind])
            try require(.persistence(kind), seconds, seconds >= 0, "must not be negative")
        }
        for role in DeviceRole.allCases {
            let seconds = staleDeadlines[role]
            try atMost(.staleDeadline(role), seconds, HardBounds.staleDeadlineMaximum(for: role))
            try require(.staleDeadline(role), seconds, seconds > 0, "must be above zero")
        }
        for pump in PumpRole.allCases {
            let range = flowRanges[pump]
            let bound = HardBounds.flowRange(for: pump)
            try atLeast(.flowMinimum(pump), range.minimum.millilitersPerMinute, bound.minimum.millilitersPerMinute)
            try atMost(.flowMaximum(pump), range.maximum.millilitersPerMinute, bound.maximum.millilitersPerMinute)
            try require(.flowMinimum(pump), range.minimum.millilitersPerMinute, range.minimum <= range.maximum,
                        "must not be above the maximum \(number(range.maximum.millilitersPerMinute)) mL/min")
        }
        return self
    }
}

/// `value` must be finite and at most `bound`.
private func atMost(_ limit: InterlockLimit, _ value: Double, _ bound: Double) throws(LimitError) {
    guard value.isFinite else { throw .nonsensical(limit, value: value, reason: "not a finite number") }
    guard value <= bound else { throw .pastHardBound(limit, value: value, hardBound: bound) }
}

/// `value` must be finite and at least `bound`.
private func atLeast(_ limit: InterlockLimit, _ value: Double, _ bound: Double) throws(LimitError) {
    guard value.isFinite else { throw .nonsensical(limit, value: value, reason: "not a finite number") }
    guard value >= bound else { throw .pastHardBound(limit, value: value, hardBound: bound) }
}

/// `condition` must hold, else `limit` is nonsensical for `reason`.
private func require(_ limit: InterlockLimit, _ value: Double, _ condition: Bool, _ reason: String) throws(LimitError) {
    guard condition else { throw .nonsensical(limit, value: value, reason: reason) }
}
