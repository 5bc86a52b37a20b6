/// A plain-data copy of what libudev reports for one tty device and its parents.
///
/// Reading udev (``DeviceRecord/init(udevDevice:)``) and interpreting what was
/// read (``SerialPortInfo/init(record:)``) are kept apart so the interpretation
/// can be tested with fixtures on machines without serial hardware or udev.
struct DeviceRecord: Sendable, Hashable {
    /// One ancestor of the tty device in sysfs, nearest first.
    struct Ancestor: Sendable, Hashable {
        var sysPath: String
        var subsystem: String?
        var devType: String?
        var driver: String?
        /// Only the attributes ``DeviceRecord/usbAttributeNames`` lists, and only
        /// for USB ancestors: reading sysfs attributes of every ancestor is slow
        /// and would wake devices for nothing.
        var sysAttributes: [String: String] = [:]
    }

    var sysPath: String
    var sysName: String
    var devNode: String?
    var devLinks: [String]
    var properties: [String: String]
    var ancestors: [Ancestor]

    /// The sysattrs we read on `usb_device` and `usb_interface` ancestors.
    static let usbAttributeNames = [
        "idVendor", "idProduct", "manufacturer", "product", "serial", "bInterfaceNumber",
    ]
}

extension SerialPortInfo {
    /// Pseudo-buses of the tty layer itself, which sit between a tty and the
    /// hardware it belongs to. `serial-base` appeared in Linux 6.5 and hides the
    /// real bus (`platform`, `pnp`, `pci`) of every 8250 port from tools that
    /// only look at the immediate parent, as pyserial's `list_ports` does.
    static let ttyGlueSubsystems: Set<String> = ["serial-base", "usb-serial"]

    /// Builds the public description from plain data; `nil` when the device has
    /// no node to open.
    init?(record: DeviceRecord) {
        let properties = record.properties
        guard let devicePath = record.devNode ?? properties["DEVNAME"].map(Self.absoluteDevicePath)
        else { return nil }

        let hardware = record.ancestors.filter { ancestor in
            ancestor.subsystem.map { !Self.ttyGlueSubsystems.contains($0) } ?? true
        }
        let usbDevice = record.ancestors.first { $0.devType == "usb_device" }
        let usbInterface = record.ancestors.first { $0.devType == "usb_interface" }
        func usbAttribute(_ name: String, of ancestor: DeviceRecord.Ancestor?) -> String? {
            ancestor?.sysAttributes[name].flatMap(Self.nonEmpty)
        }
        func property(_ name: String) -> String? {
            properties[name].flatMap(Self.nonEmpty)
        }

        // Links come from the devlinks list; DEVLINKS duplicates it, but keeps
        // links when a caller builds a record from `udevadm info` output.
        var links = Set(record.devLinks)
        if let devlinks = properties["DEVLINKS"] {
            links.formUnion(devlinks.split(separator: " ").map(String.init))
        }

        self.init(
            devicePath: devicePath,
            sysPath: record.sysPath,
            name: record.sysName,
            symlinks: links.sorted(),
            driver: hardware.lazy.compactMap(\.driver).first ?? property("ID_USB_DRIVER"),
            subsystem: hardware.lazy.compactMap(\.subsystem).first,
            usbVendorID: (usbAttribute("idVendor", of: usbDevice) ?? property("ID_VENDOR_ID"))?.lowercased(),
            usbProductID: (usbAttribute("idProduct", of: usbDevice) ?? property("ID_MODEL_ID"))?.lowercased(),
            manufacturer: usbAttribute("manufacturer", of: usbDevice)
                ?? property("ID_VENDOR_ENC").map(Self.decodeUdevEscapes) ?? property("ID_VENDOR"),
            product: usbAttribute("product", of: usbDevice)
                ?? property("ID_MODEL_ENC").map(Self.decodeUdevEscapes) ?? property("ID_MODEL"),
            serialNumber: usbAttribute("serial", of: usbDevice) ?? property("ID_SERIAL_SHORT"),
            // Both sources print the number in hex ("%02x").
            interfaceNumber: (usbAttribute("bInterfaceNumber", of: usbInterface) ?? property("ID_USB_INTERFACE_NUM"))
                .flatMap { Int($0, radix: 16) },
            role: property("HEPABUS_ROLE"),
            properties: properties
        )
    }

    /// Whether ``enumerate(includeAll:)`` reports this port.
    ///
    /// Virtual ttys (consoles, `ptmx`, `tty`) are never serial lines. Legacy
    /// 8250 ports on the `platform` bus are the kernel's placeholder
    /// `ttyS0...ttyS31`, present whether or not a UART exists; real on-board
    /// UARTs appear on `pnp`/`acpi`/`pci`, so they are hidden unless asked for.
    func isListed(includeAll: Bool) -> Bool {
        if sysPath.contains("/devices/virtual/") { return false }
        if subsystem == "platform" && !includeAll { return false }
        return true
    }

    /// DEVNAME is relative to /dev for most devices.
    private static func absoluteDevicePath(_ devName: String) -> String {
        devName.hasPrefix("/") ? devName : "/dev/" + devName
    }

    private static func nonEmpty(_ value: String) -> String? {
        let trimmed = value.trimmingWhitespace()
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Undoes udev's `\xNN` escaping in `ID_*_ENC` properties, which keep the
    /// spaces and punctuation that `ID_VENDOR`/`ID_MODEL` replace with `_`.
    static func decodeUdevEscapes(_ encoded: String) -> String {
        var bytes: [UInt8] = []
        var utf8 = encoded.utf8[...]
        while let byte = utf8.first {
            if byte == UInt8(ascii: "\\"), utf8.count >= 4,
               utf8.dropFirst().first == UInt8(ascii: "x"),
               let value = UInt8(String(decoding: utf8.dropFirst(2).prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(4)
            } else {
                bytes.append(byte)
                utf8 = utf8.dropFirst()
            }
        }
        return String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
    }
}

extension String {
    /// Sysfs and udev values carry padding (USB descriptors often end in spaces).
    fileprivate func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let start = firstIndex(where: { !isSpace($0) }),
              let end = lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(self[start...end])
    }
}
