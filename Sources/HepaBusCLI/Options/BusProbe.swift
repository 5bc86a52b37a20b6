import BusRuntime
import Circuit
import CircuitConfiguration
import Modbus

/// Opens one bus of a circuit alone and closes it again, to say which bus keeps a whole
/// circuit from opening (unplugged, wrong path, refused) and why.
enum BusProbe {
    /// Nil if the bus opens, else what went wrong.
    static func failure(of bus: CircuitConfiguration.Bus, at endpoint: BusEndpoint) async -> String? {
        do {
            switch (bus.protocolKind, endpoint) {
            case (.line, .serial(let path)):
                let line = try await SerialLineBus(path: path, settings: bus.settings)
                await line.close()
            case (.line, .tcp):
                return "a line-protocol bus needs a serial port"
            case (_, .serial(let path)):
                await (try await ModbusBus(endpoint: .rtu(path: path, settings: bus.settings))).close()
            case (_, .tcp(let host, let port)):
                await (try await ModbusBus(endpoint: .tcp(host: host, port: port))).close()
            }
            return nil
        } catch {
            return "\(error)"
        }
    }
}
