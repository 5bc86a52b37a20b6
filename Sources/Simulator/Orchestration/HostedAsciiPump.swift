import FirmwareProtocols
import Foundation
import Modbus
import Serial

/// The line-protocol (ASCII) pump hosted in a circuit simulation: its firmware on
/// its own pseudo-terminal at a stable path, with the simulator's transport faults
/// mapped onto the line protocol.
final class HostedAsciiPump: LineDeviceHosting, @unchecked Sendable {
    let busName: String
    let firmware: AsciiPumpFirmware
    private var server: AsciiPumpLineServer?
    private(set) var path: String = ""
    private let lock = NSLock()

    init(busName: String, firmware: AsciiPumpFirmware) {
        self.busName = busName
        self.firmware = firmware
    }

    var ptyPath: String? {
        guard let server = lock.withLock({ server }), server.isPlugged else { return nil }
        return (try? FileManager.default.destinationOfSymbolicLink(atPath: path))
    }

    func start(directory: String) throws {
        let link = directory + "/" + busName
        let server = try AsciiPumpLineServer(pumps: [firmware], linkPath: link)
        lock.withLock {
            self.server = server
            path = link
        }
    }

    func stop() { lock.withLock { server }?.unplug() }
    func unplug() { lock.withLock { server }?.unplug() }
    func replug() throws { try lock.withLock { server }?.replug() }

    func inject(_ fault: ModbusServerFault, count: Int?) throws {
        let lineFault: AsciiPumpLineFault = switch fault {
        case .silent: .noAnswer
        case .delay(let d): .lateAnswer(d)
        case .corruptCRC: .corruptChecksum
        case .garbage(let bytes): .garbage(bytes)
        // A Modbus "busy" maps onto the line protocol's busy refusal; anything else onto
        // its generic refusal of the argument.
        case .exception(let code): .refusal(code == .serverDeviceBusy ? .busy : .badArgument)
        }
        lock.withLock { server }?.inject(lineFault, count: count)
    }

    func clearFaults() { lock.withLock { server }?.clearFaults() }

    /// The physical conditions `set ROLE PROPERTY VALUE` takes on the line pump.
    static let conditionNames = ["doorOpen", "stall", "overCurrent", "occlusion"]

    /// The value of condition `name`, or what is wrong with the name or the value.
    static func checkedCondition(_ name: String, _ value: String) throws -> Bool {
        guard conditionNames.contains(name) else {
            throw SimulatorError("no condition '\(name)' on the line pump (\(conditionNames.joined(separator: ", ")))")
        }
        switch value.lowercased() {
        case "true", "1", "on": return true
        case "false", "0", "off": return false
        default: throw SimulatorError("\(name): '\(value)' is not true/false")
        }
    }

    func setCondition(_ name: String, to value: String) throws {
        let on = try Self.checkedCondition(name, value)
        switch name {
        case "doorOpen": firmware.setDoorOpen(on)
        case "stall": if on { firmware.raise(.stall) }
        case "overCurrent": if on { firmware.raise(.overCurrent) }
        default: if on { firmware.raise(.occlusion) }  // occlusion
        }
    }

    func statusJSON() -> String {
        let s = firmware.snapshot
        return "{\"family\":\"asciiPump\",\"running\":\(s.isRunning),\"direction\":\"\(s.direction)\","
            + "\"speedSetpoint\":\(s.speedSetpoint.revolutionsPerMinute),\"actualSpeed\":\(s.actualSpeed.revolutionsPerMinute),"
            + "\"doorOpen\":\(s.isDoorOpen),\"faults\":\(s.faults.rawValue),\"deliveredVolume\":\(s.deliveredVolume.milliliters)}"
    }
}
