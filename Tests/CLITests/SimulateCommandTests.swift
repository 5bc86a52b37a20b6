import Foundation
import Modbus
import Testing

/// `hepabus simulate`: failing to start is said at once; a clean run leaves nothing in /tmp.
@Suite struct SimulateCommandTests {
    /// A TCP port already held by another listener ends the simulator at once (no hang),
    /// naming the port; the run directory is kept, and its place said, since something failed.
    @Test func tcpPortInUseIsNamedAndExitsAtOnce() throws {
        let holder = try ModbusTCPServer(host: "127.0.0.1", port: 0, units: ServedUnits([:]))
        let start = ContinuousClock.now
        let result = try CLI.run(["simulate", "--tcp", "127.0.0.1:\(holder.port)", "--duration", "60"], timeout: 20)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("127.0.0.1:\(holder.port) is already in use"), "\(result.stderr)")
        #expect(ContinuousClock.now - start < .seconds(15))
        let kept = result.stderr.components(separatedBy: "run directory kept for inspection: ").dropFirst().first?
            .components(separatedBy: ")").first
        #expect(kept.map { FileManager.default.fileExists(atPath: $0) } == true, "\(result.stderr)")
        if let kept, kept.hasPrefix("/tmp/hepabus-sim-") { try? FileManager.default.removeItem(atPath: kept) }
    }

    /// A run that ends as asked removes the run directory it made.
    @Test func cleanRunRemovesItsRunDirectory() throws {
        let result = try CLI.run(["simulate", "--duration", "0.3"], timeout: 20)
        #expect(result.status == 0, "\(result.stderr)")
        let manifest = result.stdout.components(separatedBy: "manifest: ").dropFirst().first?
            .components(separatedBy: "\n").first
        let directory = try #require(manifest.map { ($0 as NSString).deletingLastPathComponent }, "\(result.stdout)")
        #expect(directory.hasPrefix("/tmp/hepabus-sim-"))
        #expect(!FileManager.default.fileExists(atPath: directory), "\(directory) left behind")
    }

    /// A run directory the caller named is the caller's: kept.
    @Test func namedRunDirectoryIsKept() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hepabus-cli-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try CLI.run(["simulate", "--duration", "0.3", "--run-directory", directory], timeout: 20)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory + "/manifest.json"))
    }
}

/// `hepabus read` on a TCP endpoint whose host does not resolve says so.
@Suite struct UnresolvableHostCommandTests {
    @Test func readFromAnUnresolvableHostSaysSo() throws {
        let result = try CLI.run(["read", "tcp://nosuchhost.invalid:502", "--unit", "1", "--address", "0"], timeout: 30)
        #expect(result.status != 0)
        #expect(result.stderr.contains("cannot resolve host 'nosuchhost.invalid'"), "\(result.stderr)")
        #expect(!result.stderr.contains("Connection refused"), "\(result.stderr)")
    }
}
