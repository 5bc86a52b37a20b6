public import HardwareInterfaces

/// The fault bits a pump's firmware reports (SR-13).
public struct PumpFaults: OptionSet, Hashable, Sendable, CustomStringConvertible {
    /// The bits.
    public let rawValue: UInt8
    /// Faults from their bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The pump head door is open.
    public static let doorOpen = PumpFaults(rawValue: 1 << 0)
    /// The tubing is occluded (upstream or downstream of the rotor).
    public static let occlusion = PumpFaults(rawValue: 1 << 1)
    /// The rotor turns the wrong way.
    public static let reversedRotation = PumpFaults(rawValue: 1 << 2)
    /// The rotor is stalled.
    public static let stall = PumpFaults(rawValue: 1 << 3)
    /// The motor draws too much current.
    public static let overCurrent = PumpFaults(rawValue: 1 << 4)
    /// The pump stopped itself because the host heartbeat lapsed: it is no longer under
    /// host control.
    public static let watchdogExpired = PumpFaults(rawValue: 1 << 5)

    private static let named: [(PumpFaults, String)] = [
        (.doorOpen, "doorOpen"), (.occlusion, "occlusion"), (.reversedRotation, "reversedRotation"),
        (.stall, "stall"), (.overCurrent, "overCurrent"), (.watchdogExpired, "watchdogExpired"),
    ]

    /// The names of the bits set, comma-separated ("doorOpen, stall").
    public var description: String {
        Self.named.filter { contains($0.0) }.map(\.1).joined(separator: ", ")
    }
}

/// One sample of a pump, as the supervisor read it (SR-12, SR-13, SR-14, SR-17).
public struct PumpSample: Hashable, Sendable {
    /// The speed the pump was commanded to (zero when its run bit is off).
    public var commandedSpeed: RotationalSpeed
    /// The speed its tachometer measures.
    public var measuredSpeed: RotationalSpeed
    /// The fault bits its firmware reports.
    public var faults: PumpFaults

    /// A sample from its parts.
    public init(commandedSpeed: RotationalSpeed, measuredSpeed: RotationalSpeed, faults: PumpFaults = []) {
        self.commandedSpeed = commandedSpeed
        self.measuredSpeed = measuredSpeed
        self.faults = faults
    }
}
