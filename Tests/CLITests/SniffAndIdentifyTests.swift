import Foundation
import Glibc
import Modbus
import Serial
import Simulator
import Testing

/// The bal circuit, simulated in this process, for `hepabus` to talk to over its ptys.
private final class SimulatedBal {
    let simulator: CircuitSimulator

    init() throws {
        simulator = try CircuitSimulator(layout: .preset("bal"))
        try simulator.start()
    }

    deinit { simulator.stop() }

    func bus(_ name: String) throws -> SimulatorManifest.Bus {
        try #require(simulator.manifest.buses.first { $0.name == name })
    }

    func device(_ role: String) throws -> any SimulatedDevice {
        try #require(simulator.device(role: role))
    }
}

/// `hepabus` running in the background while the test drives the bus, with its
/// output collected as it comes; killed if it outlives its deadline.
private final class BackgroundCLI: @unchecked Sendable {
    private let process = Process()
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()
    private let done = DispatchGroup()

    init(_ arguments: [String]) throws {
        process.executableURL = CLI.executable
        process.arguments = arguments
        let outPipe = Pipe(), errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        for (pipe, isError) in [(outPipe, false), (errPipe, true)] {
            done.enter()
            Thread.detachNewThread { [self] in
                let handle = pipe.fileHandleForReading
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    lock.withLock { if isError { err += chunk } else { out += chunk } }
                }
                done.leave()
            }
        }
    }

    var stderr: String { lock.withLock { String(decoding: err, as: UTF8.self) } }

    /// Waits (bounded) until standard error contains `text`.
    func waitForStderr(containing text: String, within: Duration = .seconds(10)) -> Bool {
        let deadline = ContinuousClock.now + within
        while ContinuousClock.now < deadline {
            if stderr.contains(text) { return true }
            if !process.isRunning { return stderr.contains(text) }
            usleep(10_000)
        }
        return false
    }

    /// Waits (bounded) for the process to end; kills it past the deadline (status -1).
    func finish(within: Duration = .seconds(10)) -> CLIResult {
        let deadline = ContinuousClock.now + within
        while process.isRunning && ContinuousClock.now < deadline { usleep(5_000) }
        var timedOut = false
        if process.isRunning {
            timedOut = true
            process.terminate()
        }
        process.waitUntilExit()
        done.wait()
        return lock.withLock {
            CLIResult(status: timedOut ? -1 : process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                      stderr: (timedOut ? "TIMED OUT\n" : "") + String(decoding: err, as: UTF8.self))
        }
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}

private func jsonObject(_ line: some StringProtocol) -> [String: Any]? {
    try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
}

@Suite(.serialized) struct IdentifyCommandTests {
    @Test func identifiesSimulatedDevicesWithFamilySerialAndStatusNames() throws {
        let bal = try SimulatedBal()
        // Status bits by name: forced on top of what each device reports itself.
        try bal.device("bloodPump").setForcedStatusBits(1 << 2)           // doorOpen
        try bal.device("venousPressure").setForcedStatusBits(1 << 3)      // zeroed
        try bal.device("plasmaHeater").setForcedStatusBits(1 << 3)        // elementSensorFault
        let cases: [(role: String, bus: String, unit: Int, family: String, status: String, register: String)] = [
            ("bloodPump", "blood", 1, "peristalticPump", "doorOpen", "actualSpeed"),
            ("venousPressure", "blood", 4, "pressureSensor", "zeroed", "pressure"),
            ("plasmaHeater", "plasma", 6, "heater", "elementSensorFault", "outletTemperature"),
        ]
        for c in cases {
            let serial = try bal.device(c.role).identity.serialNumber
            let endpoint = try bal.bus(c.bus).endpoint
            let result = try CLI.run(["identify", endpoint, "--parity", "even", "--unit", "\(c.unit)"])
            #expect(result.status == 0, "\(c.role): \(result.stderr)")
            #expect(result.stdout.contains("family           \(c.family)"), "\(c.role): \(result.stdout)")
            #expect(result.stdout.contains("serialNumber     \(serial)"), "\(c.role): \(result.stdout)")
            #expect(result.stdout.contains("protocolVersion  1.0"))
            #expect(result.stdout.contains("\"HepaBus \(c.family) sim\""), "FC17 shown as text: \(result.stdout)")
            #expect(result.stdout.contains("status: \(c.status)"), "\(c.role): \(result.stdout)")
            #expect(result.stdout.contains(c.register))

            let json = try CLI.run(["identify", endpoint, "--parity", "even", "--unit", "\(c.unit)", "--json"])
            #expect(json.status == 0, "\(c.role): \(json.stderr)")
            let object = try #require(jsonObject(json.stdout), "\(json.stdout)")
            #expect(object["family"] as? String == c.family)
            #expect(object["serialNumber"] as? Int == Int(serial))
            #expect(object["protocolVersion"] as? String == "1.0")
            #expect(object["firmwareVersion"] as? String == "1.0")
            #expect(object["vendorID"] as? String == "0x4842")
            #expect(object["status"] as? [String] == [c.status])
            let registers = try #require(object["registers"] as? [String: [String: Any]])
            #expect(registers[c.register]?["raw"] is Int)
            #expect(registers[c.register]?["value"] is Double || registers[c.register]?["value"] is Int, "\(registers)")
        }
        // The venous pressure, as a number in its unit.
        let venous = try CLI.run(["identify", try bal.bus("blood").endpoint, "--parity", "even", "--unit", "4", "--json"])
        let registers = jsonObject(venous.stdout)?["registers"] as? [String: [String: Any]]
        #expect(registers?["pressure"]?["unit"] as? String == "mmHg")
        #expect((-700.0...700.0).contains(registers?["pressure"]?["value"] as? Double ?? -1000), "\(venous.stdout)")
    }

    /// A served line whose unit 1 holds exactly the identity and readings a test gives it.
    final class CraftedDevice {
        let pty: PseudoTerminal
        let server: ModbusRTUServer
        let map = RegisterMap(holdingRegisters: 0x300, inputRegisters: 0x300, serverID: [7, 0xFF] + Array("crafted".utf8))

        init(identity: [UInt16], inputs: [UInt16] = []) throws {
            try map.store(.input, address: 0, values: identity)
            if !inputs.isEmpty { try map.store(.input, address: 0x200, values: inputs) }
            pty = try PseudoTerminal()
            server = ModbusRTUServer(pty: pty, units: ServedUnits([1: map]))
            server.start()
        }

        deinit { server.stop() }
    }

    @Test func anImplausibleValueIsSaidSoNotPrintedAsANumber() throws {
        // A pressure sensor (family 2) reading 800.0 mmHg: outside its plausible -700…700.
        let device = try CraftedDevice(identity: [2, 0x0100, 0x4842, 7, 0x0102, 0, 42, 0xAABB, 0xCCDD],
                                       inputs: [8000, 1 << 1 | 1 << 9, UInt16(bitPattern: -500), 600])
        let result = try CLI.run(["identify", device.pty.secondaryPath, "--unit", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("pressure      implausible: 800.0 mmHg"), "\(result.stdout)")
        #expect(!result.stdout.contains("pressure      800.0"))
        #expect(result.stdout.contains("firmwareVersion  1.2"))
        #expect(result.stdout.contains("status: overRange, undefined bit 9"), "\(result.stdout)")
        let json = try CLI.run(["identify", device.pty.secondaryPath, "--unit", "1", "--json"])
        let object = try #require(jsonObject(json.stdout), "\(json.stdout)")
        let pressure = (object["registers"] as? [String: [String: Any]])?["pressure"]
        #expect(pressure?["raw"] as? Int == 8000)
        #expect((pressure?["value"] as? String)?.hasPrefix("implausible: 800.0") == true, "\(String(describing: pressure))")
        #expect(object["serverID"] as? String == "server id 0x07, run indicator on, \"crafted\"")
    }

    @Test func anUnknownFamilyOrAForeignDeviceExitsOneSayingWhy() throws {
        let unknown = try CraftedDevice(identity: [42, 0x0100, 0x4842, 7, 0x0100, 0, 1, 0xAABB, 0xCCDD])
        let result = try CLI.run(["identify", unknown.pty.secondaryPath, "--unit", "1"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("family code 42"), "\(result.stderr)")
        #expect(result.stderr.contains("1 peristalticPump"))

        let swapped = try CraftedDevice(identity: [1, 0x0100, 0x4842, 7, 0x0100, 0, 1, 0xCCDD, 0xAABB])
        let probe = try CLI.run(["identify", swapped.pty.secondaryPath, "--unit", "1"])
        #expect(probe.status == 1)
        #expect(probe.stderr.contains("word-order probe reads 0xCCDDAABB"), "\(probe.stderr)")
        #expect(probe.stderr.contains("low word first"))

        let silent = try CLI.run(["identify", unknown.pty.secondaryPath, "--unit", "9", "--timeout", "100"], timeout: 10)
        #expect(silent.status == 1)
        #expect(silent.stderr.contains("timeout") && silent.stderr.contains("unit 9"), "\(silent.stderr)")
        #expect(try CLI.run(["identify", unknown.pty.secondaryPath, "--unit", "0"]).status == 2)
    }
}

@Suite(.serialized) struct SniffCommandTests {
    @Test func sniffDecodesTheTrafficOfABusTapAsJSON() throws {
        let bal = try SimulatedBal()
        let blood = try bal.bus("blood")
        let tap = try #require(blood.tap)
        #expect(tap == bal.simulator.runDirectory + "/blood.tap")
        let sniffer = try BackgroundCLI(["sniff", tap, "--parity", "even", "--count", "4", "--json", "--duration", "20"])
        #expect(sniffer.waitForStderr(containing: "sniffing"), "\(sniffer.stderr)")
        // Another client (the treatment, a technician) uses the bus meanwhile.
        let client = try ModbusClient(endpoint: .rtu(path: blood.endpoint, settings: SerialSettings(baudRate: 115200, parity: .even)))
        let arterial = try client.readInputRegisters(unit: 2, address: 0x0200, count: 2)
        let identity = try client.readInputRegisters(unit: 4, address: 0x0000, count: 9)
        client.close()
        let result = sniffer.finish()
        #expect(result.status == 0, "\(result.stderr)")
        let objects = result.stdout.split(separator: "\n").compactMap(jsonObject)
        let frames = objects.filter { $0["summary"] == nil }
        try #require(frames.count == 4, "\(result.stdout)\n\(result.stderr)")
        // The last object sums up, unread bytes included (issue 9, item 6).
        let summary = try #require(objects.last?["summary"] as? [String: Any], "\(result.stdout)")
        #expect(summary["frames"] as? Int == 4 && summary["bad_crc"] as? Int == 0)
        #expect(summary["unread_bytes"] as? Int == 0 && summary["unread_queued"] as? Int == 0, "\(summary)")
        #expect(frames.map { $0["direction"] as? String } == ["request", "response", "request", "response"])
        #expect(frames.map { $0["unit"] as? Int } == [2, 2, 4, 4])
        #expect(frames.allSatisfy { $0["function"] as? Int == 4 && $0["function_name"] as? String == "read input registers" })
        #expect(frames.allSatisfy { $0["crc"] as? String == "ok" })
        #expect(frames[0]["address"] as? Int == 0x200 && frames[0]["count"] as? Int == 2)
        #expect(frames[0]["raw"] as? String == hexString(CRC16.appending(to: [2, 0x04, 0x02, 0x00, 0x00, 0x02])))
        #expect(frames[1]["values"] as? [Int] == arterial.map(Int.init))
        #expect(frames[3]["values"] as? [Int] == identity.map(Int.init))
        #expect(frames.allSatisfy { ($0["time"] as? String)?.hasSuffix("Z") == true })
        #expect(result.stderr.contains("4 frames"))
        #expect(result.stderr.contains("0 bytes unread at the end"), "\(result.stderr)")
    }

    /// Stopped at --count, sniff says how many bytes it heard and did not show,
    /// and how many it never read (issue 9, item 6).
    @Test func sniffStoppedAtItsCountReportsTheBytesLeftUnread() throws {
        let tap = try PseudoTerminal()
        let sniffer = try BackgroundCLI(["sniff", tap.secondaryPath, "--count", "1", "--json", "--duration", "20"])
        #expect(sniffer.waitForStderr(containing: "sniffing"), "\(sniffer.stderr)")
        // Two requests in one write: the first is shown; the second is heard past the
        // count, held by the decoder or left on the line, depending on how reads fall.
        let first = CRC16.appending(to: [1, 0x03, 0x00, 0x00, 0x00, 0x01])
        let second = CRC16.appending(to: [2, 0x03, 0x00, 0x00, 0x00, 0x01])
        let burst = first + second
        #expect(burst.withUnsafeBytes { write(tap.primaryDescriptor, $0.baseAddress, $0.count) } == burst.count)
        let result = sniffer.finish()
        #expect(result.status == 0, "\(result.stderr)")
        let objects = result.stdout.split(separator: "\n").compactMap(jsonObject)
        try #require(objects.count == 2, "\(result.stdout)")
        let summary = try #require(objects[1]["summary"] as? [String: Any])
        #expect(summary["frames"] as? Int == 1)
        #expect(summary["unread_bytes"] as? Int == second.count, "\(summary)")
        #expect(result.stderr.contains("8 bytes unread at the end ("), "\(result.stderr)")
    }

    @Test func aCorruptedFrameIsShownWithCRCBad() throws {
        let bal = try SimulatedBal()
        let blood = try bal.bus("blood")
        let sniffer = try BackgroundCLI(["sniff", try #require(blood.tap), "--parity", "even", "--count", "2", "--duration", "20"])
        #expect(sniffer.waitForStderr(containing: "sniffing"), "\(sniffer.stderr)")
        try bal.simulator.inject(.corruptCRC, role: "venousPressure", count: 1)
        let client = try ModbusClient(endpoint: .rtu(path: blood.endpoint, settings: SerialSettings(baudRate: 115200, parity: .even)))
        #expect(throws: ModbusError.self) { _ = try client.readInputRegisters(unit: 4, address: 0x0200, count: 1) }
        client.close()
        let result = sniffer.finish()
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        try #require(lines.count == 2, "\(result.stdout)")
        #expect(lines[0].contains("  REQ  unit 4  FC04 read input registers  addr 0x0200 count 1  CRC ok  ["), "\(lines[0])")
        #expect(lines[1].contains("  RSP  unit 4  FC04 read input registers  values ["), "\(lines[1])")
        #expect(lines[1].contains("CRC BAD (expected 0x"), "\(lines[1])")
        #expect(result.stderr.contains("1 with a bad CRC"))
    }

    @Test func theTapStaysAtItsPathAcrossUnplugAndReplug() throws {
        let bal = try SimulatedBal()
        let blood = try bal.bus("blood")
        let tap = try #require(blood.tap)
        #expect(try bal.bus("heparin").tap == nil)  // a line-protocol segment has no Modbus tap
        let before = try FileManager.default.destinationOfSymbolicLink(atPath: tap)
        let sniffer = try BackgroundCLI(["sniff", tap, "--parity", "even", "--count", "2", "--duration", "20"])
        #expect(sniffer.waitForStderr(containing: "sniffing"), "\(sniffer.stderr)")
        try bal.simulator.unplug(bus: "blood")
        try bal.simulator.replug(bus: "blood")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: tap) == before)
        #expect(try bal.bus("blood").tap == tap)
        // The listener, attached all along, hears the line again.
        let client = try ModbusClient(endpoint: .rtu(path: blood.endpoint, settings: SerialSettings(baudRate: 115200, parity: .even)))
        _ = try client.readHoldingRegisters(unit: 1, address: 0x0202, count: 1)
        client.close()
        let result = sniffer.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("REQ  unit 1  FC03 read holding registers  addr 0x0202 count 1  CRC ok"), "\(result.stdout)")
        #expect(result.stdout.contains("RSP  unit 1  FC03 read holding registers  values [8000]  CRC ok"), "\(result.stdout)")
    }

    @Test func sniffStopsAfterItsDurationOnAQuietBus() throws {
        let bal = try SimulatedBal()
        let started = ContinuousClock.now
        let result = try CLI.run(["sniff", try #require(try bal.bus("plasma").tap), "--duration", "0.5"], timeout: 10)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("0 frames"))
        #expect(ContinuousClock.now - started < .seconds(8))
    }

    /// 8E1 unless told otherwise (issue 9, item 7); the same tap opens listener after listener (item 5).
    @Test func sniffListensAt8E1ByDefaultTimeAfterTime() throws {
        let tap = try PseudoTerminal()
        for _ in 0..<2 {
            let result = try CLI.run(["sniff", tap.secondaryPath, "--duration", "0.2"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.contains("at 115200 8E1"), "\(result.stderr)")
        }
        let explicit = try CLI.run(["sniff", tap.secondaryPath, "--parity", "none", "--duration", "0.2"])
        #expect(explicit.status == 0, "\(explicit.stderr)")
        #expect(explicit.stderr.contains("at 115200 8N1"), "\(explicit.stderr)")
    }

    @Test func sniffNamesAPortItCannotOpenAndRefusesBadArguments() throws {
        let missing = try CLI.run(["sniff", "/dev/hepabus-no-such-port", "--count", "1"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("/dev/hepabus-no-such-port"), "\(missing.stderr)")
        for (arguments, mentioned) in [(["sniff", "tcp://127.0.0.1:502"], "tcp://"),
                                       (["sniff", "/dev/null", "--count", "0"], "--count"),
                                       (["sniff", "/dev/null", "--duration", "-1"], "--duration"),
                                       (["sniff", "ttyUSB0"], "absolute"),
                                       (["sniff", "/dev/null", "--parity", "mark"], "--parity")] {
            let result = try CLI.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(mentioned), "\(arguments): \(result.stderr)")
        }
    }
}
