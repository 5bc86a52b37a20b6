import Foundation
import Serial
import Testing

@Suite struct ScanCommandTests {
    @Test func scanFindsTheUnitsThatAnswer() throws {
        let line = try ServedLine(units: [2, 7])
        let result = try CLI.run(["scan", line.path, "--units", "1-8", "--timeout", "50", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let units = (object?["units"] as? [[String: Any]])?.compactMap { $0["unit"] as? Int }
        #expect(units == [2, 7])
        #expect(object?["scanned"] as? Int == 8)
    }

    @Test func scanCountsAnExceptionAsPresent() throws {
        let line = try ServedLine(units: [3])
        let result = try CLI.run(["scan", line.path, "--units", "3,4", "--address", "500", "--timeout", "50"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("unit 3: answered with illegal data address"))
        #expect(result.stdout.contains("1 of 2 units answered"))
    }

    @Test func emptyLineExitsOne() throws {
        let line = try ServedLine(units: [1])
        let result = try CLI.run(["scan", line.path, "--units", "10-12", "--timeout", "30"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no unit answered"))
    }
}

/// Modbus over serial line specifies even parity, and every circuit bus is 8E1 (issue 9, item 7).
@Suite struct SerialDefaultsTests {
    @Test func lineCommandsDefaultToEvenParityAndSaySo() throws {
        // A scan that finds nobody names the settings it tried (the line options of read, write, scan and identify).
        let line = try ServedLine(units: [1])
        let byDefault = try CLI.run(["scan", line.path, "--units", "10-11", "--timeout", "30"])
        #expect(byDefault.status == 1, "\(byDefault.stderr)")
        #expect(byDefault.stderr.contains("probed on \(line.path) at 115200 8E1"), "\(byDefault.stderr)")
        let explicit = try CLI.run(["scan", line.path, "--parity", "none", "--units", "10-11", "--timeout", "30"])
        #expect(explicit.status == 1, "\(explicit.stderr)")
        #expect(explicit.stderr.contains("probed on \(line.path) at 115200 8N1"), "\(explicit.stderr)")
        for command in ["read", "write", "scan", "identify", "sniff"] {
            let help = try CLI.run([command, "--help"])
            #expect(help.stdout.contains("default: even"), "\(command) --help: \(help.stdout)")
        }
    }
}

@Suite struct UsageErrorTests {
    /// Each bad argument gives exit status 2 and a message that names it.
    @Test(arguments: [
        (["read", "/dev/null", "--unit", "300", "--address", "0"], "unit"),
        (["read", "/dev/null", "--unit", "1", "--address", "70000"], "address"),
        (["read", "/dev/null", "--unit", "1", "--address", "zz"], "address"),
        (["read", "/dev/null", "--unit", "1", "--address", "0", "--count", "0"], "--count"),
        (["read", "/dev/null", "--unit", "1", "--address", "0", "--count", "63", "--type", "f32"], "--count"),
        (["read", "/dev/null", "--unit", "1", "--address", "0", "--table", "coil", "--type", "f32"], "--type"),
        (["read", "/dev/null", "--unit", "1", "--address", "0", "--table", "bogus"], "--table"),
        (["read", "/dev/null", "--unit", "0", "--address", "0"], "--unit 0"),
        (["read", "/dev/null", "--unit", "1", "--address", "0", "--times", "3"], "--times"),
        (["read", "/dev/null", "--unit", "1", "--address", "0", "--parity", "mark"], "--parity"),
        (["read", "/dev/null", "--unit", "1", "--address", "0", "--baud", "10"], "--baud"),
        (["read", "ttyUSB0", "--unit", "1", "--address", "0"], "absolute"),
        (["read", "tcp://localhost", "--unit", "1", "--address", "0"], "PORT"),
        (["write", "/dev/null", "--unit", "1", "--address", "0", "--table", "input", "1"], "read-only"),
        (["write", "/dev/null", "--unit", "1", "--address", "0", "70000"], "70000"),
        (["write", "/dev/null", "--unit", "1", "--address", "0", "--table", "coil", "maybe"], "maybe"),
        (["write", "tcp://127.0.0.1:1", "--unit", "0", "--address", "0", "1"], "broadcast"),
        (["scan", "/dev/null", "--units", "5-2"], "backwards"),
        (["frobnicate"], "frobnicate"),
    ])
    func badArgumentIsNamedWithExitTwo(arguments: [String], mentioned: String) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(mentioned), "\(arguments): \(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"))
    }

    @Test func missingPortIsALineFailure() throws {
        let result = try CLI.run(["read", "/dev/hepabus-no-such-port", "--unit", "1", "--address", "0"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no such serial port: /dev/hepabus-no-such-port"))
    }

    @Test func busyPortIsNamed() throws {
        let line = try ServedLine()
        let holder = try CLI.run(["read", line.path, "--unit", "1", "--address", "0", "--poll", "100", "--times", "1"])
        #expect(holder.status == 0)
        // Hold the port in this process, then ask the CLI for it.
        let held = try Serial.SerialPort(path: line.path, settings: .init())
        defer { held.close() }
        let result = try CLI.run(["read", line.path, "--unit", "1", "--address", "0"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("port busy"))
    }

    @Test func helpExitsZero() throws {
        let result = try CLI.run(["read", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("--word-order"))
    }

    @Test func portsListsAsJSON() throws {
        let result = try CLI.run(["ports", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let array = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
        #expect(array != nil)
        for port in array ?? [] { #expect((port["devicePath"] as? String)?.hasPrefix("/dev/") == true) }
    }
}

/// Issue 10, item 5: a `hepabus` copied anywhere, alone, still knows its presets (they
/// are compiled in); it used to trap (exit 132) loading `bal` without its resource bundle.
@Suite struct DeploymentTests {
    @Test func aCopiedBinaryLoadsItsPresetsWithNoResourceBundle() throws {
        let built = CLI.executable.deletingLastPathComponent()
        let bundles = try FileManager.default.contentsOfDirectory(atPath: built.path).filter { $0.hasSuffix(".resources") }
        #expect(bundles.isEmpty, "resource bundles a deployment would have to carry (or stale ones from an older build: remove them): \(bundles)")

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hepabus-deploy-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let copy = directory.appendingPathComponent("hepabus")
        try FileManager.default.copyItem(at: CLI.executable, to: copy)
        for preset in ["bal", "plasma-adsorption", "cell-infusion"] {
            let process = Process()
            process.executableURL = copy
            // Loads the preset, then stops at the missing adapters: a usage error naming the circuit.
            process.arguments = ["udev-rules", "--circuit", preset]
            let err = Pipe()
            process.standardError = err
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(process.terminationReason == .exit && process.terminationStatus == 2, "\(preset): \(process.terminationStatus) \(message)")
            #expect(message.contains("of circuit '\(preset)'"), "\(preset): \(message)")
        }
    }
}
