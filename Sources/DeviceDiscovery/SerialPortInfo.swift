/// One serial port as the kernel and udev describe it.
///
/// Values are captured once, at enumeration or lookup time; a port that is
/// unplugged afterwards keeps its last description. Fields that only the udev
/// daemon supplies (the `ID_*` properties, `/dev/serial/...` links, `role`) are
/// empty when no daemon runs; see ``SerialPortInfo/udevDaemonRunning``.
public struct SerialPortInfo: Sendable, Hashable, Codable {
    /// The device node to open, e.g. `/dev/ttyUSB0` (`udev_device_get_devnode`).
    public var devicePath: String
    /// The device's directory in sysfs, e.g. `/sys/devices/pci0000:00/.../ttyUSB0`
    /// (`udev_device_get_syspath`).
    public var sysPath: String
    /// The kernel name, e.g. `ttyUSB0` (`udev_device_get_sysname`).
    public var name: String
    /// Every symlink udev made to the node, sorted
    /// (`udev_device_get_devlinks_list_entry`).
    public var symlinks: [String]
    /// The kernel driver of the nearest parent that has one, e.g. `ftdi_sio`,
    /// `cp210x`, `cdc_acm`, `serial8250`; `nil` for ports without hardware
    /// (`udev_device_get_driver` on the parents, `udev_device_get_parent`).
    ///
    /// The tty layer's own glue devices (`serial-base` port/ctrl on Linux 6.5+)
    /// are skipped, so this names the hardware driver rather than `port`.
    public var driver: String?
    /// The bus the port hangs off: `usb`, `pci`, `pnp`, `platform`, ...
    /// (`udev_device_get_subsystem` on the nearest parent).
    ///
    /// The tty layer's pseudo-buses `usb-serial` and `serial-base` are skipped,
    /// so every USB adapter reports `usb` and legacy ports report their real bus
    /// on every kernel version.
    public var subsystem: String?
    /// USB vendor ID as four lowercase hex digits, e.g. `0403`: sysattr `idVendor`
    /// of the `usb_device` parent, else the `ID_VENDOR_ID` property
    /// (`udev_device_get_sysattr_value`, `udev_device_get_property_value`).
    public var usbVendorID: String?
    /// USB product ID as four lowercase hex digits, e.g. `6001`: sysattr `idProduct`
    /// of the `usb_device` parent, else the `ID_MODEL_ID` property
    /// (`udev_device_get_sysattr_value`, `udev_device_get_property_value`).
    public var usbProductID: String?
    /// Manufacturer string: sysattr `manufacturer` of the `usb_device` parent, else
    /// the `ID_VENDOR_ENC`/`ID_VENDOR` property (`udev_device_get_sysattr_value`).
    public var manufacturer: String?
    /// Product string: sysattr `product` of the `usb_device` parent, else the
    /// `ID_MODEL_ENC`/`ID_MODEL` property (`udev_device_get_sysattr_value`).
    public var product: String?
    /// Serial number: sysattr `serial` of the `usb_device` parent, else the
    /// `ID_SERIAL_SHORT` property (`udev_device_get_sysattr_value`).
    public var serialNumber: String?
    /// The USB interface number on multi-port adapters (e.g. FT4232H: 0...3):
    /// sysattr `bInterfaceNumber` of the `usb_interface` parent, else the
    /// `ID_USB_INTERFACE_NUM` property (`udev_device_get_sysattr_value`).
    public var interfaceNumber: Int?
    /// The circuit role our udev rules assign, from the `HEPABUS_ROLE` property
    /// (`udev_device_get_property_value`); `nil` when unassigned or no daemon runs.
    public var role: String?
    /// Every udev property of the tty device
    /// (`udev_device_get_properties_list_entry`).
    public var properties: [String: String]

    /// Creates a description from already-known values (fixtures, persisted
    /// configurations); ports on this machine come from
    /// ``enumerate(includeAll:)`` and ``lookup(devicePath:)``.
    public init(
        devicePath: String,
        sysPath: String,
        name: String,
        symlinks: [String] = [],
        driver: String? = nil,
        subsystem: String? = nil,
        usbVendorID: String? = nil,
        usbProductID: String? = nil,
        manufacturer: String? = nil,
        product: String? = nil,
        serialNumber: String? = nil,
        interfaceNumber: Int? = nil,
        role: String? = nil,
        properties: [String: String] = [:]
    ) {
        self.devicePath = devicePath
        self.sysPath = sysPath
        self.name = name
        self.symlinks = symlinks.sorted()
        self.driver = driver
        self.subsystem = subsystem
        self.usbVendorID = usbVendorID
        self.usbProductID = usbProductID
        self.manufacturer = manufacturer
        self.product = product
        self.serialNumber = serialNumber
        self.interfaceNumber = interfaceNumber
        self.role = role
        self.properties = properties
    }

    /// The stable-across-replugging links under `/dev/serial/by-id/`, sorted.
    public var byIDLinks: [String] {
        symlinks.filter { $0.hasPrefix("/dev/serial/by-id/") }
    }

    /// The stable-per-physical-socket links under `/dev/serial/by-path/`, sorted.
    public var byPathLinks: [String] {
        symlinks.filter { $0.hasPrefix("/dev/serial/by-path/") }
    }
}
