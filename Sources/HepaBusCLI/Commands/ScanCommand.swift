import ArgumentParser
import BusRuntime
import HardwareInterfaces
import Modbus

/// `hepabus scan`: which unit ids answer on a line.
struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Find the unit ids that answer on a line.",
        discussion: """
            Each unit is probed with one read (by default holding register 0). A unit that answers,
            even with a Modbus exception, is present; one that stays silent, or for which a TCP gateway
            answers "gateway path unavailable" or "target failed to respond", is absent; a damaged answer
            (CRC error) is listed as such, since it usually means a baud-rate or wiring problem.
            Exit status 1 if no unit answered.
            """)

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Units to probe: N, N-M or a comma list.", transform: ArgumentParsing.unitList)
    var units: [UInt8] = Array(1...247)

    @Option(help: "Table the probe reads.")
    var table: ModbusTable = .holding

    @Option(help: "Address the probe reads.", transform: ArgumentParsing.address)
    var address: UInt16 = 0

    @Flag(help: "Print JSON.")
    var json = false

    struct Finding {
        var unit: UInt8
        var status: String
        var detail: String?
    }

    func run() async throws {
        let bus = try await connection.openBus(defaultTimeout: 100)
        var findings: [Finding] = []
        let showProgress = Terminal.stderrIsTerminal
        InterruptFlag.install()
        for (index, unit) in units.enumerated() {
            if InterruptFlag.isRaised { break }
            if showProgress {
                Terminal.writeStderr("\rscanning unit \(unit) (\(index + 1)/\(units.count)), \(findings.count) found ")
            }
            if let finding = try await probe(bus, unit: unit) {
                findings.append(finding)
            }
        }
        if showProgress { Terminal.writeStderr("\r\u{1B}[K") }
        report(findings, scanned: units.count)
        // The settings tried matter most when nothing answered.
        let settingsNote = (try? connection.resolvedEndpoint().isSerial) == true ? " at \(connection.serialSettings)" : ""
        if !findings.contains(where: { $0.status != "damaged" }) {
            throw CommandFailure.device(
                "no unit answered among \(units.count) probed on \(connection.endpoint)\(settingsNote) (check baud rate, parity, wiring and unit ids)")
        }
    }

    /// One probe: a finding for a unit that answered (well or badly), nil for silence.
    private func probe(_ bus: ModbusBus, unit: UInt8) async throws -> Finding? {
        let outcome: Result<[UInt16], ModbusError>
        do {
            outcome = .success(try await bus.read(table, unit: unit, address: address, count: 1))
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success:
            return Finding(unit: unit, status: "answered")
        case .failure(.timeout):
            return nil
        case .failure(.exception(let code, _)) where code == .gatewayPathUnavailable || code == .gatewayTargetFailedToRespond:
            // A gateway answering for a unit behind it that did not answer: nobody is there.
            return nil
        case .failure(.exception(let code, _)):
            return Finding(unit: unit, status: "exception", detail: code.name)
        case .failure(let error) where error.kind == .corruptFrame:
            return Finding(unit: unit, status: "damaged", detail: error.description)
        case .failure(let error):
            if Terminal.stderrIsTerminal { Terminal.writeStderr("\n") }
            throw error
        }
    }

    private func report(_ findings: [Finding], scanned: Int) {
        if json {
            let entries = findings.map { f in
                "{\"unit\":\(f.unit),\"status\":\"\(f.status)\"" + (f.detail.map { ",\"detail\":\"\(jsonEscaped($0))\"" } ?? "") + "}"
            }
            Terminal.line("{\"endpoint\":\"\(jsonEscaped(connection.endpoint))\",\"scanned\":\(scanned),\"units\":[\(entries.joined(separator: ","))]}")
            return
        }
        for f in findings {
            switch f.status {
            case "answered": Terminal.line("unit \(f.unit): answered")
            case "exception": Terminal.line("unit \(f.unit): answered with \(f.detail ?? "an exception")")
            default: Terminal.line("unit \(f.unit): damaged answer (\(f.detail ?? ""))")
            }
        }
        Terminal.line("\(findings.count) of \(scanned) units answered")
    }
}

/// Escapes a string for a JSON string literal.
func jsonEscaped(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                out += "\\u" + String(scalar.value, radix: 16).leftPadded(to: 4)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out
}
