public import HardwareInterfaces

// Which driver provides which device-level capability (HardwareInterfaces). The
// register-map actuators are `HostWatchdog` through `WatchdogDriver`; the line pump
// says the same in its own words. `DeviceFamily` declares what each family must provide,
// and the circuit runtime refuses a driver that falls short of it.

extension PeristalticPumpDriver: LatchedFaults {}
extension HeaterDriver: LatchedFaults {}
extension AirDetectorDriver: LatchedFaults {}

extension AsciiPumpDriver: HostWatchdog, LatchedFaults {
    /// One heartbeat (`HB`): the line protocol's heartbeat carries no counter.
    public func feedWatchdog(counter: UInt16) async throws(DeviceError) {
        try await heartbeat()
    }

    /// Clears the latched fault flags (`FR`).
    public func faultReset() async throws(DeviceError) {
        try await resetFaults()
    }
}
