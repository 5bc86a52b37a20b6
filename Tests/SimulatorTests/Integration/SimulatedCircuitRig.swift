import BusRuntime
import Drivers
import FirmwareProtocols
import HardwareInterfaces
import Modbus
import Serial
import Simulator

/// A running simulated circuit and our real driver stack on it, across real ptys
/// (or TCP): what the fault-injection tests drive.
final class SimulatedCircuitRig {
    let simulator: CircuitSimulator
    private(set) var buses: [String: ModbusBus] = [:]
    private(set) var lineBuses: [String: SerialLineBus] = [:]
    let options: ModbusClientOptions

    init(layout: SimulatedCircuitLayout? = nil, tcp: Bool = false) async throws {
        let layout = try layout ?? SimulatedCircuitLayout.preset("bal")
        var simOptions = CircuitSimulator.Options()
        if tcp { simOptions.tcpHost = "127.0.0.1" }
        simulator = try CircuitSimulator(layout: layout, options: simOptions)
        try simulator.start()
        // Short timeouts keep the fault matrix quick; still generous for a pty.
        options = ModbusClientOptions(responseTimeout: .milliseconds(150), byteTimeout: .milliseconds(50),
                                      resynchronisationQuiet: .milliseconds(20))
        for bus in simulator.manifest.buses where bus.protocolName == "modbus-rtu" {
            let endpoint: ModbusEndpoint
            if tcp, let url = bus.tcp {
                endpoint = try ModbusEndpoint.parse(url)
            } else {
                let settings = layout.buses.first { $0.name == bus.name }!.settings
                endpoint = .rtu(path: bus.endpoint, settings: settings)
            }
            buses[bus.name] = try await ModbusBus(endpoint: endpoint, options: options)
        }
        for bus in simulator.manifest.buses where bus.protocolName == "line" {
            let settings = layout.buses.first { $0.name == bus.name }!.settings
            lineBuses[bus.name] = try await SerialLineBus(path: bus.endpoint, settings: settings,
                                                          minimumGap: AsciiPumpLineProtocol.minimumCommandGap)
        }
    }

    func close() async {
        for bus in buses.values { await bus.close() }
        for bus in lineBuses.values { await bus.close() }
        simulator.stop()
    }

    func device(_ role: String) -> ModbusDevice {
        let d = simulator.layout.device(role: role)!
        return ModbusDevice(bus: buses[d.bus]!, unit: d.unit)
    }

    func family(_ role: String) -> String { simulator.layout.device(role: role)!.family }

    /// The line-protocol pump driver for `role`.
    func linePump(_ role: String) throws(DeviceError) -> AsciiPumpDriver<SerialLineBus> {
        let d = simulator.layout.device(role: role)!
        return try AsciiPumpDriver(device: lineBuses[d.bus]!, address: Int(d.unit))
    }

    /// The role's main reading through its driver, as the poll scheduler will do it.
    @discardableResult
    func read(_ role: String) async throws(DeviceError) -> String {
        if family(role) == "asciiPump" { return "\(try await linePump(role).readStatus())" }
        let device = device(role)
        switch family(role) {
        case "peristalticPump": return "\(try await PeristalticPumpDriver(device: device).read())"
        case "pressureSensor": return "\(try await PressureSensorDriver(device: device).read())"
        case "temperatureSensor":
            let reading = try await TemperatureSensorDriver(device: device).read()
            // A faulty probe is reported per probe; surface the first fault as the read's error.
            if case .failure(let e) = reading.probeA { throw e }
            if case .failure(let e) = reading.probeB { throw e }
            return "\(reading)"
        case "heater": return "\(try await HeaterDriver(device: device).read())"
        case "airDetector": return "\(try await AirDetectorDriver(device: device).read())"
        case "bloodLeakDetector": return "\(try await BloodLeakDetectorDriver(device: device).read())"
        default: fatalError("no driver for \(family(role))")
        }
    }

    /// The error kind a read of `role` fails with, or nil if it succeeds.
    func failureKind(_ role: String) async -> HardwareErrorKind? {
        do {
            try await read(role)
            return nil
        } catch {
            return error.kind
        }
    }

    /// Reconnects a bus after its line came back.
    func reconnect(_ bus: String) async throws {
        if let line = lineBuses[bus] {
            try await line.reconnect()
        } else {
            try await buses[bus]!.connect()
        }
    }
}
