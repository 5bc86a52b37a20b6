import FirmwareProtocols
import Foundation
import Logging
import Modbus

extension CircuitSimulator {
    /// Runs one control line and answers with one JSON line.
    func handleControlLine(_ line: String) -> String {
        let logger = options.logger
        do {
            let command = try ControlCommand.parse(line)
            let answer = try perform(command)
            // Read-only commands (a rig may poll status) only at debug.
            let level: Logger.Level = switch command { case .help, .status: .debug; default: .info }
            logger.log(level: level, "control: \(line)", metadata: ["control": "\(line)"])
            return answer
        } catch let error as ControlCommandError {
            logger.warning("control: \(line) refused: \(error)", metadata: ["control": "\(line)"])
            return reply(ok: false, error: error.description)
        } catch {
            logger.warning("control: \(line) refused: \(error)", metadata: ["control": "\(line)"])
            return reply(ok: false, error: "\(error)")
        }
    }

    /// Carries out a control command; the reply is a JSON object with "ok".
    public func perform(_ command: ControlCommand) throws -> String {
        switch command {
        case .help:
            return reply(ok: true, extra: "\"help\":\"\(jsonEscape(helpText))\"")
        case .status:
            return reply(ok: true, extra: "\"status\":\(statusJSON())")
        case .transportFault(let role, let fault, let count):
            try inject(fault, role: role, count: count)
        case .stuck(let role):
            try modbusDevice(role).setMeasurementFault(.stuck)
        case .drift(let role, let rate):
            try modbusDevice(role).setMeasurementFault(.drift(perSecond: rate))
        case .statusBits(let role, let bits):
            try modbusDevice(role).setForcedStatusBits(bits)
        case .clear(let role):
            try clearFaults(role: role)
        case .setProperty(let role, let property, let value):
            if let host = lineDevice(role: role) {
                try host.setCondition(property, to: value)
            } else {
                try modbusDevice(role).setCondition(property, to: value)
            }
        case .condition(let name, let value):
            try setCondition(name, value)
        case .unplug(let bus):
            try unplug(bus: bus)
        case .replug(let bus):
            try replug(bus: bus)
        }
        return reply(ok: true)
    }

    private func modbusDevice(_ role: String) throws -> any SimulatedDevice {
        guard let device = device(role: role) else {
            throw SimulatorError("no Modbus device plays role '\(role)' (roles: \(roles.joined(separator: ", ")))")
        }
        return device
    }

    /// Sets a circuit condition by name from text.
    public func setCondition(_ name: String, _ value: String) throws {
        var c = conditions
        try CircuitConditions.apply(name, value, to: &c)
        conditions = c
    }

    /// The command summary, then what this circuit offers: its circuit conditions and
    /// each role's physical properties (`set ROLE PROPERTY VALUE`).
    var helpText: String {
        var lines = [ControlCommand.helpText]
        lines.append("conditions: " + CircuitConditions.controlNames.map { "\($0.name) (\($0.takes))" }.joined(separator: ", "))
        for role in roles {
            if let device = device(role: role) {
                lines.append("set \(role): " + device.conditionNames.joined(separator: ", "))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Every role's state, from its own registers decoded by the specification.
    func statusJSON() -> String {
        var entries: [String] = []
        for role in roles {
            if let host = lineDevice(role: role) {
                entries.append("\"\(role)\":\(host.statusJSON())")
                continue
            }
            guard let device = device(role: role) else { continue }
            var fields: [String] = ["\"family\":\"\(device.family.family)\""]
            for register in device.family.registers where register.table == .input || register.access != .write {
                let table: ModbusTable = register.table == .input ? .input : .holding
                guard let words = try? device.read(table, address: register.address, count: register.width) else { continue }
                if register.type == .bits {
                    fields.append("\"\(register.name)\":\(words[0])")
                } else if let value = try? register.decode(words) {
                    fields.append("\"\(register.name)\":\(value)")
                } else {
                    fields.append("\"\(register.name)\":null")
                }
            }
            fields.append("\"measurementFault\":\"\(device.measurementFault)\"")
            fields.append("\"forcedStatusBits\":\(device.forcedStatusBits)")
            entries.append("\"\(role)\":{\(fields.joined(separator: ","))}")
        }
        let r = readings
        let c = conditions
        let physics = "{\"arterialPressure\":\(r.arterialPressure),\"preFilterPressure\":\(r.preFilterPressure),"
            + "\"venousPressure\":\(r.venousPressure),\"filtratePressure\":\(r.filtratePressure),"
            + "\"transmembranePressure\":\(r.transmembranePressure),\"plasmaTemperature\":\(r.plasmaTemperature),"
            + "\"conditions\":{\"accessLineRestriction\":\(c.accessLineRestriction),\"returnLineRestriction\":\(c.returnLineRestriction),"
            + "\"returnLineDisconnected\":\(c.returnLineDisconnected),\"separatorClotting\":\(c.separatorClotting),"
            + "\"bloodPathClotting\":\(c.bloodPathClotting),\"membraneFouling\":\(c.membraneFouling),"
            + "\"airInReturnLine\":\(c.airInReturnLine),\"bubbleVolume\":\(c.bubbleVolumeMicroliters),"
            + "\"bloodLeak\":\(c.bloodLeakPartsPerMillion),\"ambientTemperature\":\(c.ambientTemperature)}}"
        return "{\"roles\":{\(entries.joined(separator: ","))},\"physics\":\(physics)}"
    }

    func reply(ok: Bool, error: String? = nil, extra: String? = nil) -> String {
        var fields = ["\"ok\":\(ok)"]
        if let error { fields.append("\"error\":\"\(jsonEscape(error))\"") }
        if let extra { fields.append(extra) }
        return "{\(fields.joined(separator: ","))}"
    }
}

func jsonEscape(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
        }
    }
    return out
}
