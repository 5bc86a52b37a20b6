/// A serial port appearing, disappearing or changing, as ``HotplugMonitor``
/// (from udev or the kernel) or ``PortPresenceWatcher`` (from the filesystem)
/// saw it.
///
/// A `remove` for a circuit role during a treatment is the loss of that port:
/// whoever runs the treatment trips SR-16 at once, without waiting for
/// timeouts. An `add` for a role is not permission to use it again: re-identify
/// the device behind it (identity block, serial number) first.
public struct HotplugEvent: Sendable, Hashable, CustomStringConvertible {
    /// What happened.
    public enum Action: Sendable, Hashable, CustomStringConvertible {
        /// The port appeared (plugged in, driver bound, link created).
        case add
        /// The port disappeared (unplugged, driver unbound, link gone).
        case remove
        /// The port changed (udev re-ran its rules, e.g. after `udevadm trigger`).
        case change
        /// The kernel dropped events because the monitor's receive buffer was
        /// full: any port may have come or gone unseen, so re-check them all.
        case eventsLost
        /// Another kernel action (`move`, `bind`, `unbind`, `online`, `offline`).
        case other(String)

        /// Reads a kernel/udev `ACTION` value.
        public init(_ action: String) {
            switch action {
            case "add": self = .add
            case "remove": self = .remove
            case "change": self = .change
            default: self = .other(action)
            }
        }

        /// The `ACTION` word (`eventsLost` for lost events).
        public var description: String {
            switch self {
            case .add: "add"
            case .remove: "remove"
            case .change: "change"
            case .eventsLost: "eventsLost"
            case .other(let action): action
            }
        }
    }

    /// Where the event came from, which says how much it can tell.
    public enum Origin: String, Sendable, Hashable, Codable {
        /// The udev daemon, after its rules ran: links, `HEPABUS_ROLE` and the
        /// `ID_*` properties are present (on `remove` too, from its database).
        case udev
        /// The kernel's raw uevent, before any rule: no links, no role.
        case kernel
        /// ``PortPresenceWatcher``: a watched path started or stopped leading
        /// to a character device.
        case presenceWatcher
    }

    /// What happened.
    public var action: Action
    /// Who saw it.
    public var origin: Origin
    /// The device node (`/dev/ttyUSB0`; for the watcher, the node the watched
    /// link led to), when known.
    public var devicePath: String?
    /// Links to the node: udev's `DEVLINKS` (with `/dev/hepabus/<role>`), or
    /// the watched path; sorted.
    public var symlinks: [String]
    /// The port's role: `HEPABUS_ROLE` from our udev rules, or the role the
    /// watcher was given; `nil` when unknown (kernel events, unbound ports).
    public var role: String?
    /// The adapter's serial number (`ID_SERIAL_SHORT`, or the USB parent's
    /// `serial` attribute while the device exists); `nil` when unknown.
    public var serialNumber: String?
    /// The device's sysfs path, for udev and kernel events.
    public var sysPath: String?
    /// The port as discovery describes it (USB ids, driver, ...), for udev and
    /// kernel events; on `remove` only what the event itself carried.
    public var port: SerialPortInfo?
    /// The event's properties (`ACTION`, `DEVNAME`, `SEQNUM`, `HEPABUS_ROLE`, ...).
    public var properties: [String: String]
    /// The kernel's event sequence number (`SEQNUM`), for udev and kernel events.
    public var sequenceNumber: UInt64?

    /// Creates an event from known values (fixtures, other event sources).
    public init(
        action: Action,
        origin: Origin,
        devicePath: String? = nil,
        symlinks: [String] = [],
        role: String? = nil,
        serialNumber: String? = nil,
        sysPath: String? = nil,
        port: SerialPortInfo? = nil,
        properties: [String: String] = [:],
        sequenceNumber: UInt64? = nil
    ) {
        self.action = action
        self.origin = origin
        self.devicePath = devicePath
        self.symlinks = symlinks.sorted()
        self.role = role
        self.serialNumber = serialNumber
        self.sysPath = sysPath
        self.port = port
        self.properties = properties
        self.sequenceNumber = sequenceNumber
    }

    /// `remove bloodPump /dev/ttyUSB0 (udev)`-style summary for logs.
    public var description: String {
        var parts = [action.description]
        if let role { parts.append(role) }
        if let devicePath { parts.append(devicePath) }
        if let serialNumber { parts.append("serial " + serialNumber) }
        return parts.joined(separator: " ") + " (\(origin.rawValue))"
    }
}
