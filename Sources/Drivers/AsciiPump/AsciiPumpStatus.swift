public import FirmwareProtocols
public import HardwareInterfaces

/// One status line of a line (ASCII) pump (command `RS`), every field range-checked.
///
/// Fault flags and an open door are data, not errors: the reading is still true, and the
/// interlock needs them (SR-12, SR-13) to choose its reaction.
public struct AsciiPumpStatus: Hashable, Sendable {
    /// The rotor is commanded to run (a watchdog expiry, a fault or an opened door clears it).
    public var isRunning: Bool
    /// The direction the rotor turns, or would turn, when running.
    public var direction: AsciiPumpLineProtocol.Direction
    /// The speed set-point.
    public var speedSetpoint: RotationalSpeed
    /// The speed the tachometer measures (ramps toward the set-point after a start).
    public var actualSpeed: RotationalSpeed
    /// The pump-head door is open.
    public var isDoorOpen: Bool
    /// Latched fault flags (cleared by a fault reset).
    public var faults: AsciiPumpLineProtocol.Faults

    /// A status from its parts.
    public init(isRunning: Bool, direction: AsciiPumpLineProtocol.Direction, speedSetpoint: RotationalSpeed,
                actualSpeed: RotationalSpeed, isDoorOpen: Bool, faults: AsciiPumpLineProtocol.Faults) {
        self.isRunning = isRunning
        self.direction = direction
        self.speedSetpoint = speedSetpoint
        self.actualSpeed = actualSpeed
        self.isDoorOpen = isDoorOpen
        self.faults = faults
    }

    /// The specification's names of the fault flags set now ("watchdogExpired", "stall"…).
    public var faultNames: [String] {
        AsciiPumpLineProtocol.Faults.named.filter { faults.contains($0.bit) }.map(\.name)
    }

    /// The pump cannot start as it is: the door is open or a fault is latched.
    public var isBlocked: Bool { isDoorOpen || !faults.isEmpty }
}
