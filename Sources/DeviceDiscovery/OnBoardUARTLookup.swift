internal import CUdev
import Glibc

extension OnBoardUARTIdentity {
    /// Reads the identity of the on-board UART at `devicePath` (the node or a
    /// symlink to it) from sysfs through libudev: its kernel name and the
    /// nearest ancestor that is real hardware (the tty layer's `serial-base`
    /// glue is skipped, as ``SerialPortInfo/subsystem`` does).
    ///
    /// - Returns: `nil` when the path is not a tty with hardware behind it, or
    ///   when that hardware is USB (bind those with ``USBAdapterIdentity``,
    ///   whose serial number survives replugging into another socket).
    public init?(describing devicePath: String) {
        guard let record = DeviceRecord.lookup(devicePath: devicePath),
              let hardware = record.ancestors.first(where: { ancestor in
                  ancestor.subsystem.map { !SerialPortInfo.ttyGlueSubsystems.contains($0) } ?? false
              }),
              let subsystem = hardware.subsystem, subsystem != "usb"
        else { return nil }
        self.init(
            kernelName: record.sysName,
            parentSubsystem: subsystem,
            parentKernelName: hardware.sysName,
            parentDriver: hardware.driver
        )
    }
}

extension DeviceRecord {
    /// The tty character device at `devicePath` (resolved with `realpath`,
    /// found by device number), or `nil` when it is not one.
    static func lookup(devicePath: String) -> DeviceRecord? {
        guard let resolved = realpath(devicePath, nil) else { return nil }
        defer { free(resolved) }
        var status = stat()
        guard stat(resolved, &status) == 0, (status.st_mode & S_IFMT) == S_IFCHR else { return nil }
        return try? withUdevContext { udev -> DeviceRecord? in
            guard let device = udev_device_new_from_devnum(udev, CChar(UInt8(ascii: "c")), status.st_rdev)
            else { return nil }
            defer { udev_device_unref(device) }
            guard swiftString(udev_device_get_subsystem(device)) == "tty" else { return nil }
            return DeviceRecord(udevDevice: device)
        }
    }
}

extension DeviceRecord.Ancestor {
    /// The ancestor's kernel name: the last component of its sysfs path, as
    /// udev's `KERNELS==` sees it.
    var sysName: String {
        sysPath.split(separator: "/").last.map(String.init) ?? sysPath
    }
}
