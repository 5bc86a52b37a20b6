import BusRuntime
import CircuitConfiguration
import Drivers
import FirmwareProtocols
import HardwareInterfaces

/// The driver playing a role, over whichever bus it sits on.
enum RoleDevice: Sendable {
    case pump(PeristalticPumpDriver<ModbusDevice>, TubingCalibration)
    case linePump(AsciiPumpDriver<SerialLineBus>, TubingCalibration)
    case pressure(PressureSensorDriver<ModbusDevice>)
    case temperature(TemperatureSensorDriver<ModbusDevice>)
    case heater(HeaterDriver<ModbusDevice>)
    case airDetector(AirDetectorDriver<ModbusDevice>)
    case bloodLeak(BloodLeakDetectorDriver<ModbusDevice>)

    /// One grouped read (one transaction for Modbus devices).
    func read() async throws(DeviceError) -> RoleReading {
        switch self {
        case .pump(let d, _): .pump(try await d.read())
        case .linePump(let d, _): .linePump(try await d.readStatus())
        case .pressure(let d): .pressure(try await d.read())
        case .temperature(let d): .temperature(try await d.read())
        case .heater(let d): .heater(try await d.read())
        case .airDetector(let d): .airDetector(try await d.read())
        case .bloodLeak(let d): .bloodLeak(try await d.read())
        }
    }

    /// The driver playing the role, for capability queries (`as? any HostWatchdog`).
    var driver: any Sendable {
        switch self {
        case .pump(let d, _): d
        case .linePump(let d, _): d
        case .pressure(let d): d
        case .temperature(let d): d
        case .heater(let d): d
        case .airDetector(let d): d
        case .bloodLeak(let d): d
        }
    }

    /// The device's host watchdog, if it has one to feed.
    var watchdog: (any HostWatchdog)? { driver as? any HostWatchdog }

    /// The device's own fault latch, if it has one to reset.
    var latch: (any LatchedFaults)? { driver as? any LatchedFaults }

    /// Whether the device has a host watchdog to feed.
    var hasWatchdog: Bool { watchdog != nil }

    /// One heartbeat.
    func feedWatchdog(counter: UInt16) async throws(DeviceError) {
        try await watchdog?.feedWatchdog(counter: counter)
    }

    /// Checks the device is the family the circuit expects (and reads its identity).
    func identify() async throws(DeviceError) -> String {
        switch self {
        case .pump(let d, _): "\(try await d.identify())"
        case .linePump(let d, _): "\(try await d.identify())"
        case .pressure(let d): "\(try await d.identify())"
        case .temperature(let d): "\(try await d.identify())"
        case .heater(let d): "\(try await d.identify())"
        case .airDetector(let d): "\(try await d.identify())"
        case .bloodLeak(let d): "\(try await d.identify())"
        }
    }
}

extension RoleDevice {
    /// The driver for `device`, built from its registered family: one `switch` over
    /// ``DeviceFamily`` with no `default:`, so a new family does not compile until it
    /// says how its driver is built. The driver must provide every capability the
    /// family declares (host watchdog, device latch): a driver that does not would never
    /// be fed or reset, and is refused here rather than found out mid-treatment.
    init(_ device: CircuitConfiguration.Device, modbus: ModbusBus?, line: SerialLineBus?) throws {
        guard let family = device.deviceFamily else {
            throw CircuitError("role \(device.role.rawValue): no driver for family \(device.family) (families: \(DeviceFamily.names.joined(separator: ", ")))")
        }
        let tubing = TubingCalibration(millilitersPerRevolution: device.tubingMillilitersPerRevolution ?? 8.0)
        func unit() throws -> ModbusDevice {
            guard let modbus else { throw CircuitError("role \(device.role.rawValue): a \(family.name) needs a Modbus bus, and bus \(device.bus) is not one") }
            return ModbusDevice(bus: modbus, unit: device.unit)
        }
        switch family {
        case .peristalticPump: self = .pump(PeristalticPumpDriver(device: try unit()), tubing)
        case .asciiPump:
            guard let line else { throw CircuitError("role \(device.role.rawValue): a \(family.name) needs a line-protocol bus, and bus \(device.bus) is not one") }
            self = .linePump(try AsciiPumpDriver(device: line, address: Int(device.unit)), tubing)
        case .pressureSensor: self = .pressure(PressureSensorDriver(device: try unit()))
        case .temperatureSensor: self = .temperature(TemperatureSensorDriver(device: try unit()))
        case .heater: self = .heater(HeaterDriver(device: try unit()))
        case .airDetector: self = .airDetector(AirDetectorDriver(device: try unit()))
        case .bloodLeakDetector: self = .bloodLeak(BloodLeakDetectorDriver(device: try unit()))
        }
        try Self.check(self.driver, provides: family, role: device.role)
    }

    /// Refuses a driver that lacks a capability its family declares (or claims one it does not).
    static func check(_ driver: any Sendable, provides family: DeviceFamily, role: CircuitRole) throws {
        if family.hasHostWatchdog != (driver is any HostWatchdog) {
            throw CircuitError("role \(role.rawValue): the \(family.name) family \(family.hasHostWatchdog ? "has a" : "has no") host watchdog, "
                               + "but its driver \(type(of: driver)) \(family.hasHostWatchdog ? "cannot feed one" : "claims one")")
        }
        if family.hasDeviceLatch != (driver is any LatchedFaults) {
            throw CircuitError("role \(role.rawValue): the \(family.name) family \(family.hasDeviceLatch ? "has a" : "has no") device latch, "
                               + "but its driver \(type(of: driver)) \(family.hasDeviceLatch ? "cannot reset one" : "claims one")")
        }
    }
}
