// libFuzzer target: the ASCII pump driver's reply parsing (framing, checksum, address, echo),
// then what the driver does with each command's value fields (AsciiPumpDriver), taking every
// input as a reply to every command. Byte 0 picks the pump address (0-9); the rest is the line.
import FirmwareProtocols
import FuzzSupport
@testable import Drivers

typealias Spec = AsciiPumpLineProtocol

fuzzMain { input in
    guard let first = input.first else { return }
    let address = Int(first % 10)
    let reply = Array(input.dropFirst())
    for command in Spec.Command.allCases {
        guard case .value(let f)? = try? AsciiPumpFraming.parse(reply, address: address, command: command) else { continue }
        precondition(f.count == command.valueFields.count, "a value reply accepted with the wrong number of fields")
        fields(f, of: command)
    }
}

/// The driver's field parsing, errors ignored.
func fields(_ f: [Substring], of command: Spec.Command) {
    func attempt(_ body: () throws(AsciiPumpFraming.Problem) -> Void) { try? body() }
    switch command {
    case .readStatus:
        attempt { () throws(AsciiPumpFraming.Problem) in
            _ = AsciiPumpStatus(
                isRunning: try AsciiPumpFieldParsing.flag("running", f[0]),
                direction: try AsciiPumpFieldParsing.direction(f[1]),
                speedSetpoint: .rpm(try AsciiPumpFieldParsing.decimal(Spec.speedSetpoint, f[2])),
                actualSpeed: .rpm(try AsciiPumpFieldParsing.decimal(Spec.actualSpeed, f[3])),
                isDoorOpen: try AsciiPumpFieldParsing.flag("doorOpen", f[4]),
                faults: try AsciiPumpFieldParsing.faults(f[5]))
        }
    case .readIdentity:
        let spec = command.valueFields
        attempt { () throws(AsciiPumpFraming.Problem) in
            _ = AsciiPumpIdentity(
                model: try AsciiPumpFieldParsing.text(spec[0], f[0]),
                firmwareVersion: try AsciiPumpFieldParsing.version("firmwareVersion", f[1]),
                serialNumber: try AsciiPumpFieldParsing.text(spec[2], f[2]),
                protocolVersion: try AsciiPumpFieldParsing.version("protocolVersion", f[3]))
        }
    case .readCalibration:
        attempt { () throws(AsciiPumpFraming.Problem) in _ = try AsciiPumpFieldParsing.decimal(Spec.tubingCalibration, f[0]) }
    case .readVolume:
        attempt { () throws(AsciiPumpFraming.Problem) in _ = try AsciiPumpFieldParsing.decimal(Spec.deliveredVolume, f[0]) }
    case .readWatchdogTimeout:
        // The driver makes it whole milliseconds: a value out of Int's range would trap there.
        attempt { () throws(AsciiPumpFraming.Problem) in
            _ = Duration.milliseconds(Int(try AsciiPumpFieldParsing.decimal(Spec.watchdogTimeout, f[0])))
        }
    default:
        break
    }
}
