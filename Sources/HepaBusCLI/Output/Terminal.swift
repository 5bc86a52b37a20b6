import Foundation
import Glibc

/// Where output goes, and whether a person is watching it.
enum Terminal {
    /// Whether standard error is a terminal (progress indicators go there only then).
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

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
        fflush(nil)
    }

    /// ISO-8601 with microseconds, UTC: the timestamp on traced frames and poll lines.
    static func timestamp(_ seconds: Double) -> String {
        let whole = time_t(seconds)
        var parts = tm()
        var t = whole
        gmtime_r(&t, &parts)
        let micros = Int((seconds - Double(whole)) * 1_000_000)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec, micros)
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// Stops a polling loop on SIGINT/SIGTERM instead of killing the process mid-transaction.
enum InterruptFlag {
    nonisolated(unsafe) private static var raised: sig_atomic_t = 0

    static func install() {
        signal(SIGINT) { signal in InterruptFlag.raised = signal }
        signal(SIGTERM) { signal in InterruptFlag.raised = signal }
    }

    static var isRaised: Bool { raised != 0 }

    /// The signal that raised the flag ("SIGINT", "SIGTERM"), nil while none has.
    static var signalName: String? {
        switch raised {
        case 0: nil
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        default: "signal \(raised)"
        }
    }
}
