/// What one `udevadm test --action=add <syspath>` run with candidate rules
/// reported and did, read from its output and from the sandbox's `/dev`.
public struct UdevTestReport: Sendable {
    /// A problem udevadm found in the candidate file while loading it, in its
    /// own words (`Invalid key 'SYMLNK'`).
    public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
        /// The line of the candidate file.
        public var line: Int
        /// udevadm's message.
        public var message: String
        /// `line N: message`.
        public var description: String { "line \(line): \(message)" }
    }

    /// An assignment of the candidate file that udevadm applied to the device
    /// (it logs `GROUP`, `MODE`, `OWNER`, `LINK`, `RUN`, ... with the line).
    public struct Assignment: Sendable, Hashable {
        /// The line of the candidate file whose rule matched.
        public var line: Int
        /// The key as udevadm logs it (`LINK` for `SYMLINK`).
        public var key: String
        /// The value as udevadm logs it, quotes removed.
        public var value: String
    }

    /// The device tested.
    public var syspath: String
    /// The candidate file as udevadm saw it, `/etc/udev/rules.d/<name>` in the sandbox.
    public var rulesPath: String
    /// Whether udevadm read the candidate file at all (a name not ending in
    /// `.rules`, or one masked by another directory, is silently skipped).
    public var rulesFileRead: Bool
    /// udevadm's exit status (252 exits 0 even when rules have errors).
    public var exitStatus: Int32
    /// Problems in the candidate file, in line order.
    public var diagnostics: [Diagnostic]
    /// What the candidate file's rules did to the device.
    public var assignments: [Assignment]
    /// The device's properties after all rules, as udevadm printed them
    /// (`HEPABUS_ROLE`, `DEVLINKS`, `TAGS`, ...).
    public var properties: [String: String]
    /// The symlinks udevadm created in the sandbox's `/dev`, link → target as
    /// stored (`/dev/hepabus/blood` → `../ttyUSB0`).
    public var links: [String: String]
    /// The device node's permission bits after the run (`0o660`), when it has a node.
    public var nodeMode: Int?
    /// The device node's group after the run, when it has a node.
    public var nodeGroup: String?
    /// udevadm's standard output, as printed.
    public var output: String
    /// udevadm's log (standard error): every rule file read, every rule applied.
    public var log: String

    /// The lines of the candidate file whose rules matched the device.
    public var matchedLines: Set<Int> { Set(assignments.map(\.line)) }

    /// The links the device got, from the `DEVLINKS` property.
    public var devlinks: [String] {
        (properties["DEVLINKS"] ?? "").split(separator: " ").map(String.init).sorted()
    }

    /// The device's tags, from the `TAGS` property (`:systemd:` → `systemd`).
    public var tags: Set<String> {
        Set((properties["TAGS"] ?? "").split(separator: ":").map(String.init))
    }

    /// Throws with udevadm's own messages when it did not read the file,
    /// failed, or found problems in it.
    public func requireClean() throws(UdevCheckError) {
        var messages: [String] = []
        if !rulesFileRead { messages.append("udevadm did not read \(rulesPath) (a name must end in .rules)") }
        if exitStatus != 0 { messages.append("udevadm test exited with status \(exitStatus): \(lastLogLine)") }
        messages += diagnostics.map(\.description)
        if !messages.isEmpty { throw .rulesRejected(file: rulesPath, messages: messages) }
    }

    private var lastLogLine: String {
        log.split(separator: "\n").last.map(String.init) ?? ""
    }

    /// Builds the report from udevadm's output. Loading problems are logged as
    /// `<path>:<line> <message>` (or `<path>:<line>: <message>`); applied
    /// assignments as `<device>: <path>:<line> <KEY> <value>`.
    init(syspath: String, rulesPath: String, exitStatus: Int32, output: String, log: String,
         links: [String: String], nodeMode: Int?, nodeGroup: String?)
    {
        self.syspath = syspath
        self.rulesPath = rulesPath
        self.exitStatus = exitStatus
        self.output = output
        self.log = log
        self.links = links
        self.nodeMode = nodeMode
        self.nodeGroup = nodeGroup

        var read = false
        var diagnostics: [Diagnostic] = []
        var assignments: [Assignment] = []
        for rawLine in log.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = String(rawLine)
            if line.hasSuffix("rules file: " + rulesPath) { read = true; continue }
            guard let range = line.range(of: rulesPath + ":") else { continue }
            let prefix = line[..<range.lowerBound]
            var rest = line[range.upperBound...]
            let digits = rest.prefix(while: \.isNumber)
            guard let number = Int(digits) else { continue }
            rest = rest.dropFirst(digits.count)
            if rest.first == ":" { rest = rest.dropFirst() }
            let text = rest.drop(while: { $0 == " " })
            if prefix.isEmpty {
                diagnostics.append(Diagnostic(line: number, message: String(text)))
            } else if let space = text.firstIndex(of: " "),
                      text[..<space].allSatisfy({ $0.isUppercase || $0 == "_" })
            {
                var value = text[text.index(after: space)...]
                if value.count >= 2, value.first == "'", value.last == "'" { value = value.dropFirst().dropLast() }
                assignments.append(Assignment(line: number, key: String(text[..<space]), value: String(value)))
            } else {
                // Event-time warnings (a group that does not resolve, ...) are problems too.
                diagnostics.append(Diagnostic(line: number, message: String(text)))
            }
        }
        self.rulesFileRead = read
        self.diagnostics = diagnostics.sorted { $0.line < $1.line }
        self.assignments = assignments

        var properties: [String: String] = [:]
        for rawLine in output.split(separator: "\n") {
            guard let equals = rawLine.firstIndex(of: "="),
                  rawLine[..<equals].allSatisfy({ $0.isUppercase || $0.isNumber || $0 == "_" || $0 == "." }),
                  equals != rawLine.startIndex
            else { continue }
            properties[String(rawLine[..<equals])] = String(rawLine[rawLine.index(after: equals)...])
        }
        self.properties = properties
    }
}
