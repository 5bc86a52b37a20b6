import ArgumentParser
import Foundation
import Modbus
internal import SystemCalls

/// Entry point of the `hepabus` executable, with the exit-status contract
/// technicians' scripts rely on: 0 success, 1 the device or line failed,
/// 2 usage error. Never a stack trace.
public enum HepabusMain {
    /// Parses `arguments` (the process's when nil), runs the command and exits with its status.
    public static func run(_ arguments: [String]? = nil) async -> Never {
        // A closed pipe (`hepabus read … | head`) must end us quietly, not kill us with SIGPIPE.
        ProcessControl.ignoreBrokenPipe()
        do {
            // Logging first, once for the process: --log-level and --trace-frames stand anywhere.
            let (logSetup, rest) = try LogSetup.extract(from: arguments ?? Array(CommandLine.arguments.dropFirst()),
                                                        environment: ProcessInfo.processInfo.environment)
            logSetup.bootstrap()
            var command = try Hepabus.parseAsRoot(rest)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            ProcessControl.exit(0)
        } catch let failure as CommandFailure {
            Terminal.error(failure.message)
            ProcessControl.exit(failure.status)
        } catch let error as ModbusError {
            Terminal.error(error.description)
            ProcessControl.exit(exitStatus(for: error))
        } catch {
            let code = Hepabus.exitCode(for: error)
            let message = Hepabus.fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                ProcessControl.exit(0)
            }
            if let exitCode = error as? ExitCode {
                ProcessControl.exit(exitCode.rawValue)
            }
            if !message.isEmpty { Terminal.error(message, prefix: false) }
            ProcessControl.exit(2)
        }
    }

    /// 2 for our own invalid requests (nothing reached the wire), 1 for everything the line or device did.
    static func exitStatus(for error: ModbusError) -> Int32 {
        if case .invalidRequest = error { return 2 }
        return 1
    }
}

/// A failure a command reports with its own message and exit status.
struct CommandFailure: Error {
    var message: String
    var status: Int32

    static func device(_ message: String) -> CommandFailure { CommandFailure(message: message, status: 1) }
    static func usage(_ message: String) -> CommandFailure { CommandFailure(message: message, status: 2) }
}
