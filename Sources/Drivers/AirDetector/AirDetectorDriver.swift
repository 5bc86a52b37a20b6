public import FirmwareProtocols
public import HardwareInterfaces

/// Drives the air detector and return-line clamp module (firmware-protocols/air-detector.yaml).
/// The clamp is fail-safe: it is closed unless the host holds `clampOpen` and feeds the watchdog.
///
/// Fault or data, for ``read()``: undefined status bits, or a last bubble volume outside
/// 0…60 000 µL, are `.implausibleValue`; every defined status bit is data (see
/// ``AirDetectorReading``). The module has no sentinel.
public struct AirDetectorDriver<Device: RegisterDevice>: WatchdogDriver {
    /// The air detector protocol.
    public static var family: FamilyProtocol { AirDetectorProtocol.description }

    /// The register device the module answers on.
    public let device: Device

    /// A driver for the module at `device`.
    public init(device: Device) { self.device = device }

    /// Reads status, air event count and last bubble volume in ONE transaction.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.implausibleValue` for undefined status bits or an
    ///   implausible bubble volume; the transport's kind if the transaction fails.
    public func read() async throws(DeviceError) -> AirDetectorReading {
        let registers = [AirDetectorProtocol.status, AirDetectorProtocol.airEventCount, AirDetectorProtocol.lastBubbleVolume]
        let block = try await device.readSpan(registers, during: "reading the air detector")
        return AirDetectorReading(
            status: try block.status(AirDetectorProtocol.status, as: AirDetectorProtocol.Status.self),
            airEventCount: try block.word(AirDetectorProtocol.airEventCount),
            lastBubbleVolume: .mL(try block.value(AirDetectorProtocol.lastBubbleVolume) / Self.microlitersPerMilliliter))
    }

    /// Asks the clamp to open: writes the control word as `clampOpen`. Confirm with
    /// ``AirDetectorReading/clampPosition``; the clamp stays open only while the watchdog is fed.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` with the transport's kind.
    public func openClamp() async throws(DeviceError) {
        let word: AirDetectorProtocol.ControlWord = [.clampOpen]
        try await device.write(AirDetectorProtocol.controlWord, [word.rawValue], during: "opening the clamp")
    }

    /// Closes the clamp: writes the control word as zero.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` with the transport's kind.
    public func closeClamp() async throws(DeviceError) {
        let word: AirDetectorProtocol.ControlWord = []
        try await device.write(AirDetectorProtocol.controlWord, [word.rawValue], during: "closing the clamp")
    }

    /// Sets the smallest bubble volume that counts as air (holding 0x0201, whole µL,
    /// 1…5000 µL; rounded to the nearest µL).
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.invalidRequest` with nothing sent outside 1…5000 µL;
    ///   the transport's kind otherwise.
    public func setSensitivity(_ smallestBubble: Volume) async throws(DeviceError) {
        try await device.write(AirDetectorProtocol.sensitivity,
                               value: smallestBubble.milliliters * Self.microlitersPerMilliliter,
                               during: "setting the air sensitivity to \(quantity(smallestBubble.milliliters, "mL"))")
    }

    /// Reads the smallest bubble volume that counts as air.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.implausibleValue` outside 1…5000 µL, or the transport's kind.
    public func readSensitivity() async throws(DeviceError) -> Volume {
        let microliters = try await device.readValue(AirDetectorProtocol.sensitivity, during: "reading the air sensitivity")
        return .mL(microliters / Self.microlitersPerMilliliter)
    }

    /// Clears the air alarm latch (if no air is present) and the watchdog latch (command 0x5555).
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` with the transport's kind.
    public func faultReset() async throws(DeviceError) {
        try await device.write(AirDetectorProtocol.command, [AirDetectorProtocol.CommandValue.faultReset.rawValue],
                               during: "resetting air detector faults")
    }

    /// Bubble volumes are in µL on the wire; ``Volume`` is in mL.
    static var microlitersPerMilliliter: Double { 1000 }
}
