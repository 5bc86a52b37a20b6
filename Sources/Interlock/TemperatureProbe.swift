/// The two redundant plasma temperature probes (SR-8, SR-9, SR-10).
public enum TemperatureProbe: Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Probe A.
    case a
    /// Probe B.
    case b

    /// The device role of this probe.
    public var deviceRole: DeviceRole {
        switch self {
        case .a: .plasmaTemperatureA
        case .b: .plasmaTemperatureB
        }
    }

    /// The role name of the probe's device.
    public var description: String { deviceRole.rawValue }
}
