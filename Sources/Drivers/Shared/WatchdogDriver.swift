import FirmwareProtocols
public import HardwareInterfaces

/// A driver for an actuator family carrying the host watchdog block (pump, heater,
/// air detector and clamp): if the host stops writing the heartbeat for the timeout,
/// the device goes to its own safe state.
public protocol WatchdogDriver: DeviceDriver, HostWatchdog {}

extension WatchdogDriver {
    /// Writes `counter` to the heartbeat register (holding 0x0100), refreshing the
    /// device's watchdog. The host writes an incrementing counter.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` with the transport's kind.
    public func feedWatchdog(counter: UInt16) async throws(DeviceError) {
        try await device.write(WatchdogBlock.hostHeartbeat, [counter], during: "feeding the watchdog")
    }

    /// Sets the time without a heartbeat after which the device goes to its safe state
    /// (holding 0x0101). The specification allows 100…10 000 ms in whole milliseconds.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.invalidRequest` with nothing sent for a timeout outside
    ///   the range or not a whole number of milliseconds (rounding a safety timeout
    ///   silently is not ours to do); the transport's kind otherwise.
    public func setWatchdogTimeout(_ timeout: Duration) async throws(DeviceError) {
        let operation = "setting the watchdog timeout to \(timeout)"
        let (seconds, attoseconds) = timeout.components
        let attosecondsPerMillisecond: Int64 = 1_000_000_000_000_000
        guard attoseconds % attosecondsPerMillisecond == 0 else {
            throw refused(device, operation, "not a whole number of milliseconds")
        }
        // Double: a huge Duration must reach the range check, not overflow Int64.
        let milliseconds = Double(seconds) * 1000 + Double(attoseconds / attosecondsPerMillisecond)
        try await device.write(WatchdogBlock.watchdogTimeout, value: milliseconds, during: operation)
    }

    /// Reads the watchdog timeout the device holds (holding 0x0101), so a self-test can
    /// confirm the watchdog is armed as configured.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.implausibleValue` outside 100…10 000 ms, or the transport's kind.
    public func readWatchdogTimeout() async throws(DeviceError) -> Duration {
        let milliseconds = try await device.readValue(WatchdogBlock.watchdogTimeout, during: "reading the watchdog timeout")
        return .milliseconds(Int64(milliseconds))
    }
}
