import Foundation
import Glibc
import Modbus
import Serial

/// One simulated RS-485 segment: a pseudo-terminal whose primary side a Modbus
/// RTU server holds for every unit on the segment, reachable at a stable path
/// (a symlink, as udev gives real adapters), optionally also over Modbus TCP.
/// It can be unplugged (line closed, path gone) and plugged back at the same path.
final class SimulatedBusLine: @unchecked Sendable {
    let name: String
    let settings: SerialSettings
    let units: ServedUnits
    /// The stable path clients open.
    let path: String
    let emulatesWireTime: Bool
    private let lock = NSLock()
    private var pty: PseudoTerminal?
    private var server: ModbusRTUServer?
    private(set) var tcp: ModbusTCPServer?

    init(name: String, settings: SerialSettings, units: ServedUnits, path: String, emulatesWireTime: Bool) {
        self.name = name
        self.settings = settings
        self.units = units
        self.path = path
        self.emulatesWireTime = emulatesWireTime
    }

    /// The pty the path points at now, nil while unplugged.
    var ptyPath: String? { lock.withLock { pty?.secondaryPath } }
    var isPlugged: Bool { lock.withLock { pty != nil } }

    /// Opens a new pty, starts serving it and points the stable path at it.
    func plug() throws {
        try lock.withLock {
            guard pty == nil else { return }
            let newPty = try PseudoTerminal()
            let newServer = ModbusRTUServer(pty: newPty, units: units, settings: settings, emulatesWireTime: emulatesWireTime)
            newServer.start()
            unlink(path)
            guard symlink(newPty.secondaryPath, path) == 0 else {
                newServer.stop()
                throw SimulatorError("cannot link \(path) to \(newPty.secondaryPath): \(String(cString: strerror(errno)))")
            }
            pty = newPty
            server = newServer
        }
    }

    /// Closes the line as a pulled USB adapter would: clients see the port vanish.
    func unplug() {
        lock.withLock {
            server?.stop()
            server = nil
            unlink(path)
            pty?.close()
            pty = nil
        }
    }

    /// Also serves the segment's units over Modbus TCP.
    func serveTCP(host: String, port: UInt16) throws {
        let server = try ModbusTCPServer(host: host, port: port, units: units)
        server.start()
        lock.withLock { tcp = server }
    }

    func stop() {
        unplug()
        lock.withLock {
            tcp?.stop()
            tcp = nil
        }
    }
}

/// A simulator set-up or control failure, in words.
public struct SimulatorError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
