import Logging
import Synchronization

/// The process's logging, set once before any command runs: swift-log bootstrapped with a
/// handler on standard error, at the level `--log-level` (or HEPABUS_LOG_LEVEL) asks for.
///
/// Global options, taken out of the arguments wherever they stand (before a `--`), so every
/// command has them without each declaring them:
/// - `--log-level LEVEL` (trace, debug, info, notice, warning, error, critical). Default
///   critical: only a journal failure, as before logging existed; the rest of the
///   library's diagnostics (alarms at warning/error, state changes at info, failed polls at
///   debug, frames at trace) when asked for. Standard output never changes.
/// - `--trace-frames`: every frame of the circuit's (supervised) buses at trace, with the
///   buses' debug lines, whatever the level of everything else.
struct LogSetup: Equatable {
    var level: Logger.Level = .critical
    var traceFrames = false

    static let environmentVariable = "HEPABUS_LOG_LEVEL"
    static let levelNames = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")

    /// The setup the arguments and environment ask for, and the arguments without its options.
    /// An unknown level is a usage error naming the levels.
    static func extract(from arguments: [String], environment: [String: String]) throws -> (LogSetup, [String]) {
        var setup = LogSetup()
        if let name = environment[environmentVariable], !name.isEmpty {
            setup.level = try level(name, from: "\(environmentVariable)=\(name)")
        }
        var rest: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                rest += arguments[(index - 1)...]
                break
            }
            if argument == "--trace-frames" {
                setup.traceFrames = true
            } else if argument == "--log-level" {
                guard index < arguments.count else {
                    throw CommandFailure.usage("--log-level needs a level: \(levelNames)")
                }
                setup.level = try level(arguments[index], from: "--log-level \(arguments[index])")
                index += 1
            } else if argument.hasPrefix("--log-level=") {
                let name = String(argument.dropFirst("--log-level=".count))
                setup.level = try level(name, from: argument)
            } else {
                rest.append(argument)
            }
        }
        return (setup, rest)
    }

    private static func level(_ name: String, from given: String) throws -> Logger.Level {
        guard let level = Logger.Level(rawValue: name.lowercased()) else {
            throw CommandFailure.usage("\(given): not a log level; use one of \(levelNames)")
        }
        return level
    }

    /// The level of loggers given to the circuit's buses (trace with `--trace-frames`).
    var busLevel: Logger.Level { traceFrames ? .trace : level }

    // MARK: The process's loggers

    /// The setup in force (set once by ``bootstrap()``).
    private static let inForce = Mutex(LogSetup())
    static var current: LogSetup { inForce.withLock { $0 } }

    /// Bootstraps swift-log once for the process: every handler writes to standard error.
    func bootstrap() {
        Self.inForce.withLock { $0 = self }
        LoggingSystem.bootstrap { label in StreamLogHandler.standardError(label: label) }
    }

    /// The logger for the library's diagnostics (the supervisor, a lone bus).
    static var logger: Logger {
        var logger = Logger(label: "hepabus")
        logger.logLevel = current.level
        return logger
    }

    /// The logger for a circuit's runtime and its buses (frames with `--trace-frames`).
    static var busLogger: Logger {
        var logger = Logger(label: "hepabus")
        logger.logLevel = current.busLevel
        return logger
    }
}
