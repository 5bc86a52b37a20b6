/// Whether hotplug events can reach this process, and from where; see
/// ``HotplugMonitor/availability``.
public struct HotplugAvailability: Sendable, Equatable, CustomStringConvertible {
    /// Whether a udev daemon runs (its control socket `/run/udev/control` exists).
    public var udevDaemonRunning: Bool
    /// Whether this process could open and bind a monitor on the kernel's
    /// uevent netlink group (it needs no privilege on Linux). Binding says
    /// nothing about delivery: in a network namespace owned by a non-initial
    /// user namespace the kernel sends it no device uevents at all.
    public var kernelSourceUsable: Bool
    /// Why the kernel source could not be opened, when it could not.
    public var kernelSourceProblem: String?

    /// The source to monitor: `.udev` with a daemon, else `.kernel` when it can
    /// be opened, else `nil` (detect loss on the line itself).
    public var recommendedSource: HotplugMonitor.Source? {
        if udevDaemonRunning { return .udev }
        return kernelSourceUsable ? .kernel : nil
    }

    /// Creates a report from known facts (tests, other probes).
    public init(udevDaemonRunning: Bool, kernelSourceUsable: Bool, kernelSourceProblem: String? = nil) {
        self.udevDaemonRunning = udevDaemonRunning
        self.kernelSourceUsable = kernelSourceUsable
        self.kernelSourceProblem = kernelSourceProblem
    }

    /// What a technician needs to know, in plain words.
    public var description: String {
        if udevDaemonRunning {
            return "udev daemon running (/run/udev/control exists): hotplug events come from udev after its rules,"
                + " with the /dev/hepabus links, HEPABUS_ROLE and the adapters' serial numbers."
        }
        var text = "no udev daemon runs (/run/udev/control is absent, as in containers and CI):"
            + " events from the \"udev\" netlink source never arrive, because nothing processes the kernel's uevents"
            + " and sends them on, and there are no /dev/hepabus links or HEPABUS_ROLE properties."
        if kernelSourceUsable {
            text += " Degraded alternative: the \"kernel\" netlink source (it needs no privilege, and opens here) delivers the"
                + " kernel's raw uevents: the device node, and on add the USB ids and serial number, but no role"
                + " (map them with UdevPortBinding.matches(_:))."
        } else {
            text += " The \"kernel\" netlink source cannot be opened here either"
                + (kernelSourceProblem.map { " (\($0))" } ?? "") + "."
        }
        return text + " Detect the loss of a port on the line itself too: PortPresenceWatcher, I/O errors, timeouts."
    }
}
