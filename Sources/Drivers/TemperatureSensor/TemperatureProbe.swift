/// One of the two probes of a redundant temperature sensor.
public enum TemperatureProbe: Hashable, Sendable, CaseIterable {
    /// Probe A (input 0x0200).
    case a
    /// Probe B (input 0x0201).
    case b
}
