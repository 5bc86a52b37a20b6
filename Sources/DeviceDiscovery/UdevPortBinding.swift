/// One serial port of a circuit, bound to the hardware that carries it: what
/// ``UdevRuleGenerator`` turns into one udev rule.
///
/// The role names the port, not a device: several devices on one RS-485 segment
/// share one adapter and so one role (in the `bal` circuit the ports are
/// `blood`, `plasma` and `heparin`). The rule gives the port the link
/// `/dev/hepabus/<role>` and the udev property `HEPABUS_ROLE=<role>`.
public struct UdevPortBinding: Sendable, Hashable, Codable {
    /// The port's name: lowerCamelCase ASCII letters and digits, starting with a
    /// lowercase letter (checked by the generator).
    public var role: String
    /// What identifies the hardware.
    public var match: UdevPortMatch

    /// Binds `role` to the hardware `match` identifies.
    public init(role: String, match: UdevPortMatch) {
        self.role = role
        self.match = match
    }

    /// Binds `role` to a USB-serial adapter.
    ///
    /// - Parameters:
    ///   - role: The circuit role the port serves (`bloodPump`, …), as `HEPABUS_ROLE`.
    ///   - vendorID: USB vendor id, four hex digits (`0403`).
    ///   - productID: USB product id, four hex digits (`6001`).
    ///   - serialNumber: The adapter's USB serial number as sysfs shows it
    ///     (`cat /sys/bus/usb/devices/<dev>/serial`, or `hepabus ports`).
    ///   - interfaceNumber: The USB interface of a multi-port adapter
    ///     (FT2232H/FT4232H: 0...3); `nil` for single-port adapters.
    public init(role: String, vendorID: String, productID: String, serialNumber: String, interfaceNumber: Int? = nil) {
        self.init(role: role, match: .usb(USBAdapterIdentity(
            vendorID: vendorID, productID: productID, serialNumber: serialNumber, interfaceNumber: interfaceNumber
        )))
    }

    /// The stable path the rule creates, `/dev/hepabus/<role>`.
    public var linkPath: String { "/dev/" + UdevRuleGenerator.linkDirectory + "/" + role }
}

/// How a rule recognises the hardware behind a tty.
public enum UdevPortMatch: Sendable, Hashable, Codable {
    /// A USB-serial adapter, by vendor, product and serial number (and
    /// interface on multi-port adapters): stable whichever USB socket it is in.
    case usb(USBAdapterIdentity)
    /// A UART that is part of the machine (on-board 8250, SoC UART of an RS-485
    /// HAT, PCI serial card), by its tty name and the bus device that carries it.
    case onBoard(OnBoardUARTIdentity)
}

/// The identity of one USB-serial adapter port, as sysfs reports it.
public struct USBAdapterIdentity: Sendable, Hashable, Codable {
    /// Four hex digits; the generator writes them in lowercase, as sysfs does.
    public var vendorID: String
    /// Four hex digits; the generator writes them in lowercase, as sysfs does.
    public var productID: String
    /// The USB serial number string, matched literally.
    public var serialNumber: String
    /// `bInterfaceNumber` of the interface carrying this port; `nil` for
    /// single-port adapters.
    public var interfaceNumber: Int?

    /// Creates an identity from the values `hepabus ports` or sysfs show.
    public init(vendorID: String, productID: String, serialNumber: String, interfaceNumber: Int? = nil) {
        self.vendorID = vendorID
        self.productID = productID
        self.serialNumber = serialNumber
        self.interfaceNumber = interfaceNumber
    }
}

/// The identity of a UART built into the machine.
///
/// udev requires every parent key of one rule (`SUBSYSTEMS`, `KERNELS`,
/// `DRIVERS`) to match the same ancestor, so all three describe the one bus
/// device that carries the UART: on a PC, `pnp` device `00:00` with driver
/// `serial`; on a Raspberry Pi, `amba`/`platform` device `fe201000.serial`
/// with driver `uart-pl011`. ``init(describing:)`` reads them from a node.
public struct OnBoardUARTIdentity: Sendable, Hashable, Codable {
    /// The tty's kernel name (`ttyS0`, `ttyAMA0`), matched with `KERNEL==`.
    public var kernelName: String
    /// The bus of the device that carries the UART (`pnp`, `platform`, `pci`,
    /// `amba`), matched with `SUBSYSTEMS==`.
    public var parentSubsystem: String
    /// That device's kernel name (`00:00`, `fe201000.serial`, `0000:03:00.0`),
    /// matched with `KERNELS==`; `nil` to leave it out.
    public var parentKernelName: String?
    /// That device's driver (`serial`, `uart-pl011`, `serial8250`), matched with
    /// `DRIVERS==`; `nil` to leave it out.
    public var parentDriver: String?

    /// Creates an identity from values read with `udevadm info -a`.
    public init(kernelName: String, parentSubsystem: String, parentKernelName: String? = nil, parentDriver: String? = nil) {
        self.kernelName = kernelName
        self.parentSubsystem = parentSubsystem
        self.parentKernelName = parentKernelName
        self.parentDriver = parentDriver
    }
}
