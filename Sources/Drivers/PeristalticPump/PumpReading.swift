public import FirmwareProtocols
public import HardwareInterfaces

/// One sample of a pump's state, read in one transaction (input 0x0200…0x0204):
/// status, tachometer speed, the flow it implies, and the volume delivered.
///
/// Fault bits in the status (door open, occlusion, reversed rotation, stall,
/// over-current, watchdog expired, fault latched) are data, not errors: the reading is
/// still true, and the interlock needs those bits (SR-12, SR-13) to choose its reaction.
public struct PumpReading: Hashable, Sendable {
    /// The status word, with only bits the specification defines.
    public var status: PeristalticPumpProtocol.Status
    /// Rotor speed measured by the tachometer.
    public var actualSpeed: RotationalSpeed
    /// Flow from the measured speed and the pump's own tubing calibration.
    public var actualFlow: FlowRate
    /// Volume delivered since the last volume reset.
    public var deliveredVolume: Volume

    /// A reading from its parts.
    public init(status: PeristalticPumpProtocol.Status, actualSpeed: RotationalSpeed,
                actualFlow: FlowRate, deliveredVolume: Volume) {
        self.status = status
        self.actualSpeed = actualSpeed
        self.actualFlow = actualFlow
        self.deliveredVolume = deliveredVolume
    }

    /// The status bits that report a fault: anything that stops or endangers delivery.
    public static let faultBits: PeristalticPumpProtocol.Status = [
        .doorOpen, .occlusion, .reversedRotation, .stall, .overCurrent, .watchdogExpired, .faultLatched,
    ]

    /// The pump reports its rotor turning (status `running`).
    public var isRunning: Bool { status.contains(.running) }

    /// The direction the pump reports turning, or nil when it is not running.
    public var direction: PumpDirection? {
        guard isRunning else { return nil }
        return status.contains(.reversing) ? .reverse : .forward
    }

    /// The fault bits set now.
    public var faults: PeristalticPumpProtocol.Status { status.intersection(Self.faultBits) }

    /// The specification's names of the fault bits set now ("doorOpen", "stall"…).
    public var faultNames: [String] { faults.names }
}
