/// The roles a device can play in an extracorporeal circuit, each with the
/// device family that can play it. A circuit file naming anything else is refused.
public enum CircuitRole: String, Sendable, CaseIterable, Codable {
    /// The pumps: blood (access to return), plasma (draws plasma from the separator), recirculation
    /// (bioreactor loop), cell infusion, heparin (anticoagulant).
    case bloodPump, plasmaPump, recirculationPump, infusionPump, heparinPump
    /// The pressures: arterial (access, SR-4), pre-filter (SR-5), venous (return, SR-2, SR-3),
    /// filtrate (plasma side of the separator, for TMP, SR-6).
    case arterialPressure, preFilterPressure, venousPressure, filtratePressure
    /// The temperature sensors: the plasma's probe pair (SR-8, SR-9, SR-10), the bioreactor's.
    case plasmaTemperature, bioreactorTemperature
    /// The plasma heater (SR-11 on its element).
    case plasmaHeater
    /// The air detector with the return-line clamp it drives.
    case airDetector
    /// The blood-leak detector on the plasma line (SR-7).
    case bloodLeakDetector

    /// The device families that can play this role (the one table of roles to families).
    public var deviceFamilies: [DeviceFamily] {
        switch self {
        case .bloodPump, .plasmaPump, .recirculationPump, .infusionPump: [.peristalticPump]
        case .heparinPump: [.asciiPump, .peristalticPump]
        case .arterialPressure, .preFilterPressure, .venousPressure, .filtratePressure: [.pressureSensor]
        case .plasmaTemperature, .bioreactorTemperature: [.temperatureSensor]
        case .plasmaHeater: [.heater]
        case .airDetector: [.airDetector]
        case .bloodLeakDetector: [.bloodLeakDetector]
        }
    }

    /// The device families that can play this role, by their circuit-file names.
    public var families: Set<String> { Set(deviceFamilies.map(\.rawValue)) }

    /// Pumps on the blood side: stopped in S1 only; the plasma side's also in S2.
    public var isPump: Bool { self == .bloodPump || self == .plasmaPump || self == .recirculationPump || self == .infusionPump || self == .heparinPump }

    /// What the poll plan calls this role's signal class.
    public var signalClass: SignalClass {
        switch self {
        case .bloodPump, .plasmaPump, .recirculationPump, .infusionPump, .heparinPump: .pump
        case .arterialPressure, .preFilterPressure, .venousPressure, .filtratePressure: .pressure
        case .plasmaTemperature, .bioreactorTemperature: .temperature
        case .plasmaHeater: .heater
        case .airDetector: .air
        case .bloodLeakDetector: .bloodLeak
        }
    }
}

/// Signals grouped by how fast they must be polled.
public enum SignalClass: String, Sendable, CaseIterable, Codable {
    /// Pressures, air detection, pumps, heater, temperatures, blood leak: the classes
    /// of ``CircuitConfiguration/defaultPollPeriods``.
    case pressure, air, pump, heater, temperature, bloodLeak
}
