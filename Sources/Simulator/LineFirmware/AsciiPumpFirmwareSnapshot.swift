public import FirmwareProtocols
public import HardwareInterfaces

/// What a simulated line pump is doing, for tests and the simulator's status: the
/// firmware's own view, at full precision (the wire carries it rounded).
public struct AsciiPumpFirmwareSnapshot: Sendable, Equatable {
    /// How many lines of each sort the firmware has handled.
    public struct Counters: Sendable, Equatable {
        /// Lines addressed to this pump.
        public var lines = 0
        /// Replies that refused.
        public var refusals = 0
        /// Lines refused for their checksum or framing.
        public var badChecksums = 0
        /// Heartbeat commands accepted.
        public var heartbeats = 0
        /// All counts at zero.
        public init() {}
    }

    /// Commanded to run.
    public var isRunning: Bool
    /// Direction of rotation.
    public var direction: AsciiPumpLineProtocol.Direction
    /// Speed set-point.
    public var speedSetpoint: RotationalSpeed
    /// Tachometer speed, unrounded.
    public var actualSpeed: RotationalSpeed
    /// The pump-head door is open.
    public var isDoorOpen: Bool
    /// Latched fault flags.
    public var faults: AsciiPumpLineProtocol.Faults
    /// Tubing calibration.
    public var tubingCalibration: TubingCalibration
    /// Volume moved since the last volume reset, unrounded.
    public var deliveredVolume: Volume
    /// Watchdog timeout.
    public var watchdogTimeout: Duration
    /// Line counts.
    public var counters: Counters

    init(rotor: AsciiPumpRotor, counters: Counters) {
        isRunning = rotor.running
        direction = rotor.direction
        speedSetpoint = .rpm(rotor.setpointRPM)
        actualSpeed = .rpm(rotor.actualRPM)
        isDoorOpen = rotor.doorOpen
        faults = rotor.faults
        tubingCalibration = TubingCalibration(millilitersPerRevolution: Double(rotor.calibrationRaw) / 1000)
        deliveredVolume = .mL(rotor.volumeMicroliters / 1000)
        watchdogTimeout = .milliseconds(rotor.watchdogTimeoutRaw)
        self.counters = counters
    }
}
