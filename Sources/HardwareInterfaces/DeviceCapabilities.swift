/// Device-level capabilities, embedded-hal style: what a driver can do for the circuit,
/// whatever its family or bus. The runtime and the supervisor ask a driver for a
/// capability (`driver as? any HostWatchdog`) instead of switching on its family, and
/// `DeviceFamily` (CircuitConfiguration) says which family must provide which, so a
/// driver that lacks a capability its family declares is refused when a circuit opens.

/// A device that stops itself (its own safe state) unless the host feeds it.
public protocol HostWatchdog: Sendable {
    /// One heartbeat; `counter` increments with each (devices that take no counter ignore it).
    func feedWatchdog(counter: UInt16) async throws(DeviceError)
    /// The time without a heartbeat after which the device goes to its safe state.
    func readWatchdogTimeout() async throws(DeviceError) -> Duration
}

/// A device that latches faults which only a fault reset clears (the firmware honours it
/// only where the cause has gone).
public protocol LatchedFaults: Sendable {
    /// Asks the device to clear its latched faults.
    func faultReset() async throws(DeviceError)
}
