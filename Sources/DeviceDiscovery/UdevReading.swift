internal import CUdev
import Glibc

/// Wraps the libudev reads that turn a `struct udev_device *` into plain data.
extension DeviceRecord {
    /// Copies everything ``SerialPortInfo/init(record:)`` needs out of `device`,
    /// so no libudev pointer outlives the caller's unref.
    init(udevDevice device: OpaquePointer) {
        var ancestors: [Ancestor] = []
        // Parents are owned by their child: walk them, never unref them.
        var parent = udev_device_get_parent(device)
        while let current = parent {
            let subsystem = swiftString(udev_device_get_subsystem(current))
            let devType = swiftString(udev_device_get_devtype(current))
            var attributes: [String: String] = [:]
            if subsystem == "usb", devType == "usb_device" || devType == "usb_interface" {
                for name in Self.usbAttributeNames {
                    if let value = swiftString(udev_device_get_sysattr_value(current, name)) {
                        attributes[name] = value
                    }
                }
            }
            ancestors.append(Ancestor(
                sysPath: swiftString(udev_device_get_syspath(current)) ?? "",
                subsystem: subsystem,
                devType: devType,
                driver: swiftString(udev_device_get_driver(current)),
                sysAttributes: attributes
            ))
            parent = udev_device_get_parent(current)
        }

        var properties: [String: String] = [:]
        forEachEntry(udev_device_get_properties_list_entry(device)) { name, value in
            properties[name] = value ?? ""
        }
        var links: [String] = []
        forEachEntry(udev_device_get_devlinks_list_entry(device)) { name, _ in links.append(name) }

        self.init(
            sysPath: swiftString(udev_device_get_syspath(device)) ?? "",
            sysName: swiftString(udev_device_get_sysname(device)) ?? "",
            devNode: swiftString(udev_device_get_devnode(device)),
            devLinks: links,
            properties: properties,
            ancestors: ancestors
        )
    }
}

/// The `udev_list_entry_foreach` macro, which does not import into Swift:
/// calls `body` with each entry's name and value.
func forEachEntry(_ first: OpaquePointer?, _ body: (String, String?) -> Void) {
    var entry = first
    while let current = entry {
        if let name = swiftString(udev_list_entry_get_name(current)) {
            body(name, swiftString(udev_list_entry_get_value(current)))
        }
        entry = udev_list_entry_get_next(current)
    }
}

/// Copies a libudev-owned C string, which is only valid until the next call
/// on its device.
func swiftString(_ pointer: UnsafePointer<CChar>?) -> String? {
    pointer.map { String(cString: $0) }
}

/// Runs `body` with a fresh udev context and releases it afterwards.
func withUdevContext<T>(_ body: (OpaquePointer) throws -> T) throws -> T {
    guard let udev = udev_new() else {
        throw DiscoveryError.udevUnavailable(errno: errno)
    }
    defer { udev_unref(udev) }
    return try body(udev)
}
