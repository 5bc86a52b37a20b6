import Glibc

/// Why serial-port discovery could not run at all.
///
/// A missing or unplugged port is not an error: enumeration returns fewer
/// ports and lookup returns `nil`.
public enum DiscoveryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `udev_new` returned NULL, with the errno it left.
    case udevUnavailable(errno: Int32)
    /// A libudev enumeration call failed; `call` names it (e.g.
    /// `udev_enumerate_scan_devices`) and `errno` is the positive error code.
    case enumerationFailed(call: String, errno: Int32)
    /// Setting up a hotplug monitor failed; `call` names the libudev or system
    /// call (e.g. `udev_monitor_enable_receiving`), `errno` the positive error code.
    case monitorFailed(call: String, errno: Int32)

    /// A sentence a technician can act on, naming the failing call and errno.
    public var description: String {
        switch self {
        case .udevUnavailable(let code):
            return "cannot create a udev context (udev_new failed: \(Self.describe(code)));"
                + " is /sys mounted and libudev usable?"
        case .enumerationFailed(let call, let code):
            return "serial-port enumeration failed: \(call) returned \(Self.describe(code))"
        case .monitorFailed(let call, let code):
            return "hotplug monitor failed: \(call) returned \(Self.describe(code))"
        }
    }

    private static func describe(_ code: Int32) -> String {
        // errno 0 means libudev gave no reason; strerror(0) would say "Success".
        code == 0 ? "no error code" : "\(String(cString: strerror(code))) (errno \(code))"
    }
}
