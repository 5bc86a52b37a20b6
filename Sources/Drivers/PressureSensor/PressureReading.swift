public import FirmwareProtocols
public import HardwareInterfaces

/// One sample of a pressure sensor, read in one transaction (input 0x0200…0x0201).
///
/// `overRange`, `underRange` and `zeroed` are data: the pressure is returned with
/// them (at or beyond the element's range the number is the best the sensor has, and
/// the interlock decides what it means). Only an unavailable pressure is an error.
public struct PressureReading: Hashable, Sendable {
    /// Gauge pressure, zero offset applied by the firmware.
    public var pressure: Pressure
    /// The status word, with only bits the specification defines and never `sensorFault`
    /// (a sensor fault is thrown, not returned).
    public var status: PressureSensorProtocol.Status

    /// A reading from its parts.
    public init(pressure: Pressure, status: PressureSensorProtocol.Status) {
        self.pressure = pressure
        self.status = status
    }

    /// The pressure is inside the element's measuring range (neither over- nor under-range).
    public var isWithinSensorRange: Bool { status.isDisjoint(with: [.overRange, .underRange]) }

    /// A zero calibration has been stored.
    public var isZeroed: Bool { status.contains(.zeroed) }
}
