internal import CSystemSupport
import Glibc

/// An exclusive claim on a serial port for code that opens the line itself
/// (libmodbus's RTU backend): take the lock first, then let the library open
/// the port. A second claimant, in this process or another, gets
/// ``SerialError/portBusy(path:)``.
///
/// Wraps open(2) and flock(2) `LOCK_EX | LOCK_NB` on a descriptor of our own;
/// the lock lasts as long as this value.
public final class SerialPortLock {
    /// The port claimed.
    public let path: String
    private var fd: Int32

    /// Claims `path`: opens it and takes the lock.
    ///
    /// - Throws: ``SerialError/portBusy(path:)`` when another claimant holds it; an opening error
    ///   when the path cannot be opened; ``SerialError/notATerminal(path:)`` when it is no terminal.
    public init(path: String) throws(SerialError) {
        self.path = path
        let fd = retryingOnInterrupt { open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC) }
        guard fd >= 0 else { throw SerialError.opening(path, errno: errno) }
        guard isatty(fd) == 1 else {
            close(fd)
            throw .notATerminal(path: path)
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            close(fd)
            throw code == EWOULDBLOCK ? .portBusy(path: path) : .system(call: "flock(\(path))", errno: code)
        }
        self.fd = fd
    }

    deinit {
        if fd >= 0 { close(fd) }
    }
}

/// Settings access for a line opened by someone else (libmodbus).
public enum SerialLine {
    /// Reads the settings of an open tty. Wraps tcgetattr(3) and ioctl `TCGETS2`.
    public static func readSettings(fd: Int32) throws(SerialError) -> SerialSettings {
        var t = termios()
        guard tcgetattr(fd, &t) == 0 else { throw .system(call: "tcgetattr", errno: errno) }
        var baud: UInt32 = 0
        guard hepabus_get_baud(fd, &baud) == 0 else { throw .system(call: "ioctl(TCGETS2)", errno: errno) }
        return SerialSettings.decode(t, baud: baud)
    }

    /// Marks a tty exclusive (ioctl `TIOCEXCL`) so openers that ignore flock are refused too.
    public static func markExclusive(fd: Int32) {
        _ = hepabus_tiocexcl(fd)
    }

    /// Clears `TIOCEXCL` (ioctl `TIOCNXCL`). The flag belongs to the tty, not the
    /// descriptor: on a pty whose other side stays open it would outlive us and
    /// lock every later non-root opener out, so it is cleared before closing.
    public static func clearExclusive(fd: Int32) {
        _ = hepabus_tiocnxcl(fd)
    }

    /// Whether the tty behind `fd` is in exclusive mode (ioctl `TIOCGEXCL`); nil if the driver cannot say.
    public static func isExclusive(fd: Int32) -> Bool? {
        let flag = hepabus_tiocgexcl(fd)
        return flag < 0 ? nil : flag == 1
    }
}

extension SerialLine {
    /// Whether `fd` is the secondary side of a Unix98 pseudo-terminal (major
    /// 136-143), which keeps a baud rate but no character format: parity and
    /// stop bits read back as the pty driver's defaults. Wraps fstat(2).
    public static func isPseudoTerminal(fd: Int32) -> Bool {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return false }
        let major = (info.st_rdev >> 8) & 0xFFF
        return (136...143).contains(major)
    }
}
