internal import CUdev
import Glibc

extension SerialPortInfo {
    /// Lists this machine's serial ports, sorted by ``devicePath``.
    ///
    /// Enumerates the `tty` subsystem through libudev (`udev_new`,
    /// `udev_enumerate_new`, `udev_enumerate_add_match_subsystem`,
    /// `udev_enumerate_scan_devices`, `udev_device_new_from_syspath`). Virtual
    /// ttys (consoles, `ptmx`) are never listed. The legacy 8250 placeholders on
    /// the `platform` bus (`ttyS0...ttyS31` whether or not a UART exists) are
    /// hidden unless `includeAll` is true, as pyserial's `list_ports` does.
    ///
    /// - Parameter includeAll: Also list ports on the `platform` bus, which
    ///   includes phantom legacy ports but also real SoC UARTs on embedded boards.
    /// - Throws: ``DiscoveryError`` when libudev cannot be used at all.
    public static func enumerate(includeAll: Bool = false) throws -> [SerialPortInfo] {
        try withUdevContext { udev in
            guard let enumerate = udev_enumerate_new(udev) else {
                throw DiscoveryError.enumerationFailed(call: "udev_enumerate_new", errno: errno)
            }
            defer { udev_enumerate_unref(enumerate) }

            // libudev returns negative errno codes.
            let matched = udev_enumerate_add_match_subsystem(enumerate, "tty")
            if matched < 0 {
                throw DiscoveryError.enumerationFailed(call: "udev_enumerate_add_match_subsystem", errno: -matched)
            }
            let scanned = udev_enumerate_scan_devices(enumerate)
            if scanned < 0 {
                throw DiscoveryError.enumerationFailed(call: "udev_enumerate_scan_devices", errno: -scanned)
            }

            var syspaths: [String] = []
            forEachEntry(udev_enumerate_get_list_entry(enumerate)) { name, _ in syspaths.append(name) }

            var ports: [SerialPortInfo] = []
            for syspath in syspaths where !syspath.contains("/devices/virtual/") {
                // NULL here means the device vanished after the scan (unplugged):
                // it is simply not a port any more.
                guard let device = udev_device_new_from_syspath(udev, syspath) else { continue }
                defer { udev_device_unref(device) }
                if let port = SerialPortInfo(record: DeviceRecord(udevDevice: device)),
                   port.isListed(includeAll: includeAll)
                {
                    ports.append(port)
                }
            }
            return ports.sorted { $0.devicePath < $1.devicePath }
        }
    }
}
