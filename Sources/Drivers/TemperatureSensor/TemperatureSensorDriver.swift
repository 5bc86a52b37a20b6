public import FirmwareProtocols
public import HardwareInterfaces

/// Drives a redundant PT100 probe pair (firmware-protocols/temperature-sensor.yaml) on
/// the plasma line.
///
/// Fault or data, for ``read()``, per probe (the other probe is unaffected):
/// - 0x7FFF with its open or short bit: `.deviceFault` naming the bit;
/// - its open or short bit with a number: `.deviceFault` (the device disowns the number);
/// - 0x7FFF with neither bit: `.implausibleValue` (unavailable with no reason);
/// - its open and short bits together: `.implausibleValue` (a probe cannot be both);
/// - outside 0…60 °C: `.implausibleValue`;
/// - otherwise the temperature.
/// Undefined status bits make the whole read fail with `.implausibleValue`: without a
/// trustworthy status word neither probe's fault can be told.
public struct TemperatureSensorDriver<Device: RegisterDevice>: DeviceDriver {
    /// The temperature sensor protocol.
    public static var family: FamilyProtocol { TemperatureSensorProtocol.description }

    /// The register device the sensor answers on.
    public let device: Device

    /// A driver for the sensor at `device`.
    public init(device: Device) { self.device = device }

    /// Reads both probes and the status in ONE transaction.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.implausibleValue` for undefined status bits; the
    ///   transport's kind if the transaction fails. A faulty probe is a per-probe failure
    ///   in the reading, not a thrown error.
    public func read() async throws(DeviceError) -> TemperatureReading {
        let registers = [TemperatureSensorProtocol.probeA, TemperatureSensorProtocol.probeB, TemperatureSensorProtocol.status]
        let block = try await device.readSpan(registers, during: "reading temperatures")
        let status = try block.status(TemperatureSensorProtocol.status, as: TemperatureSensorProtocol.Status.self)

        func probe(_ register: RegisterDefinition, open: TemperatureSensorProtocol.Status,
                   short: TemperatureSensorProtocol.Status) throws(DeviceError) -> Result<Temperature, DeviceError> {
            let faults = status.intersection([open, short])
            if faults == [open, short] {
                return .failure(DeviceError(kind: .implausibleValue, device: block.device,
                                            detail: "\(block.operation): \(register.name): status \(hex(status.rawValue)) reports open and short circuit together"))
            }
            return try block.measured(register, faults: faults.names).map { .celsius($0) }
        }

        return TemperatureReading(
            probeA: try probe(TemperatureSensorProtocol.probeA, open: .probeAOpen, short: .probeAShort),
            probeB: try probe(TemperatureSensorProtocol.probeB, open: .probeBOpen, short: .probeBShort),
            status: status)
    }
}
