internal import CSystemSupport
import Glibc

/// An open serial line held exclusively: an open(2)ed tty, `flock(LOCK_EX)`ed
/// (so a second opener in this or another process gets ``SerialError/portBusy(path:)``)
/// and marked `TIOCEXCL`.
///
/// Not thread-safe: a port belongs to one bus thread (see BusRuntime).
public final class SerialPort {
    /// The path it was opened by.
    public let path: String
    /// The file descriptor; -1 once closed.
    public private(set) var fileDescriptor: Int32
    /// The line's settings as we found them, put back at ``close()``: a tool that
    /// dies or exits leaves the line as it was for the next one.
    private let settingsAtOpen: LineState?

    /// Opens `path` exclusively, captures its settings and applies `settings`.
    ///
    /// Wraps open(2) with `O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC`,
    /// flock(2) `LOCK_EX | LOCK_NB`, ioctl `TIOCEXCL`, ioctl `TCGETS2` and tcsetattr(3).
    public init(path: String, settings: SerialSettings) throws(SerialError) {
        self.path = path
        let fd = retryingOnInterrupt { open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC) }
        guard fd >= 0 else { throw SerialError.opening(path, errno: errno) }
        guard isatty(fd) == 1 else {
            Glibc.close(fd)
            throw .notATerminal(path: path)
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            Glibc.close(fd)
            throw code == EWOULDBLOCK ? .portBusy(path: path) : .system(call: "flock(\(path))", errno: code)
        }
        // TIOCEXCL also stops openers that do not use flock (e.g. a terminal program).
        _ = hepabus_tiocexcl(fd)
        self.fileDescriptor = fd
        self.settingsAtOpen = try? SerialLine.captureState(fd: fd)
        do {
            try apply(settings)
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    /// Puts back the settings found at opening (ioctl `TCSETS2`), then releases
    /// the port. Wraps close(2); the flock and TIOCEXCL go with it. A line that
    /// has vanished cannot be restored, and need not be.
    public func close() {
        guard fileDescriptor >= 0 else { return }
        if let settingsAtOpen { try? SerialLine.restore(settingsAtOpen, fd: fileDescriptor) }
        _ = hepabus_tiocnxcl(fileDescriptor)
        _ = Glibc.close(fileDescriptor)
        fileDescriptor = -1
    }

    private func requireOpen() throws(SerialError) -> Int32 {
        guard fileDescriptor >= 0 else { throw .disconnected(path: path) }
        return fileDescriptor
    }

    // MARK: Settings

    /// Applies `settings`: raw mode, the rate (`TCSETS2`/`BOTHER` for non-standard
    /// ones), read back and checked (see ``SerialLine/apply(_:fd:)``).
    public func apply(_ settings: SerialSettings) throws(SerialError) {
        try SerialLine.apply(settings, fd: try requireOpen())
    }

    /// Reads the line's settings back from the driver: tcgetattr(3) and `TCGETS2` for the numeric rate.
    public func currentSettings() throws(SerialError) -> SerialSettings {
        let fd = try requireOpen()
        var t = termios()
        guard tcgetattr(fd, &t) == 0 else { throw .system(call: "tcgetattr", errno: errno) }
        var baud: UInt32 = 0
        guard hepabus_get_baud(fd, &baud) == 0 else { throw .system(call: "ioctl(TCGETS2)", errno: errno) }
        return SerialSettings.decode(t, baud: baud)
    }

    /// Whether the line is in raw mode with no flow control (read back with tcgetattr(3)).
    public func isRawWithoutFlowControl() throws(SerialError) -> Bool {
        let fd = try requireOpen()
        var t = termios()
        guard tcgetattr(fd, &t) == 0 else { throw .system(call: "tcgetattr", errno: errno) }
        return SerialSettings.isRawWithoutFlowControl(t)
    }

    // MARK: I/O

    /// Writes every byte, waiting with poll(2) while the kernel buffer is full.
    /// Wraps write(2).
    public func writeAll(_ bytes: [UInt8], deadline: ContinuousClock.Instant) throws(SerialError) {
        let fd = try requireOpen()
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                retryingOnInterrupt { write(fd, raw.baseAddress! + offset, raw.count - offset) }
            }
            if n > 0 {
                offset += n
                continue
            }
            let code = errno
            if code == EAGAIN {
                guard try waitFor(Int16(POLLOUT), deadline: deadline) else {
                    throw .timeout(operation: "write", received: offset, expected: bytes.count)
                }
                continue
            }
            throw mapIOError(code, call: "write")
        }
    }

    /// Reads up to `maxCount` bytes: returns as soon as some are available, or an
    /// empty array when `deadline` passes first. Wraps poll(2) and read(2).
    public func read(upTo maxCount: Int, deadline: ContinuousClock.Instant) throws(SerialError) -> [UInt8] {
        let fd = try requireOpen()
        while true {
            var buffer = [UInt8](repeating: 0, count: maxCount)
            let n = buffer.withUnsafeMutableBytes { raw in
                retryingOnInterrupt { Glibc.read(fd, raw.baseAddress!, raw.count) }
            }
            if n > 0 { return Array(buffer.prefix(n)) }
            // A raw tty with VMIN = VTIME = 0 returns 0 when nothing is there (not
            // end-of-file); a vanished line shows up as EIO or POLLHUP instead.
            if n < 0 {
                let code = errno
                guard code == EAGAIN else { throw mapIOError(code, call: "read") }
            }
            guard try waitFor(Int16(POLLIN), deadline: deadline) else { return [] }
        }
    }

    /// Reads exactly `count` bytes or throws ``SerialError/timeout(operation:received:expected:)``.
    public func read(exactly count: Int, deadline: ContinuousClock.Instant) throws(SerialError) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(count)
        while result.count < count {
            let chunk = try read(upTo: count - result.count, deadline: deadline)
            if chunk.isEmpty { throw .timeout(operation: "read", received: result.count, expected: count) }
            result += chunk
        }
        return result
    }

    /// Reads until `terminator` (included in the result) for line protocols.
    /// Throws a timeout at the deadline, or `unsupportedSetting` past `maxLength`
    /// bytes without a terminator (a line that never ends is a fault, not data).
    public func read(through terminator: UInt8, maxLength: Int, deadline: ContinuousClock.Instant) throws(SerialError) -> [UInt8] {
        var result: [UInt8] = []
        while true {
            // One byte at a time so nothing after the terminator is consumed.
            let chunk = try read(upTo: 1, deadline: deadline)
            if chunk.isEmpty { throw .timeout(operation: "read line", received: result.count, expected: maxLength) }
            result += chunk
            if chunk[0] == terminator { return result }
            if result.count >= maxLength {
                throw .unsupportedSetting("line longer than \(maxLength) bytes without a terminator")
            }
        }
    }

    /// Waits until everything written has left the UART. Wraps tcdrain(3).
    public func drain() throws(SerialError) {
        let fd = try requireOpen()
        guard retryingOnInterrupt({ tcdrain(fd) }) == 0 else { throw mapIOError(errno, call: "tcdrain") }
    }

    /// Which buffers ``flush(_:)`` discards.
    public enum FlushQueue: Sendable {
        /// Received, unread input (`TCIFLUSH`), output (`TCOFLUSH`), or both (`TCIOFLUSH`).
        case input, output, both
    }

    /// Discards unread input and/or unsent output. Wraps tcflush(3).
    public func flush(_ queue: FlushQueue = .both) throws(SerialError) {
        let fd = try requireOpen()
        let selector: Int32 = switch queue {
        case .input: TCIFLUSH
        case .output: TCOFLUSH
        case .both: TCIOFLUSH
        }
        guard tcflush(fd, selector) == 0 else { throw mapIOError(errno, call: "tcflush") }
    }

    /// Reads and discards bytes until the line has been quiet for `quiet`, or
    /// `deadline` passes; returns how many were discarded. Used to resynchronise
    /// after a garbled frame: a flush alone would keep the tail still in flight.
    public func discardUntilQuiet(quiet: Duration, deadline: ContinuousClock.Instant) throws(SerialError) -> Int {
        var discarded = 0
        while ContinuousClock.now < deadline {
            let next = min(ContinuousClock.now.advanced(by: quiet), deadline)
            let chunk = try read(upTo: 256, deadline: next)
            if chunk.isEmpty { break }
            discarded += chunk.count
        }
        return discarded
    }

    // MARK: Helpers

    /// poll(2) for `events` until `deadline`; false when the deadline passed.
    private func waitFor(_ events: Int16, deadline: ContinuousClock.Instant) throws(SerialError) -> Bool {
        let fd = try requireOpen()
        while true {
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero { return false }
            var pfd = pollfd(fd: fd, events: events, revents: 0)
            let ms = Int32(clamping: remaining.roundedUpMilliseconds)
            let rc = poll(&pfd, 1, ms)
            if rc < 0 {
                if errno == EINTR { continue }
                throw .system(call: "poll", errno: errno)
            }
            if rc == 0 { continue }
            // Callers poll only after a read or write found nothing to do, so a
            // hang-up here means the line is gone (a hung-up tty also reports
            // POLLIN, with reads that return nothing).
            if pfd.revents & Int16(POLLNVAL | POLLHUP | POLLERR) != 0 { throw .disconnected(path: path) }
            if pfd.revents & events != 0 { return true }
        }
    }

    private func mapIOError(_ code: Int32, call: String) -> SerialError {
        switch code {
        case EIO, ENXIO, ENODEV, EBADF: .disconnected(path: path)
        default: .system(call: call, errno: code)
        }
    }
}

extension Duration {
    /// Whole milliseconds, rounded up so a poll never returns before the deadline.
    var roundedUpMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let ms = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return attoseconds % 1_000_000_000_000_000 == 0 ? ms : ms + 1
    }
}
