public import HardwareInterfaces

/// One sample of the plasma heater (SR-11).
public struct HeaterSample: Hashable, Sendable {
    /// The element temperature, from the heater's own sensor.
    public var elementTemperature: Temperature
    /// The heater's own over-temperature cut-out has tripped.
    public var cutOutTripped: Bool

    /// A sample from its parts.
    public init(elementTemperature: Temperature, cutOutTripped: Bool = false) {
        self.elementTemperature = elementTemperature
        self.cutOutTripped = cutOutTripped
    }
}
