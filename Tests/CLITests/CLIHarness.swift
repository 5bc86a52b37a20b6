import Foundation
import Modbus
import Serial

/// Runs the real `hepabus` executable as a technician would, and captures what it says.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum CLI {
    /// The `hepabus` built beside this test bundle.
    static var executable: URL {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        // Swift Testing may run from inside the .xctest bundle's directory.
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("hepabus").path),
              directory.path != "/" {
            directory = directory.deletingLastPathComponent()
        }
        return directory.appendingPathComponent("hepabus")
    }

    /// Runs `hepabus ARGS`, killing it if it outlives `timeout` (a hang is a failure, not a wait).
    static func run(_ arguments: [String], timeout: TimeInterval = 20, environment: [String: String] = [:]) throws -> CLIResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes concurrently so a chatty child never blocks on a full pipe.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning {
            process.terminate()
            // A hung child may ignore SIGTERM too: the deadline must hold regardless.
            let grace = Date().addingTimeInterval(5)
            while process.isRunning && Date() < grace { usleep(5_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            group.wait()
            return CLIResult(status: -1, stdout: String(decoding: outData, as: UTF8.self),
                             stderr: "TIMED OUT after \(timeout) s\n" + String(decoding: errData, as: UTF8.self))
        }
        process.waitUntilExit()
        group.wait()
        return CLIResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
    }
}

/// A served RTU line (pty) and TCP port for the CLI to talk to.
final class ServedLine {
    let units: ServedUnits
    let pty: PseudoTerminal
    let rtu: ModbusRTUServer
    let tcp: ModbusTCPServer

    init(units ids: [UInt8] = [1]) throws {
        var models: [UInt8: any ModbusDataModel] = [:]
        for id in ids {
            models[id] = RegisterMap(coils: 32, discreteInputs: 32, holdingRegisters: 200, inputRegisters: 200,
                                     serverID: [id, 0xFF])
        }
        units = ServedUnits(models)
        pty = try PseudoTerminal()
        rtu = ModbusRTUServer(pty: pty, units: units)
        rtu.start()
        tcp = try ModbusTCPServer(host: "127.0.0.1", port: 0, units: units)
        tcp.start()
    }

    var path: String { pty.secondaryPath }
    var tcpEndpoint: String { "tcp://127.0.0.1:\(tcp.port)" }
    func model(_ unit: UInt8) -> RegisterMap { units.model(for: unit) as! RegisterMap }

    deinit {
        rtu.stop()
        tcp.stop()
    }
}
