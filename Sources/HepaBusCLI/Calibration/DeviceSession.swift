import BusRuntime
import Circuit
import CircuitConfiguration
import Modbus

/// One device of a circuit, reached on its own bus, opened exclusively for a
/// technician's writes (calibration). Only that device's bus is opened: the others stay
/// free for whatever else is on the bench.
struct DeviceSession {
    let device: CircuitConfiguration.Device
    let bus: ModbusBus
    let endpoint: BusEndpoint
    let unit: ModbusDevice

    /// Opens the bus of `device`; a port another process holds is refused naming the holder.
    static func open(_ device: CircuitConfiguration.Device, of configuration: CircuitConfiguration,
                     endpoints: [String: BusEndpoint], allowUnlockedTCP: Bool, doing what: String) async throws -> DeviceSession {
        guard let busConfiguration = configuration.bus(named: device.bus) else {
            throw CommandFailure.usage("circuit '\(configuration.name)' names no bus '\(device.bus)' for \(device.role.rawValue)")
        }
        let endpoint = configuration.endpoint(of: busConfiguration, in: endpoints)
        try ExclusiveAccess.checkTCP([(device.bus, endpoint)], allowUnlocked: allowUnlockedTCP, doing: what)
        let modbusEndpoint: ModbusEndpoint = switch endpoint {
        case .serial(let path): .rtu(path: path, settings: busConfiguration.settings)
        case .tcp(let host, let port): .tcp(host: host, port: port)
        }
        let options = ModbusClientOptions(responseTimeout: busConfiguration.responseTimeout, byteTimeout: .milliseconds(20),
                                          resynchronisationQuiet: .milliseconds(10))
        do {
            let bus = try await ModbusBus(endpoint: modbusEndpoint, options: options)
            return DeviceSession(device: device, bus: bus, endpoint: endpoint, unit: ModbusDevice(bus: bus, unit: device.unit))
        } catch {
            if let refusal = ExclusiveAccess.refusal(error, doing: what, bus: device.bus) { throw refusal }
            throw CommandFailure.device("cannot open bus \(device.bus) (\(endpoint.text)) for \(device.role.rawValue): \(error)")
        }
    }

    func close() async { await bus.close() }
}
