internal import CSystemSupport
import Glibc
public import Serial

/// A serial line opened only to listen, the way a sniffer's RS-485 adapter sits on
/// a bus: read-only, never exclusive, never locked. Unlike ``/Serial/SerialPort`` it
/// takes no `flock` and sets no `TIOCEXCL`, so it never keeps a technician's tool
/// or the treatment itself off the line.
///
/// Opened with `O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC`. The line settings
/// are applied with tcsetattr(3) only when nobody else holds the port: when
/// another program has it (see ``otherHolder``), its settings are left alone,
/// and every byte read here is a byte that program will not see.
///
/// Not thread-safe: one listener belongs to one reading loop.
public final class PassiveLineListener {
    /// The path it was opened by.
    public let path: String
    /// The settings asked for.
    public let settings: SerialSettings
    /// The file descriptor; -1 once closed.
    public private(set) var fileDescriptor: Int32
    /// "held by pid 4242 (hepabus read …)" when another program holds the port
    /// (flock, as every HepaBus opener takes one); nil if nobody does.
    public let otherHolder: String?
    /// What the line held before we changed it (nil when we changed nothing),
    /// put back at ``close()`` so the next listener finds the line as we did.
    private var settingsAtOpen: LineState?
    /// Stale bytes dropped at opening (a tap pty buffers traffic while nobody listens).
    public private(set) var staleBytesDiscarded = 0

    /// Opens `path` to listen and, unless another program holds it, applies `settings`
    /// and drops whatever was buffered before we came (so every byte read was heard now).
    public init(path: String, settings: SerialSettings) throws(SerialError) {
        self.path = path
        self.settings = settings
        var fd: Int32
        repeat { fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC) } while fd < 0 && errno == EINTR
        guard fd >= 0 else { throw Self.openingError(path, errno: errno) }
        guard isatty(fd) == 1 else {
            Glibc.close(fd)
            throw .notATerminal(path: path)
        }
        fileDescriptor = fd
        otherHolder = PortHolder.describe(path)
        if otherHolder == nil {
            do {
                try apply(settings)
            } catch {
                close()
                throw error
            }
            discardStale()
        }
    }

    deinit { close() }

    /// Puts back the settings found at opening, if we changed them (ioctl
    /// `TCSETS2`), and closes the descriptor. Wraps close(2). A program that
    /// took the port since we opened it has set the line as it needs: left alone.
    public func close() {
        guard fileDescriptor >= 0 else { return }
        if let settingsAtOpen, PortHolder.describe(path) == nil {
            try? SerialLine.restore(settingsAtOpen, fd: fileDescriptor)
        }
        _ = Glibc.close(fileDescriptor)
        fileDescriptor = -1
    }

    /// Waits up to `timeout` for bytes and returns them with the wall-clock time
    /// (seconds since the epoch) they were read; nil when nothing came in time.
    /// Wraps poll(2) and read(2).
    public func read(upTo maxCount: Int = 512, timeout: Duration) throws(SerialError) -> (bytes: [UInt8], time: Double)? {
        let fd = fileDescriptor
        guard fd >= 0 else { throw .disconnected(path: path) }
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let (seconds, attoseconds) = timeout.components
        let ms = Int32(clamping: max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000))
        let rc = poll(&pfd, 1, ms)
        if rc < 0 {
            if errno == EINTR { return nil }  // a signal (Ctrl-C): let the caller look
            throw .system(call: "poll", errno: errno)
        }
        if rc == 0 { return nil }
        var buffer = [UInt8](repeating: 0, count: maxCount)
        let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
        let time = Self.wallClock()
        if n > 0 { return (Array(buffer.prefix(n)), time) }
        if n < 0 && (errno == EAGAIN || errno == EINTR) { return nil }
        // A hung-up tty polls readable and reads nothing (or EIO): the line is gone.
        if n == 0 && pfd.revents & Int16(POLLHUP | POLLERR | POLLNVAL) == 0 { return nil }
        throw .disconnected(path: path)
    }

    /// Bytes received but not read yet (ioctl `FIONREAD`): what a listener that
    /// stops now leaves unheard. Nil once closed or if the driver cannot say.
    public func queuedByteCount() -> Int? {
        guard fileDescriptor >= 0 else { return nil }
        var queued: Int32 = 0
        return hepabus_input_queued(fileDescriptor, &queued) == 0 ? Int(queued) : nil
    }

    /// Seconds since the epoch, to the microsecond. Wraps clock_gettime(2).
    public static func wallClock() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    // MARK: Settings

    /// Raw mode at `settings` (see ``Serial/SerialLine/apply(_:fd:)``), after
    /// capturing what the line held so ``close()`` can put it back.
    private func apply(_ settings: SerialSettings) throws(SerialError) {
        settingsAtOpen = try SerialLine.captureState(fd: fileDescriptor)
        try SerialLine.apply(settings, fd: fileDescriptor)
    }

    /// Drops what the line buffered before we listened. Wraps tcflush(3), then
    /// reads until nothing is left (a pty may still be moving bytes into the queue).
    private func discardStale() {
        let fd = fileDescriptor
        _ = tcflush(fd, TCIFLUSH)
        var scratch = [UInt8](repeating: 0, count: 4096)
        // Bounded: on a busy line there is always more; a few buffers' worth is stale, the rest is live.
        for _ in 0..<32 {
            let n = scratch.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n <= 0 { break }
            staleBytesDiscarded += n
        }
    }

    private static func openingError(_ path: String, errno code: Int32) -> SerialError {
        switch code {
        case ENOENT, ENXIO, ENODEV: .notFound(path: path)
        case EACCES, EPERM: .permissionDenied(path: path)
        case EBUSY: .portBusy(path: path)  // TIOCEXCL set by the holder: even a listener is refused
        case ENOTTY: .notATerminal(path: path)
        default: .system(call: "open(\(path))", errno: code)
        }
    }
}
