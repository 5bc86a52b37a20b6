import Foundation
import Logging
internal import SystemCalls
import Modbus
import Serial

/// One simulated RS-485 segment: a pseudo-terminal whose primary side a Modbus
/// RTU server holds for every unit on the segment, reachable at a stable path
/// (a symlink, as udev gives real adapters), optionally also over Modbus TCP.
/// It can be unplugged (line closed, path gone) and plugged back at the same path.
///
/// Every segment also has a tap: a second pty, at ``tapPath``, on which the
/// server repeats the segment's traffic in both directions, as a second RS-485
/// adapter clipped onto the bus would hear it (`hepabus sniff`). The tap outlives
/// unplug/replug, so a listener stays attached while the line comes and goes.
final class SimulatedBusLine: @unchecked Sendable {
    let name: String
    let settings: SerialSettings
    let units: ServedUnits
    /// The stable path clients open.
    let path: String
    /// The stable path listeners open: `<path>.tap`.
    let tapPath: String
    let emulatesWireTime: Bool
    /// The simulator's logger, with this segment's name as `bus` metadata.
    let logger: Logger
    private let lock = NSLock()
    private var pty: PseudoTerminal?
    private var server: ModbusRTUServer?
    /// Created at the first plug, kept until ``stop()``.
    private var tap: PseudoTerminal?
    private(set) var tcp: ModbusTCPServer?

    init(name: String, settings: SerialSettings, units: ServedUnits, path: String, emulatesWireTime: Bool, logger: Logger) {
        var logger = logger
        logger[metadataKey: "bus"] = "\(name)"
        self.logger = logger
        self.name = name
        self.settings = settings
        self.units = units
        self.path = path
        self.tapPath = path + ".tap"
        self.emulatesWireTime = emulatesWireTime
    }

    /// The pty the path points at now, nil while unplugged.
    var ptyPath: String? { lock.withLock { pty?.secondaryPath } }
    var isPlugged: Bool { lock.withLock { pty != nil } }

    /// Opens a new pty, starts serving it and points the stable path at it.
    func plug() throws {
        try lock.withLock {
            guard pty == nil else { return }
            let listenerTap = try openTap()
            let newPty = try PseudoTerminal()
            let newServer = ModbusRTUServer(pty: newPty, units: units, settings: settings, emulatesWireTime: emulatesWireTime,
                                            tap: listenerTap, logger: logger)
            newServer.start()
            FileSystem.removeLink(path)
            do throws(SystemCallError) {
                try FileSystem.createSymbolicLink(at: path, to: newPty.secondaryPath)
            } catch {
                newServer.stop()
                throw SimulatorError("cannot link \(path) to \(newPty.secondaryPath): \(error.reason)")
            }
            pty = newPty
            server = newServer
            logger.info("plugged: \(path) -> \(newPty.secondaryPath)")
        }
    }

    /// The tap, created and linked at its stable path the first time (lock held).
    private func openTap() throws -> PseudoTerminal {
        if let tap { return tap }
        let newTap = try PseudoTerminal()
        FileSystem.removeLink(tapPath)
        do throws(SystemCallError) {
            try FileSystem.createSymbolicLink(at: tapPath, to: newTap.secondaryPath)
        } catch {
            throw SimulatorError("cannot link \(tapPath) to \(newTap.secondaryPath): \(error.reason)")
        }
        tap = newTap
        return newTap
    }

    /// Closes the line as a pulled USB adapter would: clients see the port vanish.
    /// The tap stays: a listener hears the silence, then the line again after a replug.
    func unplug() {
        let wasPlugged = lock.withLock { () -> Bool in
            defer {
                server?.stop()
                server = nil
                FileSystem.removeLink(path)
                pty?.close()
                pty = nil
            }
            return pty != nil
        }
        if wasPlugged { logger.info("unplugged: \(path) is gone") }
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
            // After the server (unplug stopped it), which writes to the tap.
            if tap != nil { FileSystem.removeLink(tapPath) }
            tap?.close()
            tap = nil
        }
    }
}

/// A simulator set-up or control failure, in words.
public struct SimulatorError: Error, CustomStringConvertible, Sendable {
    public var description: String
    /// A failure described in words.
    public init(_ description: String) { self.description = description }
}
