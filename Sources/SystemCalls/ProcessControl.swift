import Glibc

/// The process-wide calls of a command-line program: exit status, signal dispositions,
/// whether the standard streams are terminals.
public enum ProcessControl {
    /// exit(3): flushes stdio and ends the process with `status`.
    public static func exit(_ status: Int32) -> Never {
        Glibc.exit(status)
    }

    /// fflush(3) of every stdio stream (so `print` output leaves before anything else happens).
    public static func flushStandardStreams() {
        fflush(nil)
    }

    /// A broken pipe (SIGPIPE) is ignored: writes fail with EPIPE instead of killing the process.
    public static func ignoreBrokenPipe() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// SIGINT and SIGTERM end the process again (their default action).
    public static func restoreDefaultTermination() {
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }

    /// SIGINT and SIGTERM no longer end the process: they set ``terminationRequest``.
    public static func catchTermination() {
        signal(SIGINT) { signal in ProcessControl.caughtSignal = signal }
        signal(SIGTERM) { signal in ProcessControl.caughtSignal = signal }
    }

    /// The last signal caught since ``catchTermination()``: "SIGINT", "SIGTERM", nil while none.
    public static var terminationRequest: String? {
        switch caughtSignal {
        case 0: nil
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        default: "signal \(caughtSignal)"
        }
    }

    /// Written only by the signal handler (a sig_atomic_t, as async-signal safety requires).
    nonisolated(unsafe) private static var caughtSignal: sig_atomic_t = 0

    /// The process's standard streams.
    public enum StandardStream: Sendable {
        /// Standard input (descriptor 0), standard output (1), standard error (2).
        case input, output, error

        var descriptor: Int32 {
            switch self {
            case .input: STDIN_FILENO
            case .output: STDOUT_FILENO
            case .error: STDERR_FILENO
            }
        }

        /// isatty(3).
        public var isTerminal: Bool { isatty(descriptor) == 1 }

        /// Writes all of `text` with write(2), unbuffered: out of the process when this returns
        /// (stdio would hold it in a buffer a SIGKILL discards). Throws if the reader is gone.
        public func writeUnbuffered(_ text: String) throws(SystemCallError) {
            var bytes = Array(text.utf8)[...]
            while !bytes.isEmpty {
                let n = bytes.withUnsafeBytes { raw in retryingOnInterrupt { Glibc.write(descriptor, raw.baseAddress, raw.count) } }
                guard n > 0 else { throw n < 0 ? .lastError("write(\(self))") : SystemCallError(call: "write(\(self))", errno: EPIPE) }
                bytes = bytes.dropFirst(n)
            }
        }
    }
}
