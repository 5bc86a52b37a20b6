internal import CSystemSupport
import Glibc

/// Every setting of a tty as captured at one moment (the kernel's termios2, the
/// numeric rates included), so a tool can put the line back as it found it.
public struct LineState: Sendable, Equatable {
    fileprivate let bytes: [UInt8]
}

extension SerialLine {
    /// Captures the line's settings. Wraps ioctl `TCGETS2`.
    public static func captureState(fd: Int32) throws(SerialError) -> LineState {
        var state = hepabus_line_state()
        guard hepabus_save_line_state(fd, &state) == 0 else { throw .system(call: "ioctl(TCGETS2)", errno: errno) }
        return LineState(bytes: withUnsafeBytes(of: &state) { Array($0) })
    }

    /// Puts back settings captured by ``captureState(fd:)``. Wraps ioctl `TCSETS2`.
    public static func restore(_ saved: LineState, fd: Int32) throws(SerialError) {
        var state = hepabus_line_state()
        withUnsafeMutableBytes(of: &state) { raw in
            raw.copyBytes(from: saved.bytes.prefix(raw.count))
        }
        guard hepabus_restore_line_state(fd, &state) == 0 else { throw .system(call: "ioctl(TCSETS2)", errno: errno) }
    }

    /// Puts the line in raw mode at `settings`: tcsetattr(3) (`TCSANOW`), then
    /// `TCSETS2`/`BOTHER` for non-standard rates, then reads them back and fails
    /// if the driver did not take them.
    ///
    /// A pseudo-terminal has no UART: its driver forces 8 data bits and no parity.
    /// Asking it for parity or 7 bits anyway fails with EINVAL whenever nothing
    /// else in the request differs from what it holds (so the second open of a
    /// pty at 8E1 failed where the first worked). On a pty only what it can hold
    /// is asked for (INPCK stays, so the request still shows), and only the rate
    /// is checked.
    public static func apply(_ settings: SerialSettings, fd: Int32) throws(SerialError) {
        var t = termios()
        guard tcgetattr(fd, &t) == 0 else { throw .system(call: "tcgetattr", errno: errno) }
        settings.encode(into: &t)
        let pseudoTerminal = isPseudoTerminal(fd: fd)
        if pseudoTerminal {
            t.c_cflag &= ~tcflag_t(CSIZE | PARENB | PARODD)
            t.c_cflag |= tcflag_t(CS8)
        }
        let standard = BaudRate.termiosSpeeds[settings.baudRate.rawValue]
        let speed = standard ?? speed_t(B38400)
        cfsetispeed(&t, speed)
        cfsetospeed(&t, speed)
        guard tcsetattr(fd, TCSANOW, &t) == 0 else { throw .system(call: "tcsetattr", errno: errno) }
        if standard == nil {
            guard hepabus_set_custom_baud(fd, settings.baudRate.rawValue) == 0 else {
                throw .unsupportedSetting("baud rate \(settings.baudRate) (TCSETS2: \(String(cString: strerror(errno))))")
            }
        }
        let actual = try readSettings(fd: fd)
        let formatHeld = pseudoTerminal
            || (actual.parity == settings.parity && actual.dataBits == settings.dataBits && actual.stopBits == settings.stopBits)
        guard actual.baudRate == settings.baudRate, formatHeld else {
            throw .unsupportedSetting("asked for \(settings), the driver holds \(actual)")
        }
    }
}
