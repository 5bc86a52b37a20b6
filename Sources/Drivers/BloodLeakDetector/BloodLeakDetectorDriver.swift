public import FirmwareProtocols
public import HardwareInterfaces

/// Drives the optical blood-leak detector on the plasma line
/// (firmware-protocols/blood-leak-detector.yaml).
///
/// Fault or data, for ``read()``:
/// - 0xFFFF with `sensorFault`: `.deviceFault` (the optical path failed);
/// - `sensorFault` with a number: `.deviceFault` (the device disowns the number);
/// - 0xFFFF without `sensorFault`: `.implausibleValue` (unavailable with no reason);
/// - above 5000 ppm, or undefined status bits: `.implausibleValue`;
/// - otherwise the concentration with its status (`leakDetected` is data).
public struct BloodLeakDetectorDriver<Device: RegisterDevice>: DeviceDriver {
    /// The blood-leak detector protocol.
    public static var family: FamilyProtocol { BloodLeakDetectorProtocol.description }

    /// The step the alarm threshold is set in (the specification's "10 ppm steps",
    /// as dialysis machines set it).
    public static var alarmThresholdStep: Concentration { .ppm(10) }

    /// The register device the detector answers on.
    public let device: Device

    /// A driver for the detector at `device`.
    public init(device: Device) { self.device = device }

    /// Reads concentration and status in ONE transaction.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.deviceFault` or `.implausibleValue` as the type's
    ///   documentation lists; the transport's kind if the transaction fails.
    public func read() async throws(DeviceError) -> BloodLeakReading {
        let block = try await device.readSpan([BloodLeakDetectorProtocol.haemoglobin, BloodLeakDetectorProtocol.status],
                                              during: "reading the blood-leak detector")
        let status = try block.status(BloodLeakDetectorProtocol.status, as: BloodLeakDetectorProtocol.Status.self)
        let faults = status.intersection(.sensorFault).names
        let haemoglobin = try block.measured(BloodLeakDetectorProtocol.haemoglobin, faults: faults).get()
        return BloodLeakReading(haemoglobin: .ppm(haemoglobin), status: status)
    }

    /// Sets the device's own threshold for `leakDetected` (holding 0x0200): 50…500 ppm
    /// in 10 ppm steps, exactly (a threshold is not rounded on the caller's behalf).
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.invalidRequest` with nothing sent outside 50…500 ppm
    ///   or off the 10 ppm step; the transport's kind otherwise.
    public func setAlarmThreshold(_ threshold: Concentration) async throws(DeviceError) {
        let operation = "setting the blood-leak alarm threshold to \(quantity(threshold.partsPerMillion, "ppm"))"
        let step = Self.alarmThresholdStep.partsPerMillion
        guard threshold.partsPerMillion.isFinite,
              threshold.partsPerMillion.truncatingRemainder(dividingBy: step) == 0 else {
            throw refused(device, operation, "not a multiple of \(quantity(step, "ppm"))")
        }
        try await device.write(BloodLeakDetectorProtocol.alarmThreshold, value: threshold.partsPerMillion, during: operation)
    }

    /// Reads the device's own alarm threshold.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.implausibleValue` outside 50…500 ppm or off the 10 ppm
    ///   step; the transport's kind otherwise.
    public func readAlarmThreshold() async throws(DeviceError) -> Concentration {
        let operation = "reading the blood-leak alarm threshold"
        let block = try await device.readSpan([BloodLeakDetectorProtocol.alarmThreshold], during: operation)
        let ppm = try block.value(BloodLeakDetectorProtocol.alarmThreshold)
        guard ppm.truncatingRemainder(dividingBy: Self.alarmThresholdStep.partsPerMillion) == 0 else {
            throw DeviceError(kind: .implausibleValue, device: device.deviceDescription,
                              detail: "\(operation): \(quantity(ppm, "ppm")) is not a multiple of \(quantity(Self.alarmThresholdStep.partsPerMillion, "ppm"))")
        }
        return .ppm(ppm)
    }
}
