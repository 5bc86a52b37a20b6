import Foundation
import Testing
@testable import DeviceDiscovery

/// The generated rules, checked by this machine's `udevadm` against this
/// machine's real devices in sysfs (see ``UdevRulesChecker``: each run happens
/// in a private mount namespace, so the real /dev, /run and rules directory
/// stay untouched). Needs root and the udev package; nothing is skipped: if
/// either is missing, the tests fail saying so.
@Suite("udev rules under udevadm, against this machine's devices", .serialized)
struct UdevadmRulesTests {
    /// The checker, or a failure saying "install the udev package".
    static func checker() throws -> UdevRulesChecker {
        do { return try UdevRulesChecker() } catch {
            Issue.record("\(error)")
            throw error
        }
    }

    /// Every non-virtual tty in sysfs, e.g. `/sys/class/tty/ttyS0`, sorted.
    static func realTTYs() throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: "/sys/class/tty")
        let real = names.sorted().compactMap { name -> String? in
            let path = "/sys/class/tty/" + name
            guard let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: path),
                  !resolved.contains("/devices/virtual/"), FileManager.default.fileExists(atPath: path + "/dev")
            else { return nil }
            return path
        }
        try #require(!real.isEmpty, "this machine has no real tty in sysfs to check rules against")
        return real
    }

    /// A binding keyed on the real attributes of the first on-board UART here
    /// (ttyS0 on pnp `00:00`, driver `serial`, on this machine), read through
    /// the library like any caller would.
    static func onBoardBinding(role: String = "onBoardLine") throws -> (UdevPortBinding, syspath: String) {
        for syspath in try realTTYs() {
            let name = (syspath as NSString).lastPathComponent
            if let identity = OnBoardUARTIdentity(describing: "/dev/" + name) {
                return (UdevPortBinding(role: role, match: .onBoard(identity)), syspath)
            }
        }
        Issue.record("no on-board (non-USB) UART here to key a rule on")
        throw CancellationError()
    }

    /// An adapter no machine has: vendor ffff is reserved.
    static let absentAdapter = UdevPortBinding(role: "ghost", vendorID: "ffff", productID: "fffe", serialNumber: "HEPABUS-ABSENT-0")

    /// The 1-based line of `role`'s rule: the one after its `# <role>: ...` comment.
    static func line(of role: String, in text: String) throws -> Int {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return try #require(lines.firstIndex { $0.hasPrefix("# \(role): ") }) + 2
    }

    static func nodeState(_ path: String) -> (mode: mode_t, gid: gid_t)? {
        var status = stat()
        return stat(path, &status) == 0 ? (status.st_mode & 0o7777, status.st_gid) : nil
    }

    @Test("udevadm is installed; verify runs where this systemd has it, and says so where not")
    func verifyOrExplain() throws {
        let checker = try Self.checker()
        let example = try UdevRulesExampleTests.generatedExample()
        switch try checker.verify(rules: example) {
        case .passed:
            #expect(checker.supportsVerify)
            let broken = example.replacingOccurrences(of: "SYMLINK+=", with: "SYMLNK+=")
            guard case .failed = try checker.verify(rules: broken) else {
                Issue.record("udevadm verify accepted an invalid key"); return
            }
        case .failed(let status, let output):
            Issue.record("udevadm verify rejected the example (status \(status)): \(output)")
        case .unsupported(let reason):
            #expect(!checker.supportsVerify)
            #expect(checker.version < 253, "udevadm \(checker.version) should have verify")
            #expect(reason.contains("udevadm \(checker.version) has no 'verify'"))
            print("note: \(reason)")
        }
    }

    @Test("a syntax error fails the check with udevadm's own message and line")
    func syntaxErrorsFail() throws {
        let checker = try Self.checker()
        let (binding, syspath) = try Self.onBoardBinding()
        let good = try UdevRuleGenerator(circuit: "bal").rules(for: UdevRulesExampleTests.balBindings + [binding])
        let bloodLine = try Self.line(of: "blood", in: good)

        let misspelt = good.replacingOccurrences(of: #"SYMLINK+="hepabus/blood""#, with: #"SYMLNK+="hepabus/blood""#)
        let report = try checker.test(rules: misspelt, syspath: syspath, ensuringGroups: ["hepabus"])
        #expect(report.rulesFileRead)
        #expect(report.diagnostics.contains { $0.line == bloodLine && $0.message.contains("Invalid key 'SYMLNK'") },
                "\(report.diagnostics)")
        #expect(throws: UdevCheckError.self) { try report.requireClean() }
        do {
            try report.requireClean()
        } catch {
            #expect("\(error)".contains("line \(bloodLine): Invalid key 'SYMLNK'"), "\(error)")
        }

        let unterminated = good.replacingOccurrences(of: #"ATTRS{serial}=="CHANGE-ME-PLASMA""#, with: #"ATTRS{serial}=="CHANGE-ME-PLASMA"#)
        let second = try checker.test(rules: unterminated, syspath: syspath, ensuringGroups: ["hepabus"])
        #expect(!second.diagnostics.isEmpty, "an unterminated quote went unnoticed")
        #expect(throws: UdevCheckError.self) { try second.requireClean() }

        // A name udev skips is a failure too, not a silent pass.
        let skipped = try checker.test(rules: good, fileName: "99-hepabus.rule", syspath: syspath)
        #expect(!skipped.rulesFileRead)
        #expect(throws: UdevCheckError.self) { try skipped.requireClean() }

        // And the untouched file is clean, so the failures above are the edits'.
        try checker.test(rules: good, syspath: syspath, ensuringGroups: ["hepabus"]).requireClean()
    }

    @Test("a rule keyed on ttyS0's real attributes matches it and applies link, role, group, mode and tag")
    func onBoardRuleMatches() throws {
        let checker = try Self.checker()
        let (binding, syspath) = try Self.onBoardBinding()
        let rules = try UdevRuleGenerator(circuit: "bal").rules(for: UdevRulesExampleTests.balBindings + [binding, Self.absentAdapter])
        let ruleLine = try Self.line(of: binding.role, in: rules)
        let name = (syspath as NSString).lastPathComponent
        let nodeBefore = Self.nodeState("/dev/" + name)
        let runUdevBefore = access("/run/udev", F_OK) == 0
        let groupsBefore = try String(contentsOfFile: "/etc/group", encoding: .utf8)

        let report = try checker.test(rules: rules, syspath: syspath, ensuringGroups: ["hepabus"])
        try report.requireClean()
        if ProcessInfo.processInfo.environment["HEPABUS_SHOW_UDEVADM"] == "1" { print(report.output, report.log, report.links) }
        #expect(report.matchedLines == [ruleLine], "matched lines \(report.matchedLines), log:\n\(report.log)")
        let applied = Set(report.assignments.map { "\($0.key) \($0.value)" })
        #expect(applied.contains("LINK hepabus/\(binding.role)"), "\(applied)")
        #expect(applied.contains("MODE 0660"), "\(applied)")
        #expect(report.assignments.contains { $0.key == "GROUP" && $0.value != "4294967295" }, "GROUP did not resolve")
        #expect(report.properties["HEPABUS_ROLE"] == binding.role)
        #expect(report.tags.contains("systemd"))
        #expect(report.devlinks.contains("/dev/hepabus/\(binding.role)"))
        // What udevadm did to the sandbox's /dev: the link and the permissions.
        #expect(report.links["/dev/hepabus/\(binding.role)"] == "../\(name)", "\(report.links)")
        #expect(report.nodeMode == 0o660)
        #expect(report.nodeGroup == "hepabus")

        // The machine itself is untouched.
        #expect(Self.nodeState("/dev/" + name)?.mode == nodeBefore?.mode)
        #expect(Self.nodeState("/dev/" + name)?.gid == nodeBefore?.gid)
        #expect(!FileManager.default.fileExists(atPath: "/dev/hepabus/\(binding.role)"))
        #expect((access("/run/udev", F_OK) == 0) == runUdevBefore, "udevadm test wrote into the real /run")
        #expect(try String(contentsOfFile: "/etc/group", encoding: .utf8) == groupsBefore)
    }

    @Test("each match key of the on-board rule takes part: one wrong value and nothing matches")
    func onBoardKeysAreReal() throws {
        let checker = try Self.checker()
        let (binding, syspath) = try Self.onBoardBinding()
        guard case .onBoard(let real) = binding.match else { Issue.record("not on-board"); return }
        try #require(real.parentKernelName != nil && real.parentDriver != nil)
        var variants: [(String, OnBoardUARTIdentity)] = []
        var wrong = real
        wrong.kernelName = real.kernelName + "9"
        variants.append(("KERNEL", wrong))
        wrong = real
        wrong.parentSubsystem = real.parentSubsystem == "platform" ? "pci" : "platform"
        variants.append(("SUBSYSTEMS", wrong))
        wrong = real
        wrong.parentKernelName = real.parentKernelName! + "9"
        variants.append(("KERNELS", wrong))
        wrong = real
        wrong.parentDriver = real.parentDriver! + "x"
        variants.append(("DRIVERS", wrong))
        for (key, identity) in variants {
            let rules = try UdevRuleGenerator(circuit: "bal").rules(for: [UdevPortBinding(role: "onBoardLine", match: .onBoard(identity))])
            let report = try checker.test(rules: rules, syspath: syspath, ensuringGroups: ["hepabus"])
            try report.requireClean()
            #expect(report.matchedLines.isEmpty, "rule with a wrong \(key) still matched")
            #expect(report.properties["HEPABUS_ROLE"] == nil)
            #expect(!report.links.keys.contains { $0.hasPrefix("/dev/hepabus/") })
        }
        // Without the optional keys the rule still matches: they narrow, never decide alone.
        let minimal = OnBoardUARTIdentity(kernelName: real.kernelName, parentSubsystem: real.parentSubsystem)
        let rules = try UdevRuleGenerator(circuit: "bal").rules(for: [UdevPortBinding(role: "onBoardLine", match: .onBoard(minimal))])
        let report = try checker.test(rules: rules, syspath: syspath, ensuringGroups: ["hepabus"])
        try report.requireClean()
        #expect(report.properties["HEPABUS_ROLE"] == "onBoardLine")
    }

    @Test("USB rules for adapters absent here load cleanly and match no real tty of this machine")
    func usbRulesMatchNothingHere() throws {
        let checker = try Self.checker()
        let rules = try UdevRuleGenerator(circuit: "bal").rules(for: UdevRulesExampleTests.balBindings + [Self.absentAdapter])
        let exampleFile = try String(contentsOfFile: UdevRulesExampleTests.examplePath, encoding: .utf8)
        var usbAdaptersExercised = 0
        for syspath in try Self.realTTYs() {
            // The checked-in example, exactly as a technician would install it.
            let example = try checker.test(rules: exampleFile, syspath: syspath, ensuringGroups: ["hepabus"])
            try example.requireClean()
            #expect(example.matchedLines.isEmpty && example.properties["HEPABUS_ROLE"] == nil)

            let report = try checker.test(rules: rules, syspath: syspath, ensuringGroups: ["hepabus"])
            try report.requireClean()
            #expect(report.matchedLines.isEmpty, "\(syspath) matched lines \(report.matchedLines)")
            #expect(report.properties["HEPABUS_ROLE"] == nil)
            #expect(!report.links.keys.contains { $0.hasPrefix("/dev/hepabus/") })

            // Where a USB adapter is plugged in (CI runners with hardware), a
            // rule generated from its identity must match it.
            let name = (syspath as NSString).lastPathComponent
            if let port = SerialPortInfo.lookup(devicePath: "/dev/" + name), port.subsystem == "usb",
               let vendor = port.usbVendorID, let product = port.usbProductID, let serial = port.serialNumber
            {
                let own = UdevPortBinding(role: "present", vendorID: vendor, productID: product,
                                          serialNumber: serial, interfaceNumber: port.interfaceNumber)
                let ownReport = try checker.test(rules: try UdevRuleGenerator(circuit: "bal").rules(for: [own]),
                                                 syspath: syspath, ensuringGroups: ["hepabus"])
                try ownReport.requireClean()
                #expect(ownReport.properties["HEPABUS_ROLE"] == "present", "\(syspath): USB rule from its own identity did not match")
                usbAdaptersExercised += 1
            }
        }
        print("note: USB rules checked against \(try Self.realTTYs().count) real tty(s); \(usbAdaptersExercised) USB adapter(s) present to match positively")
    }
}
