/// The four pressure measuring points of the circuit.
public enum PressureSensor: Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Arterial (access) line, before the blood pump: normally negative (SR-4).
    case arterial
    /// Before the plasma separator (SR-5, and TMP for SR-6).
    case preFilter
    /// Venous (return) line (SR-2, SR-3, and TMP for SR-6).
    case venous
    /// Filtrate (plasma) side of the separator (TMP for SR-6).
    case filtrate

    /// The device role of this sensor.
    public var deviceRole: DeviceRole {
        switch self {
        case .arterial: .arterialPressure
        case .preFilter: .preFilterPressure
        case .venous: .venousPressure
        case .filtrate: .filtratePressure
        }
    }

    /// A dense index (0..<4) for fixed-size per-sensor storage.
    var index: Int {
        switch self {
        case .arterial: 0
        case .preFilter: 1
        case .venous: 2
        case .filtrate: 3
        }
    }

    /// The role name of the sensor's device.
    public var description: String { deviceRole.rawValue }
}
