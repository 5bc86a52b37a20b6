public import FirmwareProtocols
public import HardwareInterfaces

/// One sample of the air detector and clamp module, read in one transaction
/// (input 0x0200…0x0202): status, air event count, last bubble volume.
///
/// Every status bit is data: air present or latched (SR-1), clamp position and its
/// fault, sensor fault and watchdog expiry all go to the interlock with the clamp
/// position, which a thrown error would hide.
public struct AirDetectorReading: Hashable, Sendable {
    /// The status word, with only bits the specification defines.
    public var status: AirDetectorProtocol.Status
    /// Air detections since power-up (wraps at 65535).
    public var airEventCount: UInt16
    /// Volume of the last bubble detected.
    public var lastBubbleVolume: Volume

    /// A reading from its parts.
    public init(status: AirDetectorProtocol.Status, airEventCount: UInt16, lastBubbleVolume: Volume) {
        self.status = status
        self.airEventCount = airEventCount
        self.lastBubbleVolume = lastBubbleVolume
    }

    /// The status bits that report a fault.
    public static let faultBits: AirDetectorProtocol.Status = [.clampFault, .sensorFault, .watchdogExpired]

    /// Air is in the detector now, or was detected and is still latched.
    public var isAirDetected: Bool { !status.isDisjoint(with: [.airPresent, .airAlarm]) }

    /// The ultrasonic sensor failed its self-check: the absence of air is not known.
    public var hasSensorFault: Bool { status.contains(.sensorFault) }

    /// Where the clamp is, from its position feedback.
    public var clampPosition: ClampPosition { ClampPosition(status: status) }

    /// The fault bits set now.
    public var faults: AirDetectorProtocol.Status { status.intersection(Self.faultBits) }

    /// The specification's names of the fault bits set now.
    public var faultNames: [String] { faults.names }
}
