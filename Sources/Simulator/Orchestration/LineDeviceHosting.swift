public import Modbus

/// A simulated device that speaks a line protocol on its own pseudo-terminal
/// (not Modbus), hosted by the circuit simulator beside the Modbus segments.
public protocol LineDeviceHosting: AnyObject, Sendable {
    /// The bus (line) name in the layout.
    var busName: String { get }
    /// The stable path clients open.
    var path: String { get }
    /// The pty behind it now, nil while unplugged.
    var ptyPath: String? { get }
    /// Starts serving, with the stable link to the pty in `directory`.
    func start(directory: String) throws
    /// Stops serving.
    func stop()
    /// Closes the line: clients see the port vanish.
    func unplug()
    /// Reopens the line at the same stable path.
    func replug() throws
    /// Transport faults, mapped onto the line protocol (silence, delay, corrupted checksum, garbage, refusal).
    func inject(_ fault: ModbusServerFault, count: Int?) throws
    /// Removes every injected transport fault.
    func clearFaults()
    /// Device conditions by name (e.g. doorOpen).
    func setCondition(_ name: String, to value: String) throws
    /// The device's state as a JSON object.
    func statusJSON() -> String
}
