public import CircuitConfiguration
public import Drivers
public import HardwareInterfaces

/// A role's latest reading, typed by what plays it.
public enum RoleReading: Sendable {
    /// A Modbus peristaltic pump: speeds, flow, status.
    case pump(PumpReading)
    /// A line-protocol (ASCII) pump on RS-232: its status line.
    case linePump(AsciiPumpStatus)
    /// A pressure sensor: gauge pressure in mmHg.
    case pressure(PressureReading)
    /// A temperature sensor: its two probes (A and B).
    case temperature(TemperatureReading)
    /// The plasma heater: output power, element temperature, faults.
    case heater(HeaterReading)
    /// The air detector: air seen, and the return clamp's position.
    case airDetector(AirDetectorReading)
    /// The blood-leak detector: haemoglobin in the plasma, in ppm.
    case bloodLeak(BloodLeakReading)

    /// One line for a person: "120.5 rpm, 964.0 mL/min", "-98.7 mmHg", …
    public var summary: String {
        switch self {
        case .pump(let r): "\(r.actualSpeed), \(r.actualFlow)" + (r.faultNames.isEmpty ? "" : " [\(r.faultNames.joined(separator: ", "))]")
        case .linePump(let s): "\(s.actualSpeed)" + (s.isRunning ? " running" : " stopped") + (s.isDoorOpen ? " [door open]" : "")
        case .pressure(let r): "\(r.pressure)" + (r.isWithinSensorRange ? "" : " [out of range]")
        case .temperature(let r):
            [r.probeA, r.probeB].map { (try? $0.get()).map { "\($0)" } ?? "fault" }.joined(separator: " / ")
        case .heater(let r): "\(r.outputPower)" + (r.isHeating ? " heating" : "") + (r.faultNames.isEmpty ? "" : " [\(r.faultNames.joined(separator: ", "))]")
        case .airDetector(let r): (r.isAirDetected ? "AIR" : "no air") + ", clamp \(r.clampPosition)"
        case .bloodLeak(let r): "\(r.haemoglobin)" + (r.isLeakDetected ? " LEAK" : "")
        }
    }
}

extension RoleReading {
    /// The device reports a latch of its own set (a fault only a fault reset clears): the
    /// operator's acknowledgement sends it one. Every reading says, with no `default:`.
    public var isDeviceLatchSet: Bool {
        switch self {
        case .pump(let r): r.status.contains(.faultLatched)
        case .linePump(let s): !s.faults.isEmpty
        case .pressure, .temperature, .bloodLeak: false
        case .heater(let r): r.status.contains(.cutoutTripped) || r.status.contains(.watchdogExpired)
        case .airDetector(let r): r.status.contains(.airAlarm) || r.status.contains(.watchdogExpired)
        }
    }
}

/// What the runtime knows of a role: its latest good reading, when it was taken,
/// and how its device has been answering since.
public struct RoleSample: Sendable {
    /// The role sampled.
    public var role: CircuitRole
    /// The latest good reading, nil before the first.
    public var reading: RoleReading?
    /// When ``reading`` was taken (monotonic clock).
    public var sampledAt: ContinuousClock.Instant?
    /// Failed polls in a row since the last good one.
    public var consecutiveFailures: Int
    /// The latest failure, if the latest poll failed.
    public var lastError: DeviceError?

    /// How old the reading is at `now`.
    public func age(at now: ContinuousClock.Instant) -> Duration? { sampledAt.map { $0.duration(to: now) } }
}

/// Every role's latest sample, at one moment.
public struct CircuitSnapshot: Sendable {
    /// When the snapshot was taken (monotonic clock).
    public var takenAt: ContinuousClock.Instant
    /// Each role of the circuit with its latest sample.
    public var samples: [CircuitRole: RoleSample]

    /// `role`'s latest sample; nil if the circuit has no such role.
    public subscript(role: CircuitRole) -> RoleSample? { samples[role] }
}
