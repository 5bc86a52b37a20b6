import ArgumentParser

/// `hepabus calibrate`: the technician's calibrations, each on a device opened exclusively.
struct CalibrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Calibrate a circuit's devices: a pump's tubing, a pressure sensor's zero.",
        subcommands: [CalibratePumpCommand.self, CalibratePressureCommand.self])
}
