public import FirmwareProtocols
public import HardwareInterfaces

/// Drives a peristaltic pump that speaks the line (ASCII) protocol of
/// firmware-protocols/line-ascii-pump.yaml over RS-232: one request line, one reply line
/// per command, each carrying the pump's address and a checksum.
///
/// Every value sent is range-checked against the specification first (out of range:
/// `.invalidRequest`, and nothing is sent); every reply is checked for its terminator,
/// checksum, address and echoed command (`.corruptFrame`), and every value read is
/// range-checked (`.implausibleValue`). Refusals become errors of the kind the
/// specification gives their reply code (`.deviceRefused` with the reason named;
/// door open and latched faults as `.deviceFault`; a request the pump received damaged
/// as `.corruptFrame`). Transport failures keep their kind (`.timeout`, `.disconnected`…).
public struct AsciiPumpDriver<Device: LineDevice>: Sendable {
    typealias Spec = AsciiPumpLineProtocol

    /// The line the pump answers on.
    public let device: Device
    /// The pump's address (1…8).
    public let address: Int
    /// How long to wait for a whole reply, from starting to send the request.
    public let replyTimeout: Duration

    /// A driver for the pump at `address` on `device`.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.invalidRequest` for an address outside the
    ///   specification's 1…8 or a timeout that is not positive.
    public init(device: Device, address: Int, replyTimeout: Duration = AsciiPumpLineProtocol.replyTimeout) throws(DeviceError) {
        guard Spec.addresses.contains(address) else {
            throw DeviceError(kind: .invalidRequest, device: device.deviceDescription,
                              detail: "address \(address) is outside \(Spec.addresses.lowerBound)…\(Spec.addresses.upperBound)")
        }
        guard replyTimeout > .zero else {
            throw DeviceError(kind: .invalidRequest, device: device.deviceDescription, detail: "the reply timeout must be positive")
        }
        self.device = device
        self.address = address
        self.replyTimeout = replyTimeout
    }

    /// Names the pump in messages: "pump 1 on line /dev/ttyUSB0".
    public var deviceDescription: String { "pump \(address) on \(device.deviceDescription)" }

    // MARK: Rotor

    /// Sets the speed set-point (`SP`), rounded to the 0.1 rpm resolution; returns the
    /// speed actually commanded, so the tachometer can be verified against it.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.invalidRequest` with nothing sent for a speed outside
    ///   0…400 rpm or not finite; otherwise as every command.
    @discardableResult
    public func setSpeed(_ speed: RotationalSpeed) async throws(DeviceError) -> RotationalSpeed {
        let operation = "setting the speed to \(Self.show(speed.revolutionsPerMinute, speed.description, "rpm"))"
        let raw = try encode(Spec.speedSetpoint, speed.revolutionsPerMinute, "rpm", during: operation)
        try await perform(.setSpeed, argument: String(raw), during: operation)
        return .rpm(Spec.speedSetpoint.value(raw: raw))
    }

    /// Sets the speed that delivers `flow` through tubing of `calibration`
    /// (speed = flow ÷ mL per revolution), as ``setSpeed(_:)``; returns the speed commanded.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.invalidRequest` with nothing sent for a calibration
    ///   outside the specification's 100…20 000 µL/rev, a flow that is negative or not
    ///   finite, or one that needs a speed outside 0…400 rpm.
    @discardableResult
    public func setFlow(_ flow: FlowRate, calibration: TubingCalibration) async throws(DeviceError) -> RotationalSpeed {
        let operation = "setting the flow to \(Self.show(flow.millilitersPerMinute, flow.description, "mL/min")) with \(Self.show(calibration.millilitersPerRevolution, calibration.description, "mL/rev"))"
        // A calibration the pump could not hold cannot be right for the tubing fitted to it.
        _ = try encode(Spec.tubingCalibration, calibration.millilitersPerRevolution * Self.microlitersPerMilliliter, "µL/rev", during: operation)
        guard flow.millilitersPerMinute.isFinite, flow.millilitersPerMinute >= 0 else {
            throw invalid(operation, "a flow must be finite and not negative")
        }
        let speed = calibration.speed(for: flow)
        let raw = try encode(Spec.speedSetpoint, speed.revolutionsPerMinute, "rpm", during: operation)
        try await perform(.setSpeed, argument: String(raw), during: operation)
        return .rpm(Spec.speedSetpoint.value(raw: raw))
    }

    /// Starts the rotor in the set direction at the set speed (`GO`); also feeds the watchdog.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.deviceFault` when the door is open or a fault is latched
    ///   (the reason named); otherwise as every command.
    public func start() async throws(DeviceError) {
        try await perform(.start, during: "starting the pump")
    }

    /// Stops the rotor at once (`ST`): the safety command, accepted in every state.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` as every command.
    public func stop() async throws(DeviceError) {
        try await perform(.stop, during: "stopping the pump")
    }

    /// Sets the direction of rotation (`SD`); only while stopped.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.deviceRefused` (notWhileRunning) while the rotor runs.
    public func setDirection(_ direction: AsciiPumpLineProtocol.Direction) async throws(DeviceError) {
        try await perform(.setDirection, argument: direction.rawValue, during: "setting the direction to \(direction)")
    }

    /// Reads the pump's state in one line (`RS`).
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.implausibleValue` for a field outside the specification
    ///   (a speed above 440 rpm, an undefined fault bit…); otherwise as every command.
    ///   Fault flags and an open door are returned, not thrown.
    public func readStatus() async throws(DeviceError) -> AsciiPumpStatus {
        let operation = "reading the status"
        let f = try await value(.readStatus, during: operation)
        return try parsing(operation) { () throws(AsciiPumpFraming.Problem) in
            AsciiPumpStatus(
                isRunning: try AsciiPumpFieldParsing.flag("running", f[0]),
                direction: try AsciiPumpFieldParsing.direction(f[1]),
                speedSetpoint: .rpm(try AsciiPumpFieldParsing.decimal(Spec.speedSetpoint, f[2])),
                actualSpeed: .rpm(try AsciiPumpFieldParsing.decimal(Spec.actualSpeed, f[3])),
                isDoorOpen: try AsciiPumpFieldParsing.flag("doorOpen", f[4]),
                faults: try AsciiPumpFieldParsing.faults(f[5]))
        }
    }

    // MARK: Calibration and volume

    /// Sets the tubing calibration (`SC`), rounded to whole µL per revolution; only while
    /// stopped. Returns the calibration actually set.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.invalidRequest` with nothing sent outside 0.1…20 mL/rev;
    ///   `.deviceRefused` (notWhileRunning) while the rotor runs.
    @discardableResult
    public func setCalibration(_ calibration: TubingCalibration) async throws(DeviceError) -> TubingCalibration {
        let operation = "setting the tubing calibration to \(Self.show(calibration.millilitersPerRevolution, calibration.description, "mL/rev"))"
        let raw = try encode(Spec.tubingCalibration, calibration.millilitersPerRevolution * Self.microlitersPerMilliliter, "µL/rev", during: operation)
        try await perform(.setCalibration, argument: String(raw), during: operation)
        return TubingCalibration(millilitersPerRevolution: Spec.tubingCalibration.value(raw: raw) / Self.microlitersPerMilliliter)
    }

    /// Reads the tubing calibration (`RC`).
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.implausibleValue` outside 100…20 000 µL/rev.
    public func readCalibration() async throws(DeviceError) -> TubingCalibration {
        let operation = "reading the tubing calibration"
        let f = try await value(.readCalibration, during: operation)
        let microliters = try parsing(operation) { () throws(AsciiPumpFraming.Problem) in try AsciiPumpFieldParsing.decimal(Spec.tubingCalibration, f[0]) }
        return TubingCalibration(millilitersPerRevolution: microliters / Self.microlitersPerMilliliter)
    }

    /// Reads the volume delivered since the last volume reset (`RV`).
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.implausibleValue` outside 0…9 999 999.9 mL.
    public func readDeliveredVolume() async throws(DeviceError) -> Volume {
        let operation = "reading the delivered volume"
        let f = try await value(.readVolume, during: operation)
        return .mL(try parsing(operation) { () throws(AsciiPumpFraming.Problem) in try AsciiPumpFieldParsing.decimal(Spec.deliveredVolume, f[0]) })
    }

    /// Sets the delivered volume to zero (`ZV`).
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` as every command.
    public func resetDeliveredVolume() async throws(DeviceError) {
        try await perform(.resetVolume, during: "resetting the delivered volume")
    }

    // MARK: Watchdog and faults

    /// Feeds the pump's watchdog (`HB`). While the rotor runs, send it at least once per
    /// watchdog timeout, or the pump stops by itself and latches `watchdogExpired`.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` as every command.
    public func heartbeat() async throws(DeviceError) {
        try await perform(.heartbeat, during: "feeding the watchdog")
    }

    /// Sets the watchdog timeout (`SW`), rounded to whole milliseconds; returns the timeout set.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.invalidRequest` with nothing sent outside 100…10 000 ms.
    @discardableResult
    public func setWatchdogTimeout(_ timeout: Duration) async throws(DeviceError) -> Duration {
        let operation = "setting the watchdog timeout to \(timeout)"
        let (seconds, attoseconds) = timeout.components
        let milliseconds = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        let raw = try encode(Spec.watchdogTimeout, milliseconds, "ms", during: operation)
        try await perform(.setWatchdogTimeout, argument: String(raw), during: operation)
        return .milliseconds(raw)
    }

    /// Reads the watchdog timeout (`RW`).
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.implausibleValue` outside 100…10 000 ms.
    public func readWatchdogTimeout() async throws(DeviceError) -> Duration {
        let operation = "reading the watchdog timeout"
        let f = try await value(.readWatchdogTimeout, during: operation)
        return .milliseconds(Int(try parsing(operation) { () throws(AsciiPumpFraming.Problem) in try AsciiPumpFieldParsing.decimal(Spec.watchdogTimeout, f[0]) }))
    }

    /// Clears the latched fault flags (`FR`); the rotor stays stopped until the next start.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` as every command.
    public func resetFaults() async throws(DeviceError) {
        try await perform(.resetFaults, during: "resetting faults")
    }

    // MARK: Identity

    /// Reads who the pump says it is (`ID`).
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.implausibleValue` for a malformed field.
    public func readIdentity() async throws(DeviceError) -> AsciiPumpIdentity {
        let operation = "reading the identity"
        let f = try await value(.readIdentity, during: operation)
        let fields = Spec.Command.readIdentity.valueFields
        return try parsing(operation) { () throws(AsciiPumpFraming.Problem) in
            AsciiPumpIdentity(
                model: try AsciiPumpFieldParsing.text(fields[0], f[0]),
                firmwareVersion: try AsciiPumpFieldParsing.version("firmwareVersion", f[1]),
                serialNumber: try AsciiPumpFieldParsing.text(fields[2], f[2]),
                protocolVersion: try AsciiPumpFieldParsing.version("protocolVersion", f[3]))
        }
    }

    /// Reads the identity and checks it: the protocol's major version must be this
    /// driver's, and, when given, the serial number must be the expected one (a replaced
    /// or swapped pump is caught before it is used).
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.identityMismatch`; otherwise as ``readIdentity()``.
    @discardableResult
    public func identify(serialNumber: String? = nil) async throws(DeviceError) -> AsciiPumpIdentity {
        let identity = try await readIdentity()
        guard identity.protocolVersion.major == Spec.specificationVersion.major else {
            throw DeviceError(kind: .identityMismatch, device: deviceDescription,
                              detail: "identifying the pump: it speaks line protocol \(identity.protocolVersion), this driver \(Spec.specificationVersion)")
        }
        if let serialNumber, identity.serialNumber != serialNumber {
            throw DeviceError(kind: .identityMismatch, device: deviceDescription,
                              detail: "identifying the pump: serial number \(identity.serialNumber), expected \(serialNumber)")
        }
        return identity
    }

    // MARK: Exchanges

    /// The tubing calibration field is in µL per revolution; ``TubingCalibration`` in mL.
    static var microlitersPerMilliliter: Double { 1000 }

    /// A unit's own description, except for values it cannot format (HardwareInterfaces
    /// traps on values that are not finite or do not fit 64 bits): those are refused, not crashed on.
    private static func show(_ value: Double, _ description: @autoclosure () -> String, _ unit: String) -> String {
        value.isFinite && abs(value) < 1e12 ? description() : "\(value) \(unit)"
    }

    private func invalid(_ operation: String, _ reason: String) -> DeviceError {
        DeviceError(kind: .invalidRequest, device: deviceDescription, detail: "\(operation): \(reason); nothing was sent")
    }

    /// The raw argument for `value`, or `.invalidRequest` when the field cannot carry it.
    private func encode(_ field: Spec.DecimalField, _ value: Double, _ unit: String, during operation: String) throws(DeviceError) -> Int {
        guard let raw = field.raw(for: value) else {
            let low = field.range.lowerBound, high = field.range.upperBound
            throw invalid(operation, "\(field.name) \(value) \(unit) is outside \(low)…\(high) \(unit) or not finite")
        }
        return raw
    }

    /// Runs a parse step, naming the device and operation in its error.
    private func parsing<T>(_ operation: String, _ body: () throws(AsciiPumpFraming.Problem) -> T) throws(DeviceError) -> T {
        do {
            return try body()
        } catch {
            throw DeviceError(kind: error.kind, device: deviceDescription, detail: "\(operation): \(error.detail)")
        }
    }

    /// A command answered done.
    private func perform(_ command: Spec.Command, argument: String = "", during operation: String) async throws(DeviceError) {
        _ = try await transact(command, argument: argument, during: operation)
    }

    /// A command answered with a value: its fields, as many as the specification lists.
    private func value(_ command: Spec.Command, during operation: String) async throws(DeviceError) -> [Substring] {
        guard case .value(let fields) = try await transact(command, argument: "", during: operation) else {
            throw DeviceError(kind: .corruptFrame, device: deviceDescription, detail: "\(operation): no value in the reply")
        }
        return fields
    }

    /// One exchange: frame, send, check the reply, turn a refusal into its error.
    private func transact(_ command: Spec.Command, argument: String, during operation: String) async throws(DeviceError) -> AsciiPumpFraming.Reply {
        let request = AsciiPumpFraming.request(address: address, command: command, argument: argument)
        let reply: [UInt8]
        do {
            reply = try await device.exchange(request, terminator: Spec.terminator, maxReplyLength: Spec.maximumLineLength, timeout: replyTimeout)
        } catch {
            throw DeviceError(wrapping: error, device: deviceDescription, during: operation)
        }
        let parsed = try parsing(operation) { () throws(AsciiPumpFraming.Problem) in
            try AsciiPumpFraming.parse(reply, address: address, command: command)
        }
        if case .refused(let code) = parsed {
            let digits = String(decoding: code.digits, as: UTF8.self)
            throw DeviceError(kind: code.kind, device: deviceDescription, detail: "\(operation): refused: \(code) (\(digits)): \(code.meaning)")
        }
        return parsed
    }
}
