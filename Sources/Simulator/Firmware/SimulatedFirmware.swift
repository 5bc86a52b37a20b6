import CircuitConfiguration
import FirmwareProtocols

/// Makes simulated firmware by family name, as circuit layouts name families.
public enum SimulatedFirmware {
    /// The register-map (Modbus) families simulated here, by family name, from the registry.
    public static let families: [String] = DeviceFamily.allCases.filter { $0.busKind == .modbus }.map(\.rawValue)

    /// A device of `family` (e.g. `peristalticPump`) with default dynamics, or nil
    /// if the family is not a registered Modbus family.
    public static func makeDevice(family: String, time: any SimulationTime, identity: DeviceIdentity = DeviceIdentity(),
                                  role: String? = nil) -> (any SimulatedDevice)? {
        guard case .registers(let make)? = DeviceFamily(rawValue: family)?.simulated else { return nil }
        return make(time, identity, role, nil)
    }

    /// Checks `set ROLE PROPERTY VALUE` for a device of `family` (the line pump's
    /// `asciiPump` too) without a running simulator: an unknown property or a value it
    /// does not take throws what the simulator would answer. A throwaway device takes the
    /// value, so the check is the simulator's own.
    public static func checkProperty(family: String, name: String, value: String) throws {
        if DeviceFamily(rawValue: family) == .asciiPump {
            _ = try HostedAsciiPump.checkedCondition(name, value)
            return
        }
        guard let device = makeDevice(family: family, time: ManualSimulationTime()) else {
            throw SimulatorError("no simulated firmware for family '\(family)'")
        }
        try device.setCondition(name, to: value)
    }
}
