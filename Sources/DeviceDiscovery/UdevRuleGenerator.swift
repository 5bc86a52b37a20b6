/// Writes the udev rules file (`99-hepabus.rules`) that names every port of a
/// circuit by its role.
///
/// For each ``UdevPortBinding`` one rule matches the tty by the identity of its
/// hardware and gives it the link `/dev/hepabus/<role>`, the property
/// `HEPABUS_ROLE=<role>`, the group (`hepabus` by default) with mode `0660`,
/// and the `systemd` tag (so systemd makes a `dev-hepabus-<role>.device`
/// unit). The generator is pure: the same input gives the same text, byte for
/// byte, whatever order the bindings come in.
///
/// ```swift
/// let text = try UdevRuleGenerator(circuit: "bal").rules(for: [
///     UdevPortBinding(role: "blood", vendorID: "0403", productID: "6001", serialNumber: "A10K3ZQ1"),
/// ])
/// ```
public struct UdevRuleGenerator: Sendable {
    /// The group that may open circuit ports unless the caller names another.
    public static let defaultGroup = "hepabus"
    /// The file name to install the rules under: `99-` so the rules run after
    /// the distribution's (`60-serial.rules` sets `ID_USB_INTERFACE_NUM`).
    public static let defaultFileName = "99-hepabus.rules"
    /// The directory under `/dev` holding the role links.
    public static let linkDirectory = "hepabus"
    /// The udev property carrying the role (read back as ``SerialPortInfo/role``).
    public static let roleProperty = "HEPABUS_ROLE"
    /// The mode of circuit ports: owner and group read and write, nobody else.
    public static let mode = "0660"

    /// What the header names as the source: a circuit name (`bal`) or the path
    /// of the circuit file.
    public var circuit: String
    /// The group given access to the ports.
    public var group: String

    /// A generator for `circuit`, giving ports to `group`.
    public init(circuit: String, group: String = UdevRuleGenerator.defaultGroup) {
        self.circuit = circuit
        self.group = group
    }

    /// The text of the rules file for `bindings`.
    ///
    /// - Throws: ``UdevRuleError`` naming the role and field when a binding is
    ///   invalid, when two bindings share a role, or when two bind the same
    ///   hardware (including a USB binding without interface number and one
    ///   with, for the same adapter: the first would match both ports).
    public func rules(for bindings: [UdevPortBinding]) throws(UdevRuleError) -> String {
        let checked = try validated(bindings)
        var lines = header()
        for binding in checked {
            lines.append("")
            lines.append("# " + binding.role + ": " + Self.describe(binding.match))
            lines.append(Self.rule(for: binding, group: group))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The bindings checked, normalised (hex ids in lowercase) and sorted by
    /// role: what ``rules(for:)`` writes.
    public func validated(_ bindings: [UdevPortBinding]) throws(UdevRuleError) -> [UdevPortBinding] {
        try UdevRuleValidation.checkCircuit(circuit)
        try UdevRuleValidation.checkGroup(group)
        guard !bindings.isEmpty else { throw .noBindings }
        var checked: [UdevPortBinding] = []
        for binding in bindings {
            checked.append(try UdevRuleValidation.normalised(binding))
        }
        checked.sort { $0.role < $1.role }
        for (index, binding) in checked.enumerated() {
            for other in checked[..<index] {
                if other.role == binding.role { throw .duplicateRole(binding.role) }
                if Self.overlap(other.match, binding.match) {
                    throw .duplicateIdentity(roles: [other.role, binding.role], identity: Self.describe(binding.match))
                }
            }
        }
        return checked
    }

    /// One rule line. The binding must already be validated.
    ///
    /// Parent keys (`SUBSYSTEMS`, `ATTRS`, `KERNELS`, `DRIVERS`) in one rule
    /// must all match the same ancestor: `idVendor`, `idProduct` and `serial`
    /// live on the `usb_device`, which is why the interface (on the
    /// `usb_interface` below it) is matched through the `ID_USB_INTERFACE_NUM`
    /// property instead of `ATTRS{bInterfaceNumber}`.
    static func rule(for binding: UdevPortBinding, group: String) -> String {
        var keys = [#"ACTION!="remove""#, #"SUBSYSTEM=="tty""#]
        switch binding.match {
        case .usb(let usb):
            keys += [
                #"SUBSYSTEMS=="usb""#,
                #"ATTRS{idVendor}==""# + usb.vendorID + #"""#,
                #"ATTRS{idProduct}==""# + usb.productID + #"""#,
                #"ATTRS{serial}==""# + usb.serialNumber + #"""#,
            ]
            if let number = usb.interfaceNumber {
                keys.append(#"ENV{ID_USB_INTERFACE_NUM}==""# + twoHexDigits(number) + #"""#)
            }
        case .onBoard(let uart):
            keys += [#"KERNEL==""# + uart.kernelName + #"""#, #"SUBSYSTEMS==""# + uart.parentSubsystem + #"""#]
            if let name = uart.parentKernelName { keys.append(#"KERNELS==""# + name + #"""#) }
            if let driver = uart.parentDriver { keys.append(#"DRIVERS==""# + driver + #"""#) }
        }
        keys += [
            #"SYMLINK+=""# + linkDirectory + "/" + binding.role + #"""#,
            #"ENV{"# + roleProperty + #"}=""# + binding.role + #"""#,
            // ":=" makes these final: no later rule file can widen access.
            #"GROUP:=""# + group + #"""#,
            #"MODE:=""# + mode + #"""#,
            #"TAG+="systemd""#,
        ]
        return keys.joined(separator: ", ")
    }

    private func header() -> [String] {
        [
            "# \(Self.defaultFileName): stable names for the serial ports of HepaBus circuit \(circuit).",
            "#",
            "# GENERATED by HepaBus (UdevRuleGenerator, `hepabus udev-rules --circuit \(circuit)`).",
            "# Do not edit: change the circuit or the adapters' serial numbers and generate again.",
            "#",
            "# Each rule matches one tty by the identity of its hardware (USB vendor, product and",
            "# serial number, and interface on multi-port adapters; or an on-board UART's bus device)",
            "# and gives it:",
            "#   /dev/\(Self.linkDirectory)/<role>   a symlink to the tty, whichever ttyUSBn it got",
            "#   \(Self.roleProperty)=<role>   a udev property (`hepabus ports` shows it)",
            "#   GROUP, MODE           group \(group), mode \(Self.mode): never world-writable (\":=\": no later rule widens it)",
            "#   TAG \"systemd\"         systemd's dev-\(Self.linkDirectory)-<role>.device unit, for services to wait on",
            "# ID_USB_INTERFACE_NUM is set by the distribution's 60-serial.rules, which runs first.",
            "#",
            "# Install (as root):",
            "#   groupadd --system \(group)",
            "#   install -m 0644 \(Self.defaultFileName) /etc/udev/rules.d/",
            "#   udevadm control --reload && udevadm trigger --subsystem-match=tty",
            "#   usermod -aG \(group) <user>    # then log in again",
            "# Check: ls -l /dev/\(Self.linkDirectory)/ ; udevadm info /dev/\(Self.linkDirectory)/<role>",
        ]
    }

    /// Whether two matches can select the same tty.
    static func overlap(_ first: UdevPortMatch, _ second: UdevPortMatch) -> Bool {
        switch (first, second) {
        case (.usb(let a), .usb(let b)):
            guard a.vendorID == b.vendorID, a.productID == b.productID, a.serialNumber == b.serialNumber
            else { return false }
            // A rule without interface number matches every interface.
            guard let left = a.interfaceNumber, let right = b.interfaceNumber else { return true }
            return left == right
        case (.onBoard(let a), .onBoard(let b)):
            // Kernel names of on-board ttys are unique on a machine.
            return a.kernelName == b.kernelName
        default:
            return false
        }
    }

    /// The identity in words, for comments and errors.
    static func describe(_ match: UdevPortMatch) -> String {
        switch match {
        case .usb(let usb):
            var text = "USB \(usb.vendorID):\(usb.productID) serial \(usb.serialNumber)"
            if let number = usb.interfaceNumber { text += " interface \(number)" }
            return text
        case .onBoard(let uart):
            var text = "on-board \(uart.kernelName) on \(uart.parentSubsystem)"
            if let name = uart.parentKernelName { text += " device \(name)" }
            if let driver = uart.parentDriver { text += " driver \(driver)" }
            return text
        }
    }

    /// `%02x`, as sysfs prints `bInterfaceNumber` and udev copies it.
    static func twoHexDigits(_ value: Int) -> String {
        let digits = String(value, radix: 16)
        return digits.count < 2 ? "0" + digits : digits
    }
}
