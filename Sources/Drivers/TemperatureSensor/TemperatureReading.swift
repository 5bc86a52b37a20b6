public import FirmwareProtocols
public import HardwareInterfaces

/// One sample of a redundant probe pair, read in one transaction (input 0x0200…0x0202).
///
/// Each probe is its own result: an open, shorted or implausible probe is a failure
/// for that probe only, so the interlock can keep using the healthy one (and know the
/// redundancy is lost).
public struct TemperatureReading: Sendable {
    /// Probe A's temperature, or why it has none (`.deviceFault` open/short,
    /// `.implausibleValue` inconsistent or out of range).
    public var probeA: Result<Temperature, DeviceError>
    /// Probe B's temperature, or why it has none.
    public var probeB: Result<Temperature, DeviceError>
    /// The status word, with only bits the specification defines.
    public var status: TemperatureSensorProtocol.Status

    /// A reading from its parts.
    public init(probeA: Result<Temperature, DeviceError>, probeB: Result<Temperature, DeviceError>,
                status: TemperatureSensorProtocol.Status) {
        self.probeA = probeA
        self.probeB = probeB
        self.status = status
    }

    /// The result for `probe`.
    public func temperature(of probe: TemperatureProbe) -> Result<Temperature, DeviceError> {
        switch probe {
        case .a: probeA
        case .b: probeB
        }
    }

    /// The temperatures of the healthy probes, A first: two, one or none.
    public var healthyTemperatures: [Temperature] {
        [probeA, probeB].compactMap { try? $0.get() }
    }

    /// Both probes gave a temperature (redundancy intact).
    public var bothProbesHealthy: Bool { healthyTemperatures.count == 2 }
}
