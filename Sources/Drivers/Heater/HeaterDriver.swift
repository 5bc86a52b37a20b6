public import FirmwareProtocols
public import HardwareInterfaces

/// Drives the plasma heater controller (firmware-protocols/heater.yaml), which carries
/// its own over-temperature cut-out on the element sensor.
///
/// Fault or data, for ``read()``:
/// - undefined status bits, or output power outside 0…100 %: the whole read fails with
///   `.implausibleValue` (the feedback that confirms "heater off" cannot be trusted);
/// - element temperature: 0x7FFF with `elementSensorFault` is `.deviceFault`;
///   `elementSensorFault` with a number is `.deviceFault`; 0x7FFF without it, or outside
///   0…80 °C, is `.implausibleValue`, for that channel only;
/// - outlet temperature: the specification has no fault bit for this sensor, so 0x7FFF
///   or a value outside 0…60 °C is `.implausibleValue`, for that channel only;
/// - `cutoutTripped`, `watchdogExpired`, `enabled`, `heating` are data.
///
/// Commands write whole registers with every bit stated; set-points are range-checked
/// before anything is sent.
public struct HeaterDriver<Device: RegisterDevice>: WatchdogDriver {
    /// The heater protocol.
    public static var family: FamilyProtocol { HeaterProtocol.description }

    /// The register device the heater answers on.
    public let device: Device

    /// A driver for the heater at `device`.
    public init(device: Device) { self.device = device }

    /// Reads status, output power and both temperatures in ONE transaction.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.implausibleValue` for undefined status bits or an
    ///   implausible output power; the transport's kind if the transaction fails.
    public func read() async throws(DeviceError) -> HeaterReading {
        let registers = [HeaterProtocol.status, HeaterProtocol.outputPower,
                         HeaterProtocol.elementTemperature, HeaterProtocol.outletTemperature]
        let block = try await device.readSpan(registers, during: "reading heater state")
        let status = try block.status(HeaterProtocol.status, as: HeaterProtocol.Status.self)
        let power = try block.value(HeaterProtocol.outputPower)
        let element = try block.measured(HeaterProtocol.elementTemperature,
                                         faults: status.intersection(.elementSensorFault).names)
        // No status bit explains an unavailable outlet temperature.
        let outlet = try block.measured(HeaterProtocol.outletTemperature, faults: [])
        return HeaterReading(status: status, outputPower: Percentage(percent: power),
                             elementTemperature: element.map { .celsius($0) },
                             outletTemperature: outlet.map { .celsius($0) })
    }

    /// Lets the controller heat toward its set-point: writes the control word as `enable`.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` with the transport's kind.
    public func enable() async throws(DeviceError) {
        let word: HeaterProtocol.ControlWord = [.enable]
        try await device.write(HeaterProtocol.controlWord, [word.rawValue], during: "enabling the heater")
    }

    /// Switches the output off: writes the control word as zero.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` with the transport's kind.
    public func disable() async throws(DeviceError) {
        let word: HeaterProtocol.ControlWord = []
        try await device.write(HeaterProtocol.controlWord, [word.rawValue], during: "disabling the heater")
    }

    /// Sets the plasma temperature set-point (holding 0x0201, 0.01 °C resolution, 30…40 °C).
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.invalidRequest` with nothing sent outside 30…40 °C;
    ///   the transport's kind otherwise.
    public func setSetpoint(_ temperature: Temperature) async throws(DeviceError) {
        try await device.write(HeaterProtocol.setpoint, value: temperature.degreesCelsius,
                               during: "setting the heater set-point to \(quantity(temperature.degreesCelsius, "°C"))")
    }

    /// Sets the element temperature at which the built-in cut-out trips
    /// (holding 0x0202, 0.01 °C resolution, 40…48 °C).
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.invalidRequest` with nothing sent outside 40…48 °C;
    ///   the transport's kind otherwise.
    public func setCutout(_ temperature: Temperature) async throws(DeviceError) {
        try await device.write(HeaterProtocol.cutoutTemperature, value: temperature.degreesCelsius,
                               during: "setting the heater cut-out to \(quantity(temperature.degreesCelsius, "°C"))")
    }

    /// Reads the plasma temperature set-point the heater holds.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.implausibleValue` outside 30…40 °C, or the transport's kind.
    public func readSetpoint() async throws(DeviceError) -> Temperature {
        .celsius(try await device.readValue(HeaterProtocol.setpoint, during: "reading the heater set-point"))
    }

    /// Reads the cut-out temperature the heater holds, so a self-test can confirm it.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.implausibleValue` outside 40…48 °C, or the transport's kind.
    public func readCutout() async throws(DeviceError) -> Temperature {
        .celsius(try await device.readValue(HeaterProtocol.cutoutTemperature, during: "reading the heater cut-out"))
    }

    /// Clears the cut-out and watchdog latches if their causes have gone (command 0x5555).
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` with the transport's kind.
    public func faultReset() async throws(DeviceError) {
        try await device.write(HeaterProtocol.command, [HeaterProtocol.CommandValue.faultReset.rawValue],
                               during: "resetting heater faults")
    }
}
