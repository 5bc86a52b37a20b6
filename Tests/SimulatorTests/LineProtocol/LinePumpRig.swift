import BusRuntime
import Drivers
import FirmwareProtocols
import Foundation
import HardwareInterfaces
import Serial
import Simulator

/// A simulated line pump served on a real pseudo-terminal behind a stable link path
/// (as udev gives a USB adapter), with the production bus and driver on the other side.
struct LinePumpRig {
    let directory: URL
    let firmware: AsciiPumpFirmware
    let server: AsciiPumpLineServer
    let bus: SerialLineBus
    let pump: AsciiPumpDriver<SerialLineBus>

    /// The line settings of the specification.
    static let settings = SerialSettings(
        baudRate: BaudRate(rawValue: UInt32(AsciiPumpLineProtocol.baudRate)),
        parity: Parity(rawValue: AsciiPumpLineProtocol.parity)!,
        dataBits: DataBits(rawValue: AsciiPumpLineProtocol.dataBits)!,
        stopBits: StopBits(rawValue: AsciiPumpLineProtocol.stopBits)!)

    /// A served pump and its link path, without a bus (for tests that open the line themselves).
    static func served(configuration: AsciiPumpFirmware.Configuration = .init()) throws -> (URL, AsciiPumpFirmware, AsciiPumpLineServer) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hepabus-line-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let firmware = AsciiPumpFirmware(configuration: configuration, time: MonotonicLineFirmwareTime())
        let server = try AsciiPumpLineServer(pumps: [firmware], linkPath: directory.appendingPathComponent("pump").path)
        return (directory, firmware, server)
    }

    /// A rig whose driver waits `replyTimeout` for each reply (the specification's 150 ms
    /// is generous for a pty, but a loaded test machine can stall a thread that long).
    static func make(replyTimeout: Duration = .milliseconds(400), minimumGap: Duration = AsciiPumpLineProtocol.minimumCommandGap) async throws -> LinePumpRig {
        let (directory, firmware, server) = try served()
        let bus = try await SerialLineBus(path: server.linkPath!, settings: settings, minimumGap: minimumGap)
        let pump = try AsciiPumpDriver(device: bus, address: 1, replyTimeout: replyTimeout)
        return LinePumpRig(directory: directory, firmware: firmware, server: server, bus: bus, pump: pump)
    }

    /// Runs `body` with a fresh rig and tears it down afterwards, also when `body` throws.
    static func with(replyTimeout: Duration = .milliseconds(400), minimumGap: Duration = AsciiPumpLineProtocol.minimumCommandGap,
                     _ body: (LinePumpRig) async throws -> Void) async throws {
        let rig = try await make(replyTimeout: replyTimeout, minimumGap: minimumGap)
        do {
            try await body(rig)
        } catch {
            await rig.tearDown()
            throw error
        }
        await rig.tearDown()
    }

    /// Unplugs the line and removes the link's directory.
    func tearDown() async {
        await bus.close()
        server.unplug()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// The DeviceError `body` throws, or nil when it succeeds.
func linePumpFailure<T>(_ body: () async throws(DeviceError) -> T) async -> DeviceError? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error
    }
}

/// The SerialLineError `body` throws, or nil when it succeeds.
func lineBusFailure<T>(_ body: () async throws(SerialLineError) -> T) async -> SerialLineError? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error
    }
}

/// A request line with its checksum and CR.
func linePumpRequest(_ body: String) -> [UInt8] {
    let sum = body.utf8.reduce(UInt8(0), &+)
    let digits = String(sum, radix: 16, uppercase: true)
    return Array((body + ";" + (digits.count == 1 ? "0" : "") + digits + "\r").utf8)
}
