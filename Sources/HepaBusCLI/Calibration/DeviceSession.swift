import BusRuntime
import Circuit
import CircuitConfiguration
import FirmwareProtocols
import Modbus

/// One device of a circuit, reached on its own bus, opened exclusively for a
/// technician's writes (calibration). Only that device's bus is opened: the others stay
/// free for whatever else is on the bench.
struct DeviceSession {
    /// How the device is reached.
    enum Link {
        case modbus(ModbusBus, ModbusDevice)
        case line(SerialLineBus)
    }

    let device: CircuitConfiguration.Device
    let endpoint: BusEndpoint
    let link: Link

    /// Opens the bus of `device`; a port another process holds is refused naming the holder.
    static func open(_ device: CircuitConfiguration.Device, of configuration: CircuitConfiguration,
                     endpoints: [String: BusEndpoint], allowUnlockedTCP: Bool, doing what: String) async throws -> DeviceSession {
        guard let busConfiguration = configuration.bus(named: device.bus) else {
            throw CommandFailure.usage("circuit '\(configuration.name)' names no bus '\(device.bus)' for \(device.role.rawValue)")
        }
        let endpoint = configuration.endpoint(of: busConfiguration, in: endpoints)
        try ExclusiveAccess.checkTCP([(device.bus, endpoint)], allowUnlocked: allowUnlockedTCP, doing: what)
        do {
            switch (busConfiguration.protocolKind, endpoint) {
            case (.line, .serial(let path)):
                var logger = LogSetup.busLogger
                logger[metadataKey: "bus"] = "\(device.bus)"
                let line = try await SerialLineBus(path: path, settings: busConfiguration.settings,
                                                   minimumGap: AsciiPumpLineProtocol.minimumCommandGap, logger: logger)
                return DeviceSession(device: device, endpoint: endpoint, link: .line(line))
            case (.line, .tcp):
                throw CommandFailure.usage("bus \(device.bus) carries a line protocol and needs a serial port, not \(endpoint.text)")
            case (_, .serial(let path)):
                return try await modbus(device, endpoint, .rtu(path: path, settings: busConfiguration.settings), busConfiguration)
            case (_, .tcp(let host, let port)):
                return try await modbus(device, endpoint, .tcp(host: host, port: port), busConfiguration)
            }
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            if let refusal = ExclusiveAccess.refusal(error, doing: what, bus: device.bus) { throw refusal }
            throw CommandFailure.device("cannot open bus \(device.bus) (\(endpoint.text)) for \(device.role.rawValue): \(error)")
        }
    }

    private static func modbus(_ device: CircuitConfiguration.Device, _ endpoint: BusEndpoint, _ modbusEndpoint: ModbusEndpoint,
                               _ bus: CircuitConfiguration.Bus) async throws -> DeviceSession {
        let options = ModbusClientOptions(responseTimeout: bus.responseTimeout, byteTimeout: .milliseconds(20),
                                          resynchronisationQuiet: .milliseconds(10))
        var logger = LogSetup.busLogger
        logger[metadataKey: "bus"] = "\(device.bus)"
        let modbus = try await ModbusBus(endpoint: modbusEndpoint, options: options, logger: logger)
        return DeviceSession(device: device, endpoint: endpoint, link: .modbus(modbus, ModbusDevice(bus: modbus, unit: device.unit)))
    }

    /// The Modbus unit, for devices that only speak Modbus.
    var modbusUnit: ModbusDevice? {
        if case .modbus(_, let unit) = link { return unit }
        return nil
    }

    func close() async {
        switch link {
        case .modbus(let bus, _): await bus.close()
        case .line(let line): await line.close()
        }
    }
}
