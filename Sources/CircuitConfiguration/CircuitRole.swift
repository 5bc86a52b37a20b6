/// The roles a device can play in an extracorporeal circuit, each with the
/// device family that can play it. A circuit file naming anything else is refused.
public enum CircuitRole: String, Sendable, CaseIterable, Codable {
    case bloodPump, plasmaPump, recirculationPump, infusionPump, heparinPump
    case arterialPressure, preFilterPressure, venousPressure, filtratePressure
    case plasmaTemperature, bioreactorTemperature
    case plasmaHeater
    /// The air detector with the return-line clamp it drives.
    case airDetector
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
    case pressure, air, pump, heater, temperature, bloodLeak
}
