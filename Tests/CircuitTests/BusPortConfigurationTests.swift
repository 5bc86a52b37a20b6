import Circuit
import CircuitConfiguration
import Foundation
import Testing

/// Two buses of one circuit on one port is the configuration's fault, and said so:
/// not a port held by another process.
@Suite struct BusPortConfigurationTests {
    @Test func twoBusesOnOnePortAreAConfigurationError() async throws {
        let bal = try SimulatedBal()
        let blood = try #require(bal.endpoints["blood"])
        var endpoints = bal.endpoints
        endpoints["plasma"] = blood
        do {
            _ = try await CircuitRuntime(configuration: bal.configuration, endpoints: endpoints)
            Issue.record("two buses on one port must be refused")
        } catch {
            let message = "\(error)"
            #expect(message.contains("configuration error"), "\(message)")
            #expect(message.contains("blood") && message.contains("plasma"), "\(message)")
            guard case .serial(let path) = blood else { Issue.record("expected a serial endpoint"); return }
            #expect(message.contains(path), "\(message)")
            #expect(!message.contains("another process"), "\(message)")
        }
    }

    /// The same device reached through a symlink (as /dev/hepabus/ names are) is the same port.
    @Test func aSymlinkToAnotherBusPortIsTheSamePort() async throws {
        let bal = try SimulatedBal()
        guard case .serial(let path)? = bal.endpoints["blood"] else { Issue.record("expected a serial endpoint"); return }
        let link = bal.simulator.runDirectory + "/blood-alias"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: path)
        var endpoints = bal.endpoints
        endpoints["plasma"] = .serial(path: link)
        do {
            _ = try await CircuitRuntime(configuration: bal.configuration, endpoints: endpoints)
            Issue.record("two buses on one port must be refused")
        } catch {
            #expect("\(error)".contains("configuration error: buses blood and plasma"), "\(error)")
        }
    }
}
