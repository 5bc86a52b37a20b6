/// One watched condition: a kind for one subject. The identity of an alarm.
///
/// Build one with the static members: `.airAtReturnLine`, `.pumpSpeedDeviation(.blood)`,
/// `.staleData(.venousPressure)`.
public struct Condition: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The kind (the SAFETY.md row).
    public let kind: ConditionKind
    /// The device the condition is about, for the per-device kinds (SR-12, SR-13, SR-15,
    /// SR-16, SR-17); nil for the others.
    public let subject: DeviceRole?

    init(_ kind: ConditionKind, _ subject: DeviceRole? = nil) {
        self.kind = kind
        self.subject = subject
    }

    /// SR-1.
    public static let airAtReturnLine = Condition(.airAtReturnLine)
    /// SR-2.
    public static let venousPressureHigh = Condition(.venousPressureHigh)
    /// SR-3.
    public static let venousPressureLow = Condition(.venousPressureLow)
    /// SR-4.
    public static let arterialPressureLow = Condition(.arterialPressureLow)
    /// SR-5.
    public static let preFilterPressureHigh = Condition(.preFilterPressureHigh)
    /// SR-6.
    public static let transmembranePressureHigh = Condition(.transmembranePressureHigh)
    /// SR-7.
    public static let bloodLeak = Condition(.bloodLeak)
    /// SR-8.
    public static let plasmaTemperatureHigh = Condition(.plasmaTemperatureHigh)
    /// SR-9, alarm level.
    public static let plasmaTemperatureLow = Condition(.plasmaTemperatureLow)
    /// SR-9, S2-warm level.
    public static let plasmaTemperatureVeryLow = Condition(.plasmaTemperatureVeryLow)
    /// SR-10.
    public static let temperatureProbesDisagree = Condition(.temperatureProbesDisagree)
    /// SR-11.
    public static let heaterElementOverTemperature = Condition(.heaterElementOverTemperature)
    /// SR-14.
    public static let bloodPumpStopped = Condition(.bloodPumpStopped)
    /// SR-18.
    public static let selfTestFailed = Condition(.selfTestFailed)

    /// SR-12 for `pump`.
    public static func pumpSpeedDeviation(_ pump: PumpRole) -> Condition { Condition(.pumpSpeedDeviation, pump.deviceRole) }
    /// SR-13 for `pump`.
    public static func pumpFirmwareFault(_ pump: PumpRole) -> Condition { Condition(.pumpFirmwareFault, pump.deviceRole) }
    /// SR-15 for `role`.
    public static func staleData(_ role: DeviceRole) -> Condition { Condition(.staleData, role) }
    /// SR-16 for `role`.
    public static func deviceLost(_ role: DeviceRole) -> Condition { Condition(.deviceLost, role) }
    /// SR-17 for `sensor`.
    public static func frozenSensor(_ sensor: PressureSensor) -> Condition { Condition(.frozenSensor, sensor.deviceRole) }

    /// The SAFETY.md row.
    public var requirement: SafetyRequirement { kind.requirement }

    /// What the condition does to the outputs while its fault is active (SAFETY.md "reaction").
    public var reaction: SafetyReaction {
        switch kind {
        case .airAtReturnLine, .venousPressureHigh, .venousPressureLow, .arterialPressureLow,
             .preFilterPressureHigh, .staleData, .deviceLost:
            .patientSafe
        case .transmembranePressureHigh, .bloodLeak, .plasmaTemperatureHigh, .temperatureProbesDisagree:
            .plasmaBypass
        case .plasmaTemperatureVeryLow:
            // S2-warm: isolated from the patient, rewarmed in the loop (heater-off S2 would
            // make a cold circuit a dead end).
            .plasmaIsolation
        case .heaterElementOverTemperature:
            .heaterOff
        case .pumpSpeedDeviation, .pumpFirmwareFault:
            // SR-12/SR-13: S1 for the blood pump, S2 for the plasma pumps.
            subject == .bloodPump ? .patientSafe : .plasmaBypass
        case .plasmaTemperatureLow, .bloodPumpStopped, .frozenSensor:
            .alarmOnly
        case .selfTestFailed:
            .preventTreatmentStart
        }
    }

    /// Orders by SAFETY.md row, then kind, then subject: the canonical order of the active
    /// set (so the same faults are the same state whatever order they tripped in).
    public static func < (a: Condition, b: Condition) -> Bool {
        if a.kind != b.kind { return a.kind.order < b.kind.order }
        return (a.subject?.index ?? -1) < (b.subject?.index ?? -1)
    }

    /// "SR-12 pump speed deviation (bloodPump)".
    public var description: String {
        let base = "\(kind.requirement.id) \(kind)"
        guard let subject else { return base }
        return "\(base) (\(subject))"
    }
}
