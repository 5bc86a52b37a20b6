import ArgumentParser

/// `hepabus`: the bench technician's tool for HepaBus devices and lines.
struct Hepabus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hepabus",
        abstract: "Diagnostics for HepaBus serial buses and devices (Modbus RTU/TCP).",
        discussion: """
            Exit status: 0 success, 1 the device or line failed, 2 usage error.
            ENDPOINT is a serial device path (e.g. /dev/ttyUSB0, /dev/hepabus/blood)
            or tcp://HOST:PORT. Addresses are protocol (0-based) addresses, decimal or 0x-hex.
            Global options, accepted anywhere on the line: --log-level LEVEL (trace, debug, info,
            notice, warning, error, critical; default critical, or HEPABUS_LOG_LEVEL) for the
            library's diagnostics on standard error; --trace-frames for every frame of a
            circuit's buses on standard error (at trace level).
            """,
        subcommands: [DemoCommand.self, PortsCommand.self, ReadCommand.self, WriteCommand.self, ScanCommand.self,
                      SimulateCommand.self, SimctlCommand.self, SniffCommand.self, IdentifyCommand.self, UdevRulesCommand.self,
                      JournalCommand.self, MonitorCommand.self, SelfTestCommand.self, CalibrateCommand.self,
                      HILCommand.self, TreatCommand.self]
    )
}
