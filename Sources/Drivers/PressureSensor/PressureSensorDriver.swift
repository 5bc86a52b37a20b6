public import FirmwareProtocols
public import HardwareInterfaces

/// Drives a gauge pressure sensor (firmware-protocols/pressure-sensor.yaml) on the
/// arterial, pre-filter, venous or filtrate line.
///
/// Fault or data, for ``read()``:
/// - pressure 0x8000 with `sensorFault`: `.deviceFault` (the element failed);
/// - `sensorFault` with a number: `.deviceFault` (the device disowns the number);
/// - 0x8000 without `sensorFault`: `.implausibleValue` (unavailable with no reason);
/// - outside −700…+700 mmHg, undefined status bits, or `overRange` and `underRange`
///   together: `.implausibleValue`;
/// - otherwise the pressure with its status (`overRange`, `underRange`, `zeroed` are data).
public struct PressureSensorDriver<Device: RegisterDevice>: DeviceDriver {
    /// The pressure sensor protocol.
    public static var family: FamilyProtocol { PressureSensorProtocol.description }

    /// The register device the sensor answers on.
    public let device: Device

    /// A driver for the sensor at `device`.
    public init(device: Device) { self.device = device }

    /// Reads pressure and status in ONE transaction.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.deviceFault` or `.implausibleValue` as the type's
    ///   documentation lists; the transport's kind if the transaction fails.
    public func read() async throws(DeviceError) -> PressureReading {
        let block = try await device.readSpan([PressureSensorProtocol.pressure, PressureSensorProtocol.status],
                                              during: "reading pressure")
        let status = try block.status(PressureSensorProtocol.status, as: PressureSensorProtocol.Status.self)
        // A pressure cannot be above and below the element's range at once.
        if status.isSuperset(of: [.overRange, .underRange]) {
            throw DeviceError(kind: .implausibleValue, device: device.deviceDescription,
                              detail: "\(block.operation): status \(hex(status.rawValue)) reports overRange and underRange together")
        }
        let faults = status.intersection(.sensorFault).names
        let pressure = try block.measured(PressureSensorProtocol.pressure, faults: faults).get()
        return PressureReading(pressure: .mmHg(pressure), status: status)
    }

    /// Takes the present reading as zero (command 0x5A5A). The sensor must be open to
    /// atmosphere; the sensor refuses (`.deviceRefused`) if it is more than 50 mmHg off.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` with the transport's kind.
    public func zero() async throws(DeviceError) {
        try await device.write(PressureSensorProtocol.command, [PressureSensorProtocol.CommandValue.zeroNow.rawValue],
                               during: "zeroing the pressure sensor")
    }

    /// Reads the element's measuring range (input 0x0202…0x0203) in one transaction.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.implausibleValue` if a bound is outside its specified
    ///   range (minimum −700…0, maximum 0…700 mmHg) or the range is empty (minimum not
    ///   below maximum); the transport's kind otherwise.
    public func readRange() async throws(DeviceError) -> ClosedRange<Pressure> {
        let block = try await device.readSpan([PressureSensorProtocol.rangeMinimum, PressureSensorProtocol.rangeMaximum],
                                              during: "reading the pressure range")
        let minimum = try block.value(PressureSensorProtocol.rangeMinimum)
        let maximum = try block.value(PressureSensorProtocol.rangeMaximum)
        guard minimum < maximum else {
            throw DeviceError(kind: .implausibleValue, device: device.deviceDescription,
                              detail: "\(block.operation): range \(minimum)…\(maximum) mmHg measures nothing")
        }
        return .mmHg(minimum) ... .mmHg(maximum)
    }

    /// Reads the zero offset the firmware subtracts (holding 0x0200).
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.implausibleValue` outside ±50 mmHg, or the transport's kind.
    public func readZeroOffset() async throws(DeviceError) -> Pressure {
        .mmHg(try await device.readValue(PressureSensorProtocol.zeroOffset, during: "reading the zero offset"))
    }
}
