public import CircuitConfiguration
import FirmwareProtocols

/// How the simulator serves a device of a family.
public enum SimulatedFamily: Sendable {
    /// Register-map firmware, answering at a unit id on a simulated Modbus line.
    case registers(@Sendable (_ time: any SimulationTime, _ identity: DeviceIdentity, _ role: String?, _ plasmaTemperature: Double?) -> any SimulatedDevice)
    /// Line-protocol firmware on a pty of its own.
    case line(@Sendable (_ role: String, _ bus: String, _ address: UInt8, _ identity: DeviceIdentity) throws -> any LineDeviceHosting)
}

extension DeviceFamily {
    /// The simulated firmware of the family: one `switch` with no `default:`, so a new
    /// family does not compile until it has simulated firmware. A heater powers up at the
    /// plasma's temperature where one is given (else the plasma would mix with a cold
    /// outlet the moment it first flows).
    public var simulated: SimulatedFamily {
        switch self {
        case .peristalticPump: .registers { time, identity, role, _ in SimulatedPump(time: time, identity: identity, role: role) }
        case .asciiPump: .line { role, bus, address, identity in try CircuitSimulator.makeLineDevice(role: role, bus: bus, address: address, identity: identity) }
        case .pressureSensor: .registers { time, identity, role, _ in SimulatedPressureSensor(time: time, identity: identity, role: role) }
        case .temperatureSensor: .registers { time, identity, role, _ in SimulatedTemperatureSensor(time: time, identity: identity, role: role) }
        case .heater:
            .registers { time, identity, role, plasma in
                plasma.map { SimulatedHeater(time: time, identity: identity, role: role, inletTemperature: $0) }
                    ?? SimulatedHeater(time: time, identity: identity, role: role)
            }
        case .airDetector: .registers { time, identity, role, _ in SimulatedAirDetector(time: time, identity: identity, role: role) }
        case .bloodLeakDetector: .registers { time, identity, role, _ in SimulatedBloodLeakDetector(time: time, identity: identity, role: role) }
        }
    }
}
