/// The kinds of condition the interlock watches, one (or, for SR-9, two) per row of SAFETY.md.
///
/// A kind is the row; a ``Condition`` is a kind for one subject (SR-12 for the blood
/// pump is a different fault from SR-12 for the plasma pump).
public enum ConditionKind: Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// SR-1: the return-line air detector reports air.
    case airAtReturnLine
    /// SR-2: venous pressure above its high limit.
    case venousPressureHigh
    /// SR-3: venous pressure below its low limit (disconnection).
    case venousPressureLow
    /// SR-4: arterial pressure below its low limit.
    case arterialPressureLow
    /// SR-5: pre-filter pressure above its high limit (clotting).
    case preFilterPressureHigh
    /// SR-6: transmembrane pressure, (pre-filter + venous) / 2 − filtrate, above its limit.
    case transmembranePressureHigh
    /// SR-7: blood in the plasma above its limit.
    case bloodLeak
    /// SR-8: either plasma temperature probe above the high limit.
    case plasmaTemperatureHigh
    /// SR-9, first level: plasma temperature below the low limit (35 °C for 60 s): alarm.
    case plasmaTemperatureLow
    /// SR-9, second level: plasma temperature below the very-low limit (33 °C for 5 s): S2-warm
    /// (plasma isolated, rewarmed in the loop), until every probe is back at or above the low
    /// limit for 5 s.
    case plasmaTemperatureVeryLow
    /// SR-10: the two plasma temperature probes disagree by more than the limit.
    case temperatureProbesDisagree
    /// SR-11: heater element above its limit, or the heater's own cut-out tripped.
    case heaterElementOverTemperature
    /// SR-12: a pump's tachometer differs from its command.
    case pumpSpeedDeviation
    /// SR-13: a pump's firmware reports a fault (door open, occlusion, reversed rotation,
    /// stall, over-current, watchdog expired).
    case pumpFirmwareFault
    /// SR-14: the blood pump stopped during treatment for longer than the limit.
    case bloodPumpStopped
    /// SR-15: a device's latest reading is older than its deadline.
    case staleData
    /// SR-16: a device is gone (udev remove, port error, repeated failures, wrong identity).
    case deviceLost
    /// SR-17: a pressure reading bit-identical while the blood pump runs, for the window.
    case frozenSensor
    /// SR-18: the self-test failed.
    case selfTestFailed

    /// The position of the kind in SAFETY.md's table (SR-9's two levels in order).
    var order: Int {
        switch self {
        case .airAtReturnLine: 0
        case .venousPressureHigh: 1
        case .venousPressureLow: 2
        case .arterialPressureLow: 3
        case .preFilterPressureHigh: 4
        case .transmembranePressureHigh: 5
        case .bloodLeak: 6
        case .plasmaTemperatureHigh: 7
        case .plasmaTemperatureLow: 8
        case .plasmaTemperatureVeryLow: 9
        case .temperatureProbesDisagree: 10
        case .heaterElementOverTemperature: 11
        case .pumpSpeedDeviation: 12
        case .pumpFirmwareFault: 13
        case .bloodPumpStopped: 14
        case .staleData: 15
        case .deviceLost: 16
        case .frozenSensor: 17
        case .selfTestFailed: 18
        }
    }

    /// Whether a condition of this kind names a device (``Condition/subject``): the
    /// per-device rows SR-12, SR-13, SR-15, SR-16, SR-17.
    public var hasSubject: Bool {
        switch self {
        case .pumpSpeedDeviation, .pumpFirmwareFault, .staleData, .deviceLost, .frozenSensor: true
        default: false
        }
    }

    /// The SAFETY.md row this kind implements.
    public var requirement: SafetyRequirement {
        switch self {
        case .airAtReturnLine: .sr1
        case .venousPressureHigh: .sr2
        case .venousPressureLow: .sr3
        case .arterialPressureLow: .sr4
        case .preFilterPressureHigh: .sr5
        case .transmembranePressureHigh: .sr6
        case .bloodLeak: .sr7
        case .plasmaTemperatureHigh: .sr8
        case .plasmaTemperatureLow, .plasmaTemperatureVeryLow: .sr9
        case .temperatureProbesDisagree: .sr10
        case .heaterElementOverTemperature: .sr11
        case .pumpSpeedDeviation: .sr12
        case .pumpFirmwareFault: .sr13
        case .bloodPumpStopped: .sr14
        case .staleData: .sr15
        case .deviceLost: .sr16
        case .frozenSensor: .sr17
        case .selfTestFailed: .sr18
        }
    }

    /// The alarm stays until acknowledged and cleared (SAFETY.md "latch" column).
    /// SR-6 starts unlatched and latches when it persists past its latch time.
    public var isLatching: Bool {
        switch self {
        case .transmembranePressureHigh, .plasmaTemperatureLow, .plasmaTemperatureVeryLow,
             .bloodPumpStopped, .frozenSensor:
            false
        default:
            true
        }
    }

    /// The priority when the alarm is raised (SR-6 starts medium and escalates to high).
    public var initialPriority: AlarmPriority {
        switch self {
        case .transmembranePressureHigh, .plasmaTemperatureLow, .plasmaTemperatureVeryLow,
             .temperatureProbesDisagree, .bloodPumpStopped, .frozenSensor:
            .medium
        default:
            .high
        }
    }

    /// A technical alarm (about the equipment's knowledge, not the patient): SR-15, SR-16, SR-17.
    public var isTechnical: Bool {
        switch self {
        case .staleData, .deviceLost, .frozenSensor: true
        default: false
        }
    }

    /// The kind as SAFETY.md names it.
    public var description: String {
        switch self {
        case .airAtReturnLine: "air at return line"
        case .venousPressureHigh: "venous pressure high"
        case .venousPressureLow: "venous pressure low"
        case .arterialPressureLow: "arterial pressure low"
        case .preFilterPressureHigh: "pre-filter pressure high"
        case .transmembranePressureHigh: "transmembrane pressure high"
        case .bloodLeak: "blood leak"
        case .plasmaTemperatureHigh: "plasma temperature high"
        case .plasmaTemperatureLow: "plasma temperature low"
        case .plasmaTemperatureVeryLow: "plasma temperature very low"
        case .temperatureProbesDisagree: "temperature probes disagree"
        case .heaterElementOverTemperature: "heater element over-temperature"
        case .pumpSpeedDeviation: "pump speed deviation"
        case .pumpFirmwareFault: "pump firmware fault"
        case .bloodPumpStopped: "blood pump stopped"
        case .staleData: "stale data"
        case .deviceLost: "device lost"
        case .frozenSensor: "frozen sensor"
        case .selfTestFailed: "self-test failed"
        }
    }
}
