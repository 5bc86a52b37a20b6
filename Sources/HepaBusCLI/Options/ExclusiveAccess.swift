import ArgumentParser
import BusRuntime
import Circuit
import Modbus
import Serial

/// SAFETY.md: diagnostics writes (register writes, calibration, manual pump runs, the
/// self-test's clamp command) happen only with the bus held exclusively. Every writing
/// command opens its serial ports through the Serial layer's exclusive open (flock, then
/// TIOCEXCL), so a port a treatment, `hepabus demo` or a monitor holds is refused; this
/// turns that refusal into a message that names the holder.
///
/// A Modbus TCP endpoint has no lock HepaBus can take or test: a gateway may serve a
/// treatment on another connection. `hepabus write` says so on standard error and goes
/// on (bench gateways and test rigs); commands that run pumps or the clamp
/// (`calibrate`, `selftest`) refuse a TCP bus unless `--allow-unlocked-tcp` is given.
enum ExclusiveAccess {
    /// The warning for a write over TCP.
    static func tcpWarning(_ endpoint: String) -> String {
        "warning: \(endpoint) is Modbus TCP: HepaBus cannot lock it or tell whether a treatment is using this device "
            + "through the gateway; make sure none is"
    }

    /// Refuses TCP buses for a command that drives actuators, unless the technician said they checked.
    static func checkTCP(_ endpoints: [(bus: String, endpoint: BusEndpoint)], allowUnlocked: Bool, doing what: String) throws {
        let tcp = endpoints.filter { $0.endpoint.isTCP }
        guard !tcp.isEmpty else { return }
        let names = tcp.map { "\($0.bus) (\($0.endpoint.text))" }.joined(separator: ", ")
        guard allowUnlocked else {
            throw CommandFailure.usage("refusing to \(what) over Modbus TCP: bus \(names) cannot be locked, so HepaBus cannot "
                + "tell whether a treatment is using it; check that none is and add --allow-unlocked-tcp")
        }
        Terminal.writeStderr("hepabus: " + tcpWarning(names) + "\n")
    }

    /// A clear refusal if `error` says another process holds a port, else nil.
    static func refusal(_ error: any Error, doing what: String, bus: String? = nil) -> CommandFailure? {
        guard let path = busyPath(error) else { return nil }
        let holder = PortHolder.describe(path) ?? "held by a process the kernel's lock table does not name (TIOCEXCL)"
        let which = bus.map { "bus \($0) (\(path))" } ?? path
        return .device("refusing to \(what): \(which) is in use by another process, \(holder); "
            + "a treatment, `hepabus demo` or a monitor may be running on it. Writes need the bus to themselves: "
            + "stop that process first")
    }

    /// The port a busy-port error is about.
    static func busyPath(_ error: any Error) -> String? {
        if let e = error as? ModbusError, case .serial(.portBusy(let path)) = e { return path }
        if let e = error as? SerialError, case .portBusy(let path) = e { return path }
        if let e = error as? SerialLineError, case .disconnected(let path, let reason) = e, reason.hasPrefix("port busy") { return path }
        return nil
    }
}
