import ArgumentParser
import Circuit
import CircuitConfiguration
import Foundation
import Modbus
import Simulator

/// How the technician's circuit commands find a circuit's lines: `--circuit` gives the
/// buses, devices and limits; each bus is reached at the circuit file's port, unless a
/// running simulator's `--manifest` or a `--bus NAME=ENDPOINT` says otherwise (`--bus`
/// wins over the manifest).
struct CircuitOptions: ParsableArguments {
    @Option(help: "The circuit: a preset (\(CircuitConfigurationLoader.presetNames.joined(separator: ", "))) or a circuit file.")
    var circuit: String

    @Option(help: "A running simulator's manifest: reach each bus at the endpoint it names.")
    var manifest: String?

    @Option(name: .customLong("bus"), help: ArgumentHelp("Reach bus NAME at ENDPOINT (a serial device or tcp://HOST:PORT); repeatable.",
                                                          valueName: "NAME=ENDPOINT"))
    var busOverrides: [String] = []

    /// The circuit, or a usage error naming the file and what is wrong with it.
    func configuration() throws -> CircuitConfiguration {
        do {
            return try CircuitConfigurationLoader.load(circuit)
        } catch {
            throw ValidationError("--circuit \(circuit): \(error)")
        }
    }

    /// Where each bus is reached, or a usage error naming the bus, the manifest or the endpoint.
    func endpoints(for configuration: CircuitConfiguration) throws -> [String: BusEndpoint] {
        let busNames = configuration.buses.map(\.name)
        var endpoints: [String: BusEndpoint] = [:]
        if let manifest {
            guard let data = FileManager.default.contents(atPath: manifest) else {
                throw ValidationError("--manifest \(manifest): cannot read the file")
            }
            let simulated: SimulatorManifest
            do {
                simulated = try JSONDecoder().decode(SimulatorManifest.self, from: data)
            } catch {
                throw ValidationError("--manifest \(manifest) is not a simulator manifest: \(error)")
            }
            for bus in configuration.buses {
                guard let served = simulated.buses.first(where: { $0.name == bus.name }) else {
                    throw ValidationError("--manifest \(manifest) (circuit '\(simulated.circuit)') has no bus '\(bus.name)' "
                        + "of circuit '\(configuration.name)' (it serves: \(simulated.buses.map(\.name).joined(separator: ", ")))")
                }
                endpoints[bus.name] = .serial(path: served.endpoint)
            }
        }
        for text in busOverrides {
            guard let equals = text.firstIndex(of: "=") else {
                throw ValidationError("--bus '\(text)' is not NAME=ENDPOINT (buses of \(configuration.name): \(busNames.joined(separator: ", ")))")
            }
            let name = String(text[..<equals]), endpointText = String(text[text.index(after: equals)...])
            guard let bus = configuration.bus(named: name) else {
                throw ValidationError("--bus: circuit '\(configuration.name)' has no bus '\(name)' (buses: \(busNames.joined(separator: ", ")))")
            }
            let endpoint: ModbusEndpoint
            do {
                endpoint = try ModbusEndpoint.parse(endpointText, serialSettings: bus.settings)
            } catch {
                throw ValidationError("--bus \(name)=\(endpointText): \(error.description)")
            }
            switch endpoint {
            case .rtu(let path, _):
                endpoints[name] = .serial(path: path)
            case .tcp(let host, let port):
                guard bus.protocolKind != .line else {
                    throw ValidationError("--bus \(name)=\(endpointText): bus '\(name)' carries a line protocol and needs a serial port")
                }
                endpoints[name] = .tcp(host: host, port: port)
            }
        }
        return endpoints
    }

    /// The role named `name` in `configuration`, or a usage error listing the valid ones.
    static func role(_ name: String, in configuration: CircuitConfiguration, argument: String = "ROLE",
                     where fits: (CircuitConfiguration.Device) -> Bool = { _ in true }, kind: String = "role") throws -> CircuitConfiguration.Device {
        let valid = configuration.devices.filter(fits).map(\.role.rawValue)
        guard let device = configuration.devices.first(where: { $0.role.rawValue == name }) else {
            throw ValidationError("\(argument) '\(name)': circuit '\(configuration.name)' has no role '\(name)' "
                + "(\(kind)s: \(valid.joined(separator: ", ")))")
        }
        guard fits(device) else {
            throw ValidationError("\(argument) '\(name)' is played by family \(device.family), not a \(kind) this command handles "
                + "(\(kind)s of \(configuration.name): \(valid.joined(separator: ", ")))")
        }
        return device
    }
}

/// The endpoint a bus is reached at, as a technician would type it.
extension BusEndpoint {
    var text: String {
        switch self {
        case .serial(let path): path
        case .tcp(let host, let port): host.contains(":") ? "tcp://[\(host)]:\(port)" : "tcp://\(host):\(port)"
        }
    }

    var isTCP: Bool { if case .tcp = self { true } else { false } }
}

extension CircuitConfiguration {
    /// Where `bus` is reached: `endpoints`' entry, else the circuit file's port.
    func endpoint(of bus: Bus, in endpoints: [String: BusEndpoint]) -> BusEndpoint {
        if let endpoint = endpoints[bus.name] { return endpoint }
        if let tcp = bus.tcp, let colon = tcp.lastIndex(of: ":"), let port = UInt16(tcp[tcp.index(after: colon)...]) {
            var host = String(tcp[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            return .tcp(host: host, port: port)
        }
        return .serial(path: bus.port ?? "/dev/null")
    }
}
