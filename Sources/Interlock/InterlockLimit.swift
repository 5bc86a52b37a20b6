/// The name of one configurable limit, as ``LimitError`` reports it.
public enum InterlockLimit: Hashable, Sendable, CustomStringConvertible {
    /// SR-2 venous pressure high limit (mmHg).
    case venousPressureHigh
    /// SR-3 venous pressure low limit (mmHg).
    case venousPressureLow
    /// SR-4 arterial pressure low limit (mmHg).
    case arterialPressureLow
    /// SR-5 pre-filter pressure high limit (mmHg).
    case preFilterPressureHigh
    /// SR-6 transmembrane pressure limit (mmHg).
    case transmembranePressureHigh
    /// SR-6 time after which a persisting TMP alarm latches (s).
    case transmembraneLatchTime
    /// SR-7 blood-leak limit (ppm).
    case bloodLeak
    /// SR-8 plasma temperature high limit (°C).
    case plasmaTemperatureHigh
    /// SR-9 plasma temperature low limit, alarm level (°C).
    case plasmaTemperatureLow
    /// SR-9 plasma temperature very-low limit, S2 level (°C).
    case plasmaTemperatureVeryLow
    /// The heater's plasma temperature target (°C), between the SR-9 and SR-8 limits.
    case plasmaTemperatureTarget
    /// SR-10 largest allowed difference between the two probes (°C).
    case temperatureProbeDisagreement
    /// SR-11 heater element limit (°C).
    case heaterElementHigh
    /// SR-12 largest allowed tachometer deviation (% of the command).
    case tachometerDeviation
    /// SR-12 absolute tolerance below which a deviation is noise, and the speed at or
    /// below which a pump counts as stopped (SR-14, SR-17) (rpm).
    case tachometerDeadband
    /// SR-14 longest time the blood pump may stand still during treatment (s).
    case bloodPumpStopTime
    /// SR-16 consecutive failed transactions that mean a device is gone.
    case consecutiveFailures
    /// SR-17 time a pressure may stay bit-identical while the blood pump runs (s).
    case frozenSensorWindow
    /// The persistence time of a condition kind (s).
    case persistence(ConditionKind)
    /// SR-15 deadline of a device's readings (s).
    case staleDeadline(DeviceRole)
    /// Smallest non-zero flow set-point of a pump (mL/min).
    case flowMinimum(PumpRole)
    /// Largest flow set-point of a pump (mL/min).
    case flowMaximum(PumpRole)

    /// The SAFETY.md row the limit belongs to, if any.
    public var requirement: SafetyRequirement? {
        switch self {
        case .venousPressureHigh: .sr2
        case .venousPressureLow: .sr3
        case .arterialPressureLow: .sr4
        case .preFilterPressureHigh: .sr5
        case .transmembranePressureHigh, .transmembraneLatchTime: .sr6
        case .bloodLeak: .sr7
        case .plasmaTemperatureHigh: .sr8
        case .plasmaTemperatureLow, .plasmaTemperatureVeryLow: .sr9
        case .temperatureProbeDisagreement: .sr10
        case .heaterElementHigh: .sr11
        case .tachometerDeviation, .tachometerDeadband: .sr12
        case .bloodPumpStopTime: .sr14
        case .staleDeadline: .sr15
        case .consecutiveFailures: .sr16
        case .frozenSensorWindow: .sr17
        case .persistence(let kind): kind.requirement
        case .plasmaTemperatureTarget, .flowMinimum, .flowMaximum: nil
        }
    }

    /// The unit the limit's numbers are in.
    public var unit: String {
        switch self {
        case .venousPressureHigh, .venousPressureLow, .arterialPressureLow, .preFilterPressureHigh,
             .transmembranePressureHigh:
            "mmHg"
        case .plasmaTemperatureHigh, .plasmaTemperatureLow, .plasmaTemperatureVeryLow, .plasmaTemperatureTarget,
             .temperatureProbeDisagreement, .heaterElementHigh:
            "°C"
        case .transmembraneLatchTime, .bloodPumpStopTime, .frozenSensorWindow, .persistence, .staleDeadline: "s"
        case .bloodLeak: "ppm"
        case .tachometerDeviation: "%"
        case .tachometerDeadband: "rpm"
        case .consecutiveFailures: "failures"
        case .flowMinimum, .flowMaximum: "mL/min"
        }
    }

    /// "SR-2 venous pressure high limit".
    public var description: String {
        let name: String = switch self {
        case .venousPressureHigh: "venous pressure high limit"
        case .venousPressureLow: "venous pressure low limit"
        case .arterialPressureLow: "arterial pressure low limit"
        case .preFilterPressureHigh: "pre-filter pressure high limit"
        case .transmembranePressureHigh: "transmembrane pressure limit"
        case .transmembraneLatchTime: "transmembrane pressure latch time"
        case .bloodLeak: "blood-leak limit"
        case .plasmaTemperatureHigh: "plasma temperature high limit"
        case .plasmaTemperatureLow: "plasma temperature low limit"
        case .plasmaTemperatureVeryLow: "plasma temperature very-low limit"
        case .plasmaTemperatureTarget: "plasma temperature target"
        case .temperatureProbeDisagreement: "temperature probe disagreement limit"
        case .heaterElementHigh: "heater element limit"
        case .tachometerDeviation: "tachometer deviation limit"
        case .tachometerDeadband: "tachometer deadband"
        case .bloodPumpStopTime: "blood pump stop time"
        case .consecutiveFailures: "consecutive failures limit"
        case .frozenSensorWindow: "frozen sensor window"
        case .persistence(let kind): "persistence of \(kind)"
        case .staleDeadline(let role): "stale-data deadline of \(role)"
        case .flowMinimum(let pump): "minimum flow of \(pump)"
        case .flowMaximum(let pump): "maximum flow of \(pump)"
        }
        guard let requirement else { return name }
        return "\(requirement.id) \(name)"
    }
}
