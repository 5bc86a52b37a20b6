import Modbus
import Serial

/// A served line and a client on it, over a real pseudo-terminal or TCP loopback.
final class Rig {
    let units: ServedUnits
    let client: ModbusClient
    private let rtu: ModbusRTUServer?
    private let tcp: ModbusTCPServer?
    let pty: PseudoTerminal?

    static func makeUnits(_ ids: [UInt8]) -> ServedUnits {
        var models: [UInt8: any ModbusDataModel] = [:]
        for id in ids {
            models[id] = RegisterMap(coils: 64, discreteInputs: 64, holdingRegisters: 200, inputRegisters: 200,
                                     serverID: [id, 0xFF] + Array("HEPABUS-TEST".utf8))
        }
        return ServedUnits(models)
    }

    init(rtuUnits ids: [UInt8] = [1], options: ModbusClientOptions = Rig.fastOptions) throws {
        units = Rig.makeUnits(ids)
        let pty = try PseudoTerminal()
        self.pty = pty
        let server = ModbusRTUServer(pty: pty, units: units)
        server.start()
        rtu = server
        tcp = nil
        client = try ModbusClient(endpoint: .rtu(path: pty.secondaryPath, settings: SerialSettings(baudRate: 115200, parity: .even)),
                                  options: options)
    }

    init(tcpUnits ids: [UInt8], options: ModbusClientOptions = Rig.fastOptions) throws {
        units = Rig.makeUnits(ids)
        let server = try ModbusTCPServer(host: "127.0.0.1", port: 0, units: units)
        server.start()
        tcp = server
        rtu = nil
        pty = nil
        client = try ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: server.port), options: options)
    }

    func model(_ unit: UInt8) -> RegisterMap { units.model(for: unit) as! RegisterMap }

    deinit {
        client.close()
        rtu?.stop()
        tcp?.stop()
    }

    /// Short timeouts keep fault tests quick; generous enough for a loaded CI machine.
    static let fastOptions = ModbusClientOptions(responseTimeout: .milliseconds(300), byteTimeout: .milliseconds(100),
                                                 resynchronisationQuiet: .milliseconds(30),
                                                 broadcastTurnaround: .milliseconds(30))
}
