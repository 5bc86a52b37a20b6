import ArgumentParser
import CircuitConfiguration
import DeviceDiscovery
import Foundation

/// `hepabus udev-rules`: udev rules naming a circuit's ports by their adapters' identity.
struct UdevRulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "udev-rules",
        abstract: "Generate udev rules that name a circuit's ports /dev/hepabus/<port> from their adapters.",
        discussion: """
            Each --adapter binds one of the circuit's ports (its buses' udevRole) to a USB-serial adapter:
            PORT=VENDOR:PRODUCT:SERIAL[:INTERFACE] (hex ids as lsusb shows them; the serial as the adapter
            reports it, e.g. from `udevadm info -q property /dev/ttyUSB0 | grep ID_SERIAL_SHORT`), or
            PORT=onboard:/dev/ttyS1 for an on-board UART. Every port of the circuit must be bound.
            The rules set SYMLINK hepabus/<port>, ENV{HEPABUS_ROLE}, GROUP (final), MODE 0660 (final) and the
            systemd tag. Install: see udev/README.md.
            """)

    @Option(help: "A circuit preset (\(CircuitConfigurationLoader.presetNames.joined(separator: ", "))) or circuit file.")
    var circuit: String

    @Option(name: .customLong("adapter"), help: "PORT=VENDOR:PRODUCT:SERIAL[:INTERFACE] or PORT=onboard:/dev/ttyX (repeat per port).")
    var adapters: [String] = []

    @Option(help: "The group that may open the ports.")
    var group: String = UdevRuleGenerator.defaultGroup

    @Option(help: "Write the rules to this file instead of standard output.")
    var output: String?

    func run() async throws {
        let configuration: CircuitConfiguration
        do {
            configuration = try CircuitConfigurationLoader.load(circuit)
        } catch {
            throw ValidationError("--circuit: \(error)")
        }
        // The ports a circuit names through udev: its buses' /dev/hepabus/<port> paths.
        let ports = configuration.buses.compactMap { bus -> String? in
            guard let port = bus.port, port.hasPrefix("/dev/hepabus/") else { return nil }
            return String(port.dropFirst("/dev/hepabus/".count))
        }
        guard !ports.isEmpty else { throw ValidationError("circuit '\(configuration.name)' names no /dev/hepabus/ ports (give its buses a udevRole)") }
        var bindings: [UdevPortBinding] = []
        for text in adapters {
            guard let equals = text.firstIndex(of: "=") else { throw ValidationError("--adapter '\(text)' is not PORT=…") }
            let port = String(text[..<equals])
            let spec = String(text[text.index(after: equals)...])
            guard ports.contains(port) else {
                throw ValidationError("--adapter '\(text)': the circuit has no port '\(port)' (ports: \(ports.joined(separator: ", ")))")
            }
            if spec.hasPrefix("onboard:") {
                let device = String(spec.dropFirst("onboard:".count))
                guard let identity = OnBoardUARTIdentity(describing: device) else {
                    throw CommandFailure.device("--adapter '\(text)': \(device) is not an on-board UART this machine can describe")
                }
                bindings.append(UdevPortBinding(role: port, match: .onBoard(identity)))
                continue
            }
            let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3 || parts.count == 4 else {
                throw ValidationError("--adapter '\(text)': expected VENDOR:PRODUCT:SERIAL[:INTERFACE]")
            }
            var interface: Int? = nil
            if parts.count == 4 {
                guard let n = Int(parts[3]), (0...255).contains(n) else { throw ValidationError("--adapter '\(text)': interface '\(parts[3])' is not 0-255") }
                interface = n
            }
            bindings.append(UdevPortBinding(role: port, vendorID: parts[0], productID: parts[1], serialNumber: parts[2], interfaceNumber: interface))
        }
        let missing = ports.filter { port in !bindings.contains { $0.role == port } }
        guard missing.isEmpty else {
            throw ValidationError("no --adapter for port(s) \(missing.joined(separator: ", ")) of circuit '\(configuration.name)'")
        }
        let text: String
        do {
            text = try UdevRuleGenerator(circuit: configuration.name, group: group).rules(for: bindings)
        } catch {
            throw ValidationError("\(error)")
        }
        if let output {
            do {
                try text.write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                throw CommandFailure.device("cannot write \(output): \(error)")
            }
            Terminal.writeStderr("wrote \(output): \(bindings.count) port(s) of circuit '\(configuration.name)'\n")
        } else {
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
        }
    }
}
