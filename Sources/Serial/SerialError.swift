import Glibc

/// Everything that can go wrong on a serial line, named so a technician can act on it.
public enum SerialError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Another opener (this process or another) holds the port.
    case portBusy(path: String)
    /// No such device node.
    case notFound(path: String)
    /// The node exists but we may not open it (group or mode).
    case permissionDenied(path: String)
    /// The path is not a terminal device.
    case notATerminal(path: String)
    /// A deadline passed before the expected bytes arrived.
    case timeout(operation: String, received: Int, expected: Int)
    /// The device vanished (hang-up, EIO, ENXIO, ENODEV).
    case disconnected(path: String)
    /// The driver refused a setting (e.g. a baud rate it cannot generate).
    case unsupportedSetting(String)
    /// Any other system call failure, with the call's name and errno.
    case system(call: String, errno: Int32)

    public var description: String {
        switch self {
        case .portBusy(let path):
            let holder = PortHolder.describe(path).map { " (\($0))" } ?? ""
            return "port busy: \(path) is already open by another user of the line\(holder)"
        case .notFound(let path): return "no such serial port: \(path)"
        case .permissionDenied(let path): return "permission denied opening \(path) (check the device's group and mode)"
        case .notATerminal(let path): return "\(path) is not a serial/terminal device"
        case .timeout(let op, let received, let expected):
            return "timeout during \(op): received \(received) of \(expected) bytes before the deadline"
        case .disconnected(let path): return "serial port \(path) disconnected"
        case .unsupportedSetting(let what): return "unsupported serial setting: \(what)"
        case .system(let call, let code): return "\(call) failed: \(String(cString: strerror(code))) (errno \(code))"
        }
    }

    /// Maps an errno from open(2) on `path` to a specific case.
    static func opening(_ path: String, errno code: Int32) -> SerialError {
        switch code {
        case ENOENT, ENXIO, ENODEV: return .notFound(path: path)
        case EACCES, EPERM: return .permissionDenied(path: path)
        case EBUSY, EWOULDBLOCK: return .portBusy(path: path)
        case ENOTTY: return .notATerminal(path: path)
        default: return .system(call: "open(\(path))", errno: code)
        }
    }
}

/// Calls `body` until it stops failing with EINTR; the one place we retry interrupted calls.
@inline(__always)
func retryingOnInterrupt<T: FixedWidthInteger>(_ body: () -> T) -> T {
    while true {
        let result = body()
        if result == -1 && errno == EINTR { continue }
        return result
    }
}
