extension UdevPortBinding {
    /// Whether `port` is the hardware this binding names, judged as the
    /// generated rule would judge it, for when no udev daemon assigns
    /// `HEPABUS_ROLE` (kernel hotplug events, enumeration in containers).
    ///
    /// USB: vendor and product (any case), serial number (exactly) and, when
    /// the binding has one, the interface number. On-board: the tty's kernel
    /// name, the bus and, when the binding has one, the driver (the parent's
    /// kernel name is not part of ``SerialPortInfo``; tty names are unique on
    /// a machine).
    public func matches(_ port: SerialPortInfo) -> Bool {
        switch match {
        case .usb(let usb):
            guard port.subsystem == "usb",
                  port.usbVendorID?.lowercased() == usb.vendorID.lowercased(),
                  port.usbProductID?.lowercased() == usb.productID.lowercased(),
                  port.serialNumber == usb.serialNumber
            else { return false }
            return usb.interfaceNumber.map { $0 == port.interfaceNumber } ?? true
        case .onBoard(let uart):
            guard port.name == uart.kernelName, port.subsystem == uart.parentSubsystem else { return false }
            return uart.parentDriver.map { $0 == port.driver } ?? true
        }
    }
}
