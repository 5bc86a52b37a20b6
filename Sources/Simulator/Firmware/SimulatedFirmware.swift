import FirmwareProtocols

/// Makes simulated firmware by family name, as circuit layouts name families.
public enum SimulatedFirmware {
    /// The firmware-protocols families simulated here, by family name.
    public static let families: [String] = [
        PeristalticPumpProtocol.family, PressureSensorProtocol.family, TemperatureSensorProtocol.family,
        HeaterProtocol.family, AirDetectorProtocol.family, BloodLeakDetectorProtocol.family,
    ]

    /// A device of `family` (e.g. `peristalticPump`) with default dynamics, or nil
    /// if the family is not a firmware-protocols Modbus family.
    public static func makeDevice(family: String, time: any SimulationTime, identity: DeviceIdentity = DeviceIdentity(),
                                  role: String? = nil) -> (any SimulatedDevice)? {
        switch family {
        case PeristalticPumpProtocol.family: SimulatedPump(time: time, identity: identity, role: role)
        case PressureSensorProtocol.family: SimulatedPressureSensor(time: time, identity: identity, role: role)
        case TemperatureSensorProtocol.family: SimulatedTemperatureSensor(time: time, identity: identity, role: role)
        case HeaterProtocol.family: SimulatedHeater(time: time, identity: identity, role: role)
        case AirDetectorProtocol.family: SimulatedAirDetector(time: time, identity: identity, role: role)
        case BloodLeakDetectorProtocol.family: SimulatedBloodLeakDetector(time: time, identity: identity, role: role)
        default: nil
        }
    }

    /// Checks `set ROLE PROPERTY VALUE` for a device of `family` (the line pump's
    /// `asciiPump` too) without a running simulator: an unknown property or a value it
    /// does not take throws what the simulator would answer. A throwaway device takes the
    /// value, so the check is the simulator's own.
    public static func checkProperty(family: String, name: String, value: String) throws {
        if family == "asciiPump" {
            _ = try HostedAsciiPump.checkedCondition(name, value)
            return
        }
        guard let device = makeDevice(family: family, time: ManualSimulationTime()) else {
            throw SimulatorError("no simulated firmware for family '\(family)'")
        }
        try device.setCondition(name, to: value)
    }
}
