internal import CUdev

extension HotplugEvent {
    /// Copies a device received from a libudev monitor into an event.
    ///
    /// Reuses ``DeviceRecord`` so events and enumeration describe ports alike.
    /// On `add`/`change` the parents are still in sysfs, so a kernel event
    /// too gets the USB ids and serial number; on `remove` they are gone and
    /// only the event's own properties remain (which, from udev, include the
    /// database's `HEPABUS_ROLE`, `DEVLINKS` and `ID_SERIAL_SHORT`).
    init(udevDevice device: OpaquePointer, origin: Origin) {
        let record = DeviceRecord(udevDevice: device)
        let port = SerialPortInfo(record: record)
        let properties = record.properties
        let nonEmpty: (String?) -> String? = { value in value.flatMap { $0.isEmpty ? nil : $0 } }
        self.init(
            action: Action(swiftString(udev_device_get_action(device)) ?? properties["ACTION"] ?? "change"),
            origin: origin,
            devicePath: port?.devicePath,
            symlinks: port?.symlinks ?? record.devLinks,
            role: port?.role ?? nonEmpty(properties[UdevRuleGenerator.roleProperty]),
            serialNumber: port?.serialNumber ?? nonEmpty(properties["ID_SERIAL_SHORT"]),
            sysPath: record.sysPath.isEmpty ? nil : record.sysPath,
            port: port,
            properties: properties,
            // 0 means "none" to libudev.
            sequenceNumber: { let number = udev_device_get_seqnum(device); return number == 0 ? nil : UInt64(number) }()
        )
    }
}
