public import FirmwareProtocols
public import HardwareInterfaces

/// One sample of the heater controller, read in one transaction (input 0x0200…0x0203):
/// status, output power, element temperature and outlet temperature.
///
/// The status bits (`cutoutTripped`, `elementSensorFault`, `watchdogExpired`) are data:
/// they tell the interlock why the output is off. Each temperature is its own result,
/// so a failed element sensor does not hide the outlet temperature, the output power
/// or the status the interlock uses to confirm the heater is off.
public struct HeaterReading: Sendable {
    /// The status word, with only bits the specification defines.
    public var status: HeaterProtocol.Status
    /// Output power.
    public var outputPower: Percentage
    /// Heater element temperature (the cut-out's own sensor), or why it has none.
    public var elementTemperature: Result<Temperature, DeviceError>
    /// Plasma temperature at the heater outlet (the controller's process value), or why it has none.
    public var outletTemperature: Result<Temperature, DeviceError>

    /// A reading from its parts.
    public init(status: HeaterProtocol.Status, outputPower: Percentage,
                elementTemperature: Result<Temperature, DeviceError>,
                outletTemperature: Result<Temperature, DeviceError>) {
        self.status = status
        self.outputPower = outputPower
        self.elementTemperature = elementTemperature
        self.outletTemperature = outletTemperature
    }

    /// The status bits that report a fault.
    public static let faultBits: HeaterProtocol.Status = [.cutoutTripped, .elementSensorFault, .watchdogExpired]

    /// The output is on (status `heating`).
    public var isHeating: Bool { status.contains(.heating) }

    /// The heater is confirmed off: not enabled, output not on, and zero output power.
    /// What a safe-state command is verified against.
    public var isOff: Bool {
        status.isDisjoint(with: [.enabled, .heating]) && outputPower.percent == 0
    }

    /// The fault bits set now.
    public var faults: HeaterProtocol.Status { status.intersection(Self.faultBits) }

    /// The specification's names of the fault bits set now.
    public var faultNames: [String] { faults.names }
}
