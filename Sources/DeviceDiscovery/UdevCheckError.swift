/// Why ``UdevRulesChecker`` could not check rules, or why the rules failed.
public enum UdevCheckError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `udevadm` is not installed.
    case udevadmMissing
    /// Another tool the check needs is not installed; `package` provides it.
    case toolMissing(tool: String, package: String)
    /// The check needs root; `why` says for what.
    case needsRoot(why: String)
    /// A tool could not be run, or ran but failed, in a way that says nothing
    /// about the rules (`detail` has its words).
    case toolFailed(tool: String, detail: String)
    /// The path given is not a device in sysfs.
    case notADevice(syspath: String)
    /// udevadm rejected or did not read the rules: `messages` are its own
    /// words, with the file's line numbers.
    case rulesRejected(file: String, messages: [String])

    /// One sentence saying what to do, with udevadm's messages where it gave some.
    public var description: String {
        switch self {
        case .udevadmMissing:
            return "udevadm not found: install the udev package (apt-get install udev; Tools/install-deps.sh does)"
        case .toolMissing(let tool, let package):
            return "\(tool) not found: install the \(package) package"
        case .needsRoot(let why):
            return "must run as root: \(why)"
        case .toolFailed(let tool, let detail):
            return "\(tool) failed: \(detail)"
        case .notADevice(let syspath):
            return "\(syspath) is not a device in sysfs (no uevent file)"
        case .rulesRejected(let file, let messages):
            return "udevadm rejected \(file): " + messages.joined(separator: "; ")
        }
    }
}
