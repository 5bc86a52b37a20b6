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

    /// Whether the device has a host watchdog to feed.
    var hasWatchdog: Bool {
        switch self {
        case .pump, .linePump, .heater, .airDetector: true
        default: false
        }
    }

    /// One heartbeat.
    func feedWatchdog(counter: UInt16) async throws(DeviceError) {
        switch self {
        case .pump(let d, _): try await d.feedWatchdog(counter: counter)
        case .linePump(let d, _): try await d.heartbeat()
        case .heater(let d): try await d.feedWatchdog(counter: counter)
        case .airDetector(let d): try await d.feedWatchdog(counter: counter)
        default: break
        }
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
