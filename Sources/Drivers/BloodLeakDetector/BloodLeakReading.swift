public import FirmwareProtocols
public import HardwareInterfaces

/// One sample of the blood-leak detector, read in one transaction (input 0x0200…0x0201).
/// `leakDetected` is data: the interlock decides on its own limit (SR-7).
public struct BloodLeakReading: Hashable, Sendable {
    /// Haemoglobin-equivalent concentration in the plasma.
    public var haemoglobin: Concentration
    /// The status word, with only bits the specification defines and never `sensorFault`
    /// (a sensor fault is thrown, not returned).
    public var status: BloodLeakDetectorProtocol.Status

    /// A reading from its parts.
    public init(haemoglobin: Concentration, status: BloodLeakDetectorProtocol.Status) {
        self.haemoglobin = haemoglobin
        self.status = status
    }

    /// The concentration is above the device's own alarm threshold.
    public var isLeakDetected: Bool { status.contains(.leakDetected) }
}
