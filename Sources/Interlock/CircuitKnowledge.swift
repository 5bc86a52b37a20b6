import HardwareInterfaces

/// What the interlock knows of one device: when it last answered and how it has failed.
struct DeviceKnowledge: Hashable, Sendable {
    /// Sample time of the latest good reading (SR-15).
    var lastSampleTime: Double?
    /// Failed transactions since the last good reading (SR-16).
    var consecutiveFailures = 0
    /// The device is gone (SR-16) until a good reading arrives.
    var isLost = false
    /// Why it is gone, for the alarm text.
    var lossDetail = ""
}

/// The latest readings and the short histories the conditions need: knowledge, not event
/// history (the outputs never read it; the conditions turn it into the active set).
struct CircuitKnowledge: Hashable, Sendable {
    var devices = [DeviceKnowledge](repeating: DeviceKnowledge(), count: DeviceRole.allCases.count)
    var pressures = [Pressure?](repeating: nil, count: PressureSensor.allCases.count)
    /// SR-17: since when each pressure has read the same bits.
    var pressureUnchangedSince = [Double?](repeating: nil, count: PressureSensor.allCases.count)
    var temperatureA: Temperature?
    var temperatureB: Temperature?
    /// SR-9's S2 level: since when every probe of the circuit has read at or above the low
    /// limit, continuously (nil: some probe is below it, or has not answered).
    var plasmaInRangeSince: Double?
    var heater: HeaterSample?
    var air: AirDetectorSample?
    var bloodLeak: Concentration?
    var pumps = [PumpSample?](repeating: nil, count: PumpRole.allCases.count)
    /// SR-12: since when the interlock has demanded each pump stopped (nil: demanded to run).
    var pumpStopDemandedSince = [Double?](repeating: nil, count: PumpRole.allCases.count)
    /// SR-12: the pump's latest sample was taken after the interlock demanded it stopped, so
    /// the pump's own command does not count: it must be still. (A sample taken at or before
    /// that moment cannot show whether the stop was obeyed.)
    var pumpStopDemandedAtSample = [Bool](repeating: false, count: PumpRole.allCases.count)
    /// SR-14, SR-17: since when the blood pump has been seen running, or stopped.
    var bloodPumpRunningSince: Double?
    var bloodPumpStoppedSince: Double?

    subscript(role: DeviceRole) -> DeviceKnowledge {
        get { devices[role.index] }
        set { devices[role.index] = newValue }
    }

    /// The latest probe temperatures present.
    var temperatures: [Temperature] { [temperatureA, temperatureB].compactMap { $0 } }
}

/// When a condition was first seen holding, continuously (the persistence timer).
struct ConditionOnset: Hashable, Sendable {
    let condition: Condition
    let since: Double
}
