public import HardwareInterfaces

/// The hard bounds: constants in code that no configuration may loosen a limit past.
///
/// Where SAFETY.md gives a hard bound it is here as written; where it gives only a
/// default, the default is the hard bound (the limit can only be tightened). Bounds that
/// SAFETY.md leaves open (stale deadlines of slow signals, flow ranges) are HepaBus's
/// choice and marked so.
public enum HardBounds {
    /// SR-2: the venous high limit may be raised to +450 mmHg, no further.
    public static let venousPressureHighMaximum = Pressure.mmHg(450)
    /// SR-3: the venous low limit may be lowered to −50 mmHg, no further.
    public static let venousPressureLowMinimum = Pressure.mmHg(-50)
    /// SR-4: the arterial low limit may be lowered to −350 mmHg, no further.
    public static let arterialPressureLowMinimum = Pressure.mmHg(-350)
    /// SR-5: the pre-filter high limit (no hard bound given: the default).
    public static let preFilterPressureHighMaximum = Pressure.mmHg(400)
    /// SR-6: the TMP limit may be raised to 75 mmHg, no further.
    public static let transmembranePressureHighMaximum = Pressure.mmHg(75)
    /// SR-6: a persisting TMP alarm latches after at most 10 s.
    public static let transmembraneLatchTimeMaximum = 10.0
    /// A non-latching fault whose reaction changed the outputs (SR-6, SR-9's S2) that trips
    /// again within this many seconds of clearing latches (HepaBus's choice, stricter than
    /// SAFETY.md): its reaction removes its own cause (S2 stops the plasma, the TMP falls),
    /// so without it the circuit would cycle between S2 and treatment every few seconds and
    /// a persisting cause would never reach its latch time.
    public static let recurrenceLatchWindow = 60.0
    /// SR-7: the blood-leak limit (the default).
    public static let bloodLeakMaximum = Concentration.ppm(350)
    /// SR-8: the plasma high limit may be raised to 42 °C, no further.
    public static let plasmaTemperatureHighMaximum = Temperature.celsius(42)
    /// SR-9: the low (alarm) limit may not go below 35 °C.
    public static let plasmaTemperatureLowMinimum = Temperature.celsius(35)
    /// SR-9: the very-low (S2) limit may not go below 33 °C.
    public static let plasmaTemperatureVeryLowMinimum = Temperature.celsius(33)
    /// SR-10: the probes may disagree by at most 1.0 °C.
    public static let temperatureProbeDisagreementMaximum = 1.0
    /// SR-11: the heater element limit (the default).
    public static let heaterElementHighMaximum = Temperature.celsius(45)
    /// SR-12: the tachometer may deviate by at most 10 % of the command.
    public static let tachometerDeviationMaximumPercent = 10.0
    /// SR-12: the absolute tachometer tolerance (HepaBus's choice: 10 % of 10 rpm, the
    /// slowest useful rotor speed; without it a pump commanded to 0 rpm trips on any jitter).
    public static let tachometerDeadbandMaximum = RotationalSpeed.rpm(1)
    /// SR-14: the blood pump may stand still at most 120 s during treatment.
    public static let bloodPumpStopTimeMaximum = 120.0
    /// SR-16: at most 3 consecutive failures before a device counts as gone.
    public static let consecutiveFailuresMaximum = 3
    /// SR-17: a pressure may stay bit-identical at most 10 s while the blood pump runs.
    public static let frozenSensorWindowMaximum = 10.0

    /// SR-15: the longest deadline of a device's readings.
    ///
    /// Pressures and air: 300 ms (SAFETY.md). The others are HepaBus's choice, three poll
    /// periods of their usual rates: pumps (tachometer, polled with the heartbeat at ≥ 3 Hz)
    /// 1 s; temperatures, heater and blood leak (≥ 1 Hz, slow signals with seconds of
    /// persistence) 3 s.
    public static func staleDeadlineMaximum(for role: DeviceRole) -> Double {
        switch role {
        case .arterialPressure, .preFilterPressure, .venousPressure, .filtratePressure, .airDetector: 0.3
        case .bloodPump, .plasmaPump, .recirculationPump, .plasmaReturnPump, .infusionPump: 1.0
        case .plasmaTemperatureA, .plasmaTemperatureB, .plasmaHeater, .bloodLeakDetector: 3.0
        }
    }

    /// The widest flow range of each pump (HepaBus's choice; SAFETY.md gives 100–300 mL/min
    /// for recirculation only). A zero set-point (stop) is always allowed besides.
    public static func flowRange(for pump: PumpRole) -> FlowRange {
        switch pump {
        case .blood: FlowRange(minimum: .mLPerMinute(50), maximum: .mLPerMinute(400))
        case .plasma: FlowRange(minimum: .mLPerMinute(10), maximum: .mLPerMinute(150))
        case .recirculation: FlowRange(minimum: .mLPerMinute(100), maximum: .mLPerMinute(300))
        case .plasmaReturn: FlowRange(minimum: .mLPerMinute(10), maximum: .mLPerMinute(150))
        // Cell suspensions go in slowly (about 1-5 mL/min in liver-cell infusions).
        case .infusion: FlowRange(minimum: .mLPerMinute(0.1), maximum: .mLPerMinute(10))
        }
    }
}
