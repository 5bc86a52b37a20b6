import ArgumentParser
import DeviceDiscovery
import Foundation

/// `hepabus ports`: the serial ports on this machine, with their udev identity.
struct PortsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ports",
        abstract: "List serial ports with driver, USB identity, serial number, links and HEPABUS_ROLE.")

    @Flag(help: "Print JSON: an array of ports with every udev property.")
    var json = false

    @Flag(help: "Include legacy platform ports (ttyS* placeholders with no hardware behind them).")
    var all = false

    func run() async throws {
        let ports: [SerialPortInfo]
        do {
            ports = try SerialPortInfo.enumerate(includeAll: all)
        } catch {
            throw CommandFailure.device("cannot list serial ports: \(error)")
        }
        if !SerialPortInfo.udevDaemonRunning {
            Terminal.writeStderr("note: no udev daemon runs here (container?): ports carry only kernel properties, "
                + "no by-id/by-path links and no HEPABUS_ROLE\n")
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode(ports)
            Terminal.line(String(decoding: data, as: UTF8.self))
            return
        }
        if ports.isEmpty {
            Terminal.line("no serial ports found")
            return
        }
        var rows = [["DEVICE", "DRIVER", "BUS", "USB ID", "SERIAL", "ROLE", "LINKS"]]
        for p in ports {
            let usb = p.usbVendorID.map { "\($0):\(p.usbProductID ?? "????")" } ?? "-"
            rows.append([p.devicePath, p.driver ?? "-", p.subsystem ?? "-", usb, p.serialNumber ?? "-", p.role ?? "-",
                         p.symlinks.isEmpty ? "-" : p.symlinks.joined(separator: " ")])
        }
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max() ?? 0 }
        for row in rows {
            let cells = row.enumerated().map { c, cell in c == row.count - 1 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) }
            Terminal.line(cells.joined(separator: "  "))
        }
    }
}
