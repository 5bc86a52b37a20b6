public import FirmwareProtocols
public import HardwareInterfaces

/// Drives a peristaltic pump (firmware-protocols/peristaltic-pump.yaml): blood, plasma
/// and recirculation pumps.
///
/// Every command writes whole registers with every bit stated (the control word is never
/// read-modified-written), and every set-point is range-checked against the specification
/// before anything is sent.
public struct PeristalticPumpDriver<Device: RegisterDevice>: WatchdogDriver {
    /// The pump protocol.
    public static var family: FamilyProtocol { PeristalticPumpProtocol.description }

    /// The register device the pump answers on.
    public let device: Device

    /// A driver for the pump at `device`.
    public init(device: Device) { self.device = device }

    /// The registers of one ``PumpReading``, read together.
    static var readingRegisters: [RegisterDefinition] {
        [PeristalticPumpProtocol.status, PeristalticPumpProtocol.actualSpeed,
         PeristalticPumpProtocol.actualFlow, PeristalticPumpProtocol.deliveredVolume]
    }

    /// Reads status, measured speed, flow and delivered volume in ONE transaction.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.implausibleValue` for undefined status bits or a value
    ///   outside its specified range; the transport's kind if the transaction fails.
    ///   Fault bits are returned in the reading, not thrown (see ``PumpReading``).
    public func read() async throws(DeviceError) -> PumpReading {
        let block = try await device.readSpan(Self.readingRegisters, during: "reading pump state")
        return PumpReading(
            status: try block.status(PeristalticPumpProtocol.status, as: PeristalticPumpProtocol.Status.self),
            actualSpeed: .rpm(try block.value(PeristalticPumpProtocol.actualSpeed)),
            actualFlow: .mLPerMinute(try block.value(PeristalticPumpProtocol.actualFlow)),
            deliveredVolume: .mL(try block.value(PeristalticPumpProtocol.deliveredVolume)))
    }

    /// Runs the rotor in `direction`: writes the control word with `run` set and
    /// `reverse` stated explicitly.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` with the transport's kind (`.deviceRefused` if the pump refuses).
    public func run(direction: PumpDirection) async throws(DeviceError) {
        let word: PeristalticPumpProtocol.ControlWord = direction == .reverse ? [.run, .reverse] : [.run]
        try await device.write(PeristalticPumpProtocol.controlWord, [word.rawValue], during: "running the pump \(direction)")
    }

    /// Stops the rotor: writes the control word as zero (run and reverse both cleared).
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` with the transport's kind.
    public func stop() async throws(DeviceError) {
        let word: PeristalticPumpProtocol.ControlWord = []
        try await device.write(PeristalticPumpProtocol.controlWord, [word.rawValue], during: "stopping the pump")
    }

    /// Sets the rotor speed set-point (holding 0x0201, 0.1 rpm resolution, 0…600 rpm).
    /// The speed is rounded to the register's 0.1 rpm resolution; the speed actually
    /// commanded is returned so the caller can verify the tachometer against it.
    /// The pump itself refuses speeds above its ``readMaxSpeed()`` (`.deviceRefused`).
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.invalidRequest` with nothing sent for a speed outside
    ///   0…600 rpm or not finite; the transport's kind otherwise.
    @discardableResult
    public func setSpeed(_ speed: RotationalSpeed) async throws(DeviceError) -> RotationalSpeed {
        try await writeSpeed(speed, during: "setting the pump speed to \(quantity(speed.revolutionsPerMinute, "rpm"))")
    }

    /// Sets the speed that delivers `flow` through tubing of `calibration`
    /// (speed = flow ÷ mL per revolution), then as ``setSpeed(_:)``.
    /// Returns the speed actually commanded.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.invalidRequest` with nothing sent if the calibration is
    ///   outside the specification's 0.1…20 mL/rev, or the flow is negative, not finite,
    ///   or needs a speed outside 0…600 rpm; the transport's kind otherwise.
    @discardableResult
    public func setFlow(_ flow: FlowRate, calibration: TubingCalibration) async throws(DeviceError) -> RotationalSpeed {
        let operation = "setting the pump flow to \(quantity(flow.millilitersPerMinute, "mL/min")) with \(quantity(calibration.millilitersPerRevolution, "mL/rev"))"
        // The same bounds the pump holds for its own calibration: a calibration it could
        // not hold cannot be right for the tubing fitted to it.
        _ = try device.encode(PeristalticPumpProtocol.tubingCalibration,
                              calibration.millilitersPerRevolution * Self.microlitersPerMilliliter, during: operation)
        guard flow.millilitersPerMinute.isFinite, flow.millilitersPerMinute >= 0 else {
            throw refused(device, operation, "a flow must be finite and not negative")
        }
        return try await writeSpeed(calibration.speed(for: flow), during: operation)
    }

    private func writeSpeed(_ speed: RotationalSpeed, during operation: String) async throws(DeviceError) -> RotationalSpeed {
        let register = PeristalticPumpProtocol.speedSetpoint
        let words = try device.encode(register, speed.revolutionsPerMinute, during: operation)
        try await device.write(register, words, during: operation)
        return .rpm(Double(words[0]) * register.scale)
    }

    /// Reads the tubing calibration the pump uses for its flow (holding 0x0202, µL/rev).
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.implausibleValue` outside 100…20 000 µL/rev, or the transport's kind.
    public func readCalibration() async throws(DeviceError) -> TubingCalibration {
        let microliters = try await device.readValue(PeristalticPumpProtocol.tubingCalibration, during: "reading the tubing calibration")
        return TubingCalibration(millilitersPerRevolution: microliters / Self.microlitersPerMilliliter)
    }

    /// Writes the tubing calibration (holding 0x0202), rounded to whole µL per revolution.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.invalidRequest` with nothing sent outside 0.1…20 mL/rev;
    ///   the transport's kind otherwise.
    public func writeCalibration(_ calibration: TubingCalibration) async throws(DeviceError) {
        try await device.write(PeristalticPumpProtocol.tubingCalibration,
                               value: calibration.millilitersPerRevolution * Self.microlitersPerMilliliter,
                               during: "writing the tubing calibration \(quantity(calibration.millilitersPerRevolution, "mL/rev"))")
    }

    /// Reads the highest speed set-point the pump accepts (holding 0x0203).
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.implausibleValue` outside the specified 1…600 rpm, or the transport's kind.
    public func readMaxSpeed() async throws(DeviceError) -> RotationalSpeed {
        .rpm(try await device.readValue(PeristalticPumpProtocol.maxSpeed, during: "reading the maximum speed"))
    }

    /// Clears latched fault bits whose cause has gone (command 0x5555).
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` with the transport's kind.
    public func faultReset() async throws(DeviceError) {
        try await send(.faultReset, during: "resetting pump faults")
    }

    /// Zeroes the delivered volume (command 0xA5A5).
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` with the transport's kind.
    public func resetVolume() async throws(DeviceError) {
        try await send(.volumeReset, during: "resetting the delivered volume")
    }

    private func send(_ command: PeristalticPumpProtocol.CommandValue, during operation: String) async throws(DeviceError) {
        try await device.write(PeristalticPumpProtocol.command, [command.rawValue], during: operation)
    }

    /// The tubing calibration register is in µL per revolution; ``TubingCalibration`` in mL.
    static var microlitersPerMilliliter: Double { 1000 }
}
