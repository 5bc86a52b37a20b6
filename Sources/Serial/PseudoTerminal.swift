internal import CSystemSupport
import Glibc

/// A pseudo-terminal pair: the controlling side (`primaryDescriptor`) is held by
/// a simulator or test, the other side (`secondaryPath`, `/dev/pts/N`) is opened
/// like any serial port by the code under test.
public final class PseudoTerminal: @unchecked Sendable {
    /// The primary (master) side's fd, non-blocking; -1 once closed.
    public private(set) var primaryDescriptor: Int32
    /// The path of the secondary (slave) side.
    public let secondaryPath: String
    /// An fd kept open on the secondary side so the primary never sees a hang-up
    /// while no client has the port open (a closed secondary makes the primary
    /// read EIO, which a simulator would mistake for a fault).
    private var secondaryKeepAlive: Int32

    /// Creates a pair. Wraps posix_openpt(3), grantpt(3), unlockpt(3), ptsname_r(3) (through a C shim);
    /// the primary is put in raw mode so bytes pass unchanged in both directions.
    public init() throws(SerialError) {
        var name = [CChar](repeating: 0, count: 128)
        let fd = hepabus_open_pty(&name, name.count)
        guard fd >= 0 else { throw .system(call: "posix_openpt", errno: errno) }
        let path = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var t = termios()
        tcgetattr(fd, &t)
        cfmakeraw(&t)
        tcsetattr(fd, TCSANOW, &t)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        // Raw mode on the secondary too, before any client opens it.
        let keep = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK)
        if keep >= 0 {
            var s = termios()
            tcgetattr(keep, &s)
            cfmakeraw(&s)
            tcsetattr(keep, TCSANOW, &s)
        }
        self.primaryDescriptor = fd
        self.secondaryPath = path
        self.secondaryKeepAlive = keep
    }

    deinit { close() }

    /// Closes both sides: a client on the secondary then sees the line vanish
    /// (as when a USB adapter is unplugged).
    public func close() {
        if secondaryKeepAlive >= 0 { Glibc.close(secondaryKeepAlive); secondaryKeepAlive = -1 }
        if primaryDescriptor >= 0 { Glibc.close(primaryDescriptor); primaryDescriptor = -1 }
    }
}
