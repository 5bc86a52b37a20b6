import Foundation
internal import SystemCalls

/// Where output goes, and whether a person is watching it.
enum Terminal {
    /// Whether standard error is a terminal (progress indicators go there only then).
    static var stderrIsTerminal: Bool { ProcessControl.StandardStream.error.isTerminal }
    static var stdoutIsTerminal: Bool { ProcessControl.StandardStream.output.isTerminal }

    /// "hepabus: error: …" on standard error.
    static func error(_ message: String, prefix: Bool = true) {
        writeStderr((prefix ? "hepabus: error: " : "") + message + "\n")
    }

    static func writeStderr(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Prints a line to standard output and flushes it (output may be piped to a logger).
    static func line(_ text: String) {
        print(text)
        ProcessControl.flushStandardStreams()
    }

    /// ISO-8601 with microseconds, UTC: the timestamp on traced frames and poll lines.
    static func timestamp(_ seconds: Double) -> String {
        let whole = Int64(seconds)
        let parts = UTCDateTime(secondsSince1970: whole)
        let micros = Int((seconds - Double(whole)) * 1_000_000)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", parts.year, parts.month, parts.day,
                      parts.hour, parts.minute, parts.second, micros)
    }

    static func now() -> Double {
        let now = WallClock.now()
        return Double(now.seconds) + Double(now.nanoseconds) / 1e9
    }
}

/// Stops a polling loop on SIGINT/SIGTERM instead of killing the process mid-transaction.
enum InterruptFlag {
    static func install() {
        ProcessControl.catchTermination()
    }

    static var isRaised: Bool { signalName != nil }

    /// The signal that raised the flag ("SIGINT", "SIGTERM"), nil while none has.
    static var signalName: String? { ProcessControl.terminationRequest }
}
