import Circuit
import CircuitConfiguration
import FirmwareProtocols
import Foundation
import Modbus
import Simulator

/// The circuit a scenario runs against: the simulator (started here, on ptys, wire time
/// emulated at the buses' baud rates) or a rig of real devices at the circuit file's
/// endpoints. Injections go through the simulator's own control socket; device outputs
/// are read from what reached the simulated device, or on a rig from the device's read-back.
final class CircuitUnderTest: Sendable {
    let circuit: CircuitConfiguration
    /// Where the runtime opens each bus (empty on a rig: the circuit file's ports).
    let endpoints: [String: BusEndpoint]
    let simulator: CircuitSimulator?
    /// Where the journal goes.
    let runDirectory: String

    private init(circuit: CircuitConfiguration, endpoints: [String: BusEndpoint], simulator: CircuitSimulator?, runDirectory: String) {
        self.circuit = circuit
        self.endpoints = endpoints
        self.simulator = simulator
        self.runDirectory = runDirectory
    }

    /// Starts the simulated circuit.
    static func simulated(_ circuit: CircuitConfiguration) throws -> CircuitUnderTest {
        var options = CircuitSimulator.Options()
        options.emulatesWireTime = true
        let simulator = try CircuitSimulator(layout: SimulatedCircuitLayout(configuration: circuit), options: options)
        try simulator.start()
        let endpoints = Dictionary(uniqueKeysWithValues: simulator.manifest.buses.map { ($0.name, BusEndpoint.serial(path: $0.endpoint)) })
        return CircuitUnderTest(circuit: circuit, endpoints: endpoints, simulator: simulator, runDirectory: simulator.runDirectory)
    }

    /// The rig: real devices where the circuit file says.
    static func rig(_ circuit: CircuitConfiguration) throws -> CircuitUnderTest {
        var template = Array("/tmp/hepabus-hil-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw CircuitError("cannot create a run directory in /tmp") }
        return CircuitUnderTest(circuit: circuit, endpoints: [:], simulator: nil, runDirectory: String(cString: made))
    }

    /// Sends a control line to the simulator's control socket (the `hepabus simctl` path)
    /// and throws its error reply.
    func inject(_ line: String) throws {
        guard let simulator else { throw CircuitError("no simulator on a rig") }
        let reply = try ControlClient.send(line, to: simulator.manifest.control)
        guard let data = reply.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw CircuitError("the simulator answered '\(reply)'")
        }
        guard object["ok"] as? Bool == true else {
            throw CircuitError("the simulator refused '\(line)': \(object["error"] as? String ?? reply)")
        }
    }

    func stop() { simulator?.stop() }

    // MARK: Device outputs

    /// Whether `expectation` holds now, and what was seen.
    func check(_ expectation: OutputExpectation, snapshot: CircuitSnapshot) -> (holds: Bool, seen: String) {
        let named: CircuitRole? = switch expectation.actuator {
        case "returnClamp": .airDetector
        case "heater": .plasmaHeater
        default: CircuitRole(rawValue: expectation.actuator)
        }
        guard let role = named, circuit.device(role) != nil else {
            return (false, "the circuit has no actuator '\(expectation.actuator)'")
        }
        if simulator != nil, let (register, bit) = Self.controlBit(role) {
            // What reached the simulated device over the wire: its control register.
            let check = self.check(RegisterExpectation(role: role.rawValue, register: register, bit: bit.index, bitName: bit.name,
                                                       comparison: .near(1, tolerance: 0.1)))
            guard let isSet = check.value.map({ $0 == 1 }) else { return (false, check.seen) }
            let state: OutputState = switch role {
            case .airDetector: isSet ? .open : .closed
            case .plasmaHeater: isSet ? .on : .off
            default: isSet ? .running : .stopped
            }
            return (state == expectation.state, "\(expectation.actuator) \(state.rawValue) (\(register).\(bit.name) = \(isSet ? 1 : 0) on the device)")
        }
        // The device's own read-back (a rig, or the line pump).
        let state: OutputState?
        switch snapshot[role]?.reading {
        case .pump(let r)?: state = r.isRunning ? .running : .stopped
        case .linePump(let s)?: state = s.isRunning ? .running : .stopped
        case .airDetector(let r)?: state = r.clampPosition == .closed ? .closed : (r.clampPosition == .open ? .open : nil)
        case .heater(let r)?: state = r.isOff ? .off : .on
        default: state = nil
        }
        guard let state else { return (false, "\(expectation.actuator): no read-back (\(snapshot[role]?.reading?.summary ?? "no reading"))") }
        return (state == expectation.state, "\(expectation.actuator) \(state.rawValue) (read back)")
    }

    /// The control-register bit that commands each actuator.
    static func controlBit(_ role: CircuitRole) -> (register: String, bit: (index: Int, name: String))? {
        switch role {
        case .airDetector: ("controlWord", (0, "clampOpen"))
        case .plasmaHeater: ("controlWord", (0, "enable"))
        case .bloodPump, .plasmaPump, .recirculationPump, .infusionPump: ("controlWord", (0, "run"))
        default: nil
        }
    }

    /// Reads a simulated device's register as the wire left it.
    func check(_ expectation: RegisterExpectation) -> (holds: Bool, value: Double?, seen: String) {
        guard let simulator, let device = simulator.device(role: expectation.role) else {
            return (false, nil, "no simulated Modbus device plays \(expectation.role)")
        }
        guard let definition = device.family.register(named: expectation.register) else {
            return (false, nil, "\(expectation.role) has no register \(expectation.register)")
        }
        let table: ModbusTable = definition.table == .input ? .input : .holding
        let words: [UInt16]
        do {
            words = try device.read(table, address: definition.address, count: definition.width)
        } catch {
            return (false, nil, "reading \(expectation.register) of \(expectation.role) failed: exception \(error)")
        }
        let value: Double
        if let bit = expectation.bit {
            value = Double((words[0] >> UInt16(bit)) & 1)
        } else {
            do {
                value = try definition.decode(words)
            } catch {
                return (false, nil, "\(expectation.role) \(expectation.register): \(error)")
            }
        }
        let name = expectation.register + (expectation.bit.map { " bit \(expectation.bitName ?? String($0))" } ?? "")
        return (expectation.comparison.holds(for: value), value, "\(expectation.role) \(name) = \(formatNumber(value))")
    }
}
