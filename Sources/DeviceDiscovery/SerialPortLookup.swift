internal import CUdev
import Glibc

extension SerialPortInfo {
    /// Describes the serial port at `devicePath`, which may be the node itself
    /// (`/dev/ttyUSB0`) or any symlink to it (`/dev/serial/by-id/...`, a link
    /// of our udev rules, a link of the operator's own).
    ///
    /// Resolves the path with `realpath`, reads the device number with `stat`
    /// and asks libudev for that character device (`udev_device_new_from_devnum`
    /// with type `'c'`).
    ///
    /// - Returns: The port, or `nil` when the path does not exist, is not a
    ///   character device, is not a tty, or is a virtual tty (console, `ptmx`,
    ///   pseudo-terminal). Platform-bus ports are returned, as with
    ///   `enumerate(includeAll: true)`: whoever names a port explicitly means it.
    ///   Also `nil` if libudev cannot be initialised (`udev_new` fails), which
    ///   only happens when memory or `/sys` is missing.
    public static func lookup(devicePath: String) -> SerialPortInfo? {
        guard let resolved = realpath(devicePath, nil) else { return nil }
        defer { free(resolved) }
        var status = stat()
        guard stat(resolved, &status) == 0, (status.st_mode & S_IFMT) == S_IFCHR else { return nil }

        // try? flattens: nil both for "not a port" and for udev_new failing.
        return try? withUdevContext { udev -> SerialPortInfo? in
            guard let device = udev_device_new_from_devnum(udev, CChar(UInt8(ascii: "c")), status.st_rdev)
            else { return nil }
            defer { udev_device_unref(device) }
            guard swiftString(udev_device_get_subsystem(device)) == "tty",
                  let port = SerialPortInfo(record: DeviceRecord(udevDevice: device)),
                  port.isListed(includeAll: true)
            else { return nil }
            return port
        }
    }
}
