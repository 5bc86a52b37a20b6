import Foundation

/// Checks a rules file with the machine's own `udevadm`, against the machine's
/// own devices in sysfs.
///
/// Two checks:
/// - ``verify(rules:fileName:)``: `udevadm verify` (systemd 253 and later),
///   a syntax and style check of the file alone. Debian 12 ships systemd 252,
///   which lacks it: the result then says so.
/// - ``test(rules:fileName:syspath:ensuringGroups:)``: `udevadm test
///   --action=add <syspath>` with the candidate file among the distribution's
///   rules, which loads every rule (reporting syntax errors by file and line)
///   and evaluates them against a real device, showing which rules matched and
///   what they assigned.
///
/// `udevadm test` reads rules only from the standard directories, and (in
/// systemd 252) *applies* its result: it sets the node's mode and group,
/// creates the symlinks and writes udev's database. So each run happens in a
/// private mount namespace (`unshare --mount`) in which a directory holding
/// only the candidate file is mounted over `/etc/udev/rules.d` (or, where that
/// does not exist, the file is put in the sandbox's `/run/udev/rules.d`), and
/// fresh tmpfs are mounted over `/run` and `/dev` (holding just the device's node,
/// made with its real major:minor): the machine's rules directory, device
/// nodes and udev database are never touched, whether or not a udev daemon
/// runs. Groups the rules name that do not exist are added to a copy of
/// `/etc/group` mounted over the real one, so `GROUP=` is exercised too.
/// Hence root (`CAP_SYS_ADMIN`) is needed.
public struct UdevRulesChecker: Sendable {
    /// The `udevadm` in use.
    public let udevadmPath: String
    /// Its version: systemd's release number (`252`).
    public let version: Int
    /// Whether this udevadm has the `verify` verb (systemd 253 and later).
    public let supportsVerify: Bool

    /// The outcome of ``verify(rules:fileName:)``.
    public enum VerifyResult: Sendable, Equatable {
        /// `udevadm verify` accepted the file.
        case passed(output: String)
        /// `udevadm verify` rejected the file; `output` holds its messages.
        case failed(status: Int32, output: String)
        /// This udevadm has no `verify`; `reason` says which version it is.
        case unsupported(reason: String)
    }

    /// Finds `udevadm` and asks it its version and whether it has `verify`.
    ///
    /// - Throws: ``UdevCheckError/udevadmMissing`` ("install the udev package").
    public init() throws {
        guard let path = ToolRunning.locate("udevadm") else { throw UdevCheckError.udevadmMissing }
        let versionRun = try ToolRunning.run(path, ["--version"], timeout: .seconds(20))
        let versionText = versionRun.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        guard versionRun.status == 0, let version = Int(versionText.prefix(while: \.isNumber)) else {
            throw UdevCheckError.toolFailed(tool: path, detail: "--version printed '\(versionText)' \(versionRun.standardError)")
        }
        udevadmPath = path
        self.version = version
        // Ask the tool rather than trust the version: distributions backport.
        supportsVerify = try ToolRunning.run(path, ["verify", "--help"], timeout: .seconds(20)).status == 0
    }

    /// Runs `udevadm verify --resolve-names=never` on the candidate text.
    public func verify(rules: String, fileName: String = UdevRuleGenerator.defaultFileName) throws -> VerifyResult {
        guard supportsVerify else {
            return .unsupported(reason: "udevadm \(version) has no 'verify' verb (it came with systemd 253);"
                + " the rules are checked by 'udevadm test' against real devices instead")
        }
        let directory = try TemporaryDirectory(prefix: "hepabus-udev-verify")
        defer { directory.remove() }
        let path = directory.path + "/" + fileName
        try rules.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try ToolRunning.run(udevadmPath, ["verify", "--resolve-names=never", path])
        let output = result.standardOutput + result.standardError
        return result.status == 0 ? .passed(output: output) : .failed(status: result.status, output: output)
    }

    /// Runs `udevadm test --action=add syspath` with `rules` installed as
    /// `/etc/udev/rules.d/<fileName>` in a private sandbox (see the type's
    /// documentation) and reports what udevadm said and did.
    ///
    /// - Parameters:
    ///   - rules: The candidate rules text.
    ///   - fileName: Its name; it must end in `.rules` or udev skips it.
    ///   - syspath: A real device, e.g. `/sys/class/tty/ttyS0`.
    ///   - groups: Group names the rules assign; missing ones are added to the
    ///     sandbox's `/etc/group` so `GROUP=` resolves as on an installed machine.
    /// - Throws: ``UdevCheckError`` when the check cannot run (not root, no
    ///   `unshare`, not a device). Problems *in the rules* are in the report:
    ///   call ``UdevTestReport/requireClean()``.
    public func test(
        rules: String,
        fileName: String = UdevRuleGenerator.defaultFileName,
        syspath: String,
        ensuringGroups groups: [String] = []
    ) throws -> UdevTestReport {
        guard geteuid() == 0 else {
            throw UdevCheckError.needsRoot(why: "udevadm test applies modes and links, so it runs in a private mount namespace (unshare --mount)")
        }
        guard !fileName.isEmpty, !fileName.contains("/"), fileName != ".", fileName != ".." else {
            throw UdevCheckError.rulesRejected(file: fileName, messages: ["the file name must be a plain name, e.g. 99-hepabus.rules"])
        }
        guard let unshare = ToolRunning.locate("unshare") else {
            throw UdevCheckError.toolMissing(tool: "unshare", package: "util-linux")
        }
        guard let uevent = try? String(contentsOfFile: syspath + "/uevent", encoding: .utf8) else {
            throw UdevCheckError.notADevice(syspath: syspath)
        }
        let event = Dictionary(
            uevent.split(separator: "\n").compactMap { line -> (String, String)? in
                guard let equals = line.firstIndex(of: "=") else { return nil }
                return (String(line[..<equals]), String(line[line.index(after: equals)...]))
            },
            uniquingKeysWith: { first, _ in first }
        )
        let node = event["DEVNAME"] ?? ""
        let deviceNumber = event["MAJOR"].flatMap { major in event["MINOR"].map { "\(major):\($0)" } } ?? ""

        let work = try TemporaryDirectory(prefix: "hepabus-udev-test")
        defer { work.remove() }
        try FileManager.default.createDirectory(atPath: work.path + "/rules", withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: work.path + "/dev", withIntermediateDirectories: false)
        try rules.write(toFile: work.path + "/rules/" + fileName, atomically: true, encoding: .utf8)
        let groupFile = try Self.groupFile(adding: groups, in: work.path)

        let run = try ToolRunning.run(unshare, [
            "--mount", "--propagation", "private", "/bin/sh", "-c", Self.sandboxScript, "hepabus-udev-sandbox",
            udevadmPath, work.path, syspath, node, deviceNumber, groupFile ?? "",
        ])
        let statusText = (try? String(contentsOfFile: work.path + "/udevadm.status", encoding: .utf8)) ?? ""
        guard run.status == 0, let status = Int32(statusText.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw UdevCheckError.toolFailed(
                tool: "unshare sandbox",
                detail: "exit status \(run.status): \(run.standardError)\(run.standardOutput)"
            )
        }
        func contents(_ name: String) -> String {
            (try? String(contentsOfFile: work.path + "/" + name, encoding: .utf8)) ?? ""
        }
        var links: [String: String] = [:]
        for line in contents("links").split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
            if parts.count == 2 { links[parts[0]] = parts[1] }
        }
        let nodeFields = contents("node").split(whereSeparator: \.isWhitespace).map(String.init)
        let rulesDirectory = contents("rulesdir").trimmingCharacters(in: .whitespacesAndNewlines)
        return UdevTestReport(
            syspath: syspath,
            rulesPath: (rulesDirectory.isEmpty ? "/etc/udev/rules.d" : rulesDirectory) + "/" + fileName,
            exitStatus: status,
            output: contents("udevadm.out"),
            log: contents("udevadm.err"),
            links: links,
            nodeMode: nodeFields.first.flatMap { Int($0, radix: 8) },
            nodeGroup: nodeFields.count > 1 ? nodeFields[1] : nil
        )
    }

    /// A copy of `/etc/group` with the missing `groups` added (system gids
    /// below 1000 that are free), or `nil` when all exist.
    static func groupFile(adding groups: [String], in directory: String) throws -> String? {
        let missing = Set(groups).filter { getgrnam($0) == nil }.sorted()
        guard !missing.isEmpty else { return nil }
        var text = try String(contentsOfFile: "/etc/group", encoding: .utf8)
        if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
        var gid: gid_t = 999
        for name in missing {
            while getgrgid(gid) != nil || text.contains(":x:\(gid):") { gid -= 1 }
            text += "\(name):x:\(gid):\n"
            gid -= 1
        }
        let path = directory + "/group"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs inside `unshare --mount --propagation private`, so every mount
    /// vanishes with it. `set -e`: if any mount fails, udevadm never runs —
    /// and the marker check makes sure it never sees the real /dev.
    static let sandboxScript = #"""
        set -eu
        udevadm=$1 work=$2 syspath=$3 node=$4 devnum=$5 groupfile=$6
        mount -t tmpfs -o mode=0755 hepabus-udev-run /run
        if [ -d /etc/udev/rules.d ]; then
            mount --bind "$work/rules" /etc/udev/rules.d
            echo /etc/udev/rules.d > "$work/rulesdir"
        else
            mkdir -p /run/udev/rules.d
            cp "$work/rules/"* /run/udev/rules.d/
            echo /run/udev/rules.d > "$work/rulesdir"
        fi
        mount -t tmpfs -o mode=0755 hepabus-udev-dev "$work/dev"
        if [ -n "$node" ] && [ -n "$devnum" ]; then
            mkdir -p "$(dirname "$work/dev/$node")"
            mknod -m 0600 "$work/dev/$node" c "${devnum%%:*}" "${devnum##*:}"
        fi
        : > "$work/dev/.hepabus-udev-sandbox"
        mount --bind "$work/dev" /dev
        if [ -n "$groupfile" ]; then mount --bind "$groupfile" /etc/group; fi
        [ -e /dev/.hepabus-udev-sandbox ]
        status=0
        "$udevadm" test --action=add "$syspath" > "$work/udevadm.out" 2> "$work/udevadm.err" || status=$?
        find /dev -type l -exec sh -c 'for link do printf "%s\t%s\n" "$link" "$(readlink "$link")"; done' sh {} + > "$work/links"
        if [ -n "$node" ] && [ -e "/dev/$node" ]; then stat -c '%a %G' "/dev/$node" > "$work/node"; fi
        echo "$status" > "$work/udevadm.status"
        """#
}
