import Glibc
import Testing
@testable import DeviceDiscovery

/// Enumerates and looks up ports on the machine running the tests. These pass
/// whether or not it has serial hardware or a udev daemon (containers, CI), but
/// each test checks something the real code can get wrong.
@Suite("Discovery on this machine")
struct EnumerationIntegrationTests {
    /// Whether `path` names an existing character device.
    static func isCharacterDevice(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFCHR
    }

    /// Names in /sys/class/tty whose device is not virtual, read straight from
    /// sysfs: an oracle independent of libudev.
    static func nonVirtualTTYNamesInSysfs() -> Set<String> {
        guard let directory = opendir("/sys/class/tty") else { return [] }
        defer { closedir(directory) }
        var names: Set<String> = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            guard !name.hasPrefix("."), let real = realpath("/sys/class/tty/" + name, nil) else { continue }
            defer { free(real) }
            if !String(cString: real).contains("/devices/virtual/") { names.insert(name) }
        }
        return names
    }

    @Test("default enumeration: real, non-virtual, sorted character devices")
    func defaultEnumeration() throws {
        let ports = try SerialPortInfo.enumerate()
        for port in ports {
            #expect(Self.isCharacterDevice(port.devicePath), "\(port.devicePath) is not a character device")
            #expect(!port.sysPath.contains("/devices/virtual/"))
            #expect(port.subsystem != "platform", "\(port.name): platform ports need includeAll")
            #expect(port.sysPath.hasSuffix("/" + port.name))
            #expect(port.symlinks == port.symlinks.sorted())
        }
        #expect(ports.map(\.devicePath) == ports.map(\.devicePath).sorted())
        #expect(Set(ports.map(\.devicePath)).count == ports.count, "duplicate ports")
    }

    @Test("includeAll returns a superset, still without virtual ttys")
    func includeAllIsSuperset() throws {
        let filtered = try SerialPortInfo.enumerate()
        let all = try SerialPortInfo.enumerate(includeAll: true)
        #expect(Set(filtered.map(\.sysPath)).isSubset(of: Set(all.map(\.sysPath))))
        for port in all {
            #expect(!port.sysPath.contains("/devices/virtual/"))
            #expect(Self.isCharacterDevice(port.devicePath))
        }
        // Only platform ports may differ between the two lists.
        let extra = all.filter { port in !filtered.contains { $0.sysPath == port.sysPath } }
        #expect(extra.allSatisfy { $0.subsystem == "platform" })
    }

    @Test("includeAll finds exactly the non-virtual ttys sysfs lists")
    func agreesWithSysfs() throws {
        let all = try SerialPortInfo.enumerate(includeAll: true)
        #expect(Set(all.map(\.name)) == Self.nonVirtualTTYNamesInSysfs())
    }

    @Test("every enumerated port is found again by lookup, via its node and via a symlink")
    func lookupRoundTrip() throws {
        for port in try SerialPortInfo.enumerate(includeAll: true) {
            let found = try #require(SerialPortInfo.lookup(devicePath: port.devicePath))
            #expect(found == port)

            let link = "/tmp/hepabus-discovery-test-\(getpid())-\(port.name)"
            unlink(link)
            #expect(symlink(port.devicePath, link) == 0)
            defer { unlink(link) }
            #expect(SerialPortInfo.lookup(devicePath: link)?.sysPath == port.sysPath)
        }
    }

    @Test("lookup rejects paths that are not serial ports", arguments: [
        "/nonexistent/ttyUSB99",  // missing
        "/dev",  // directory
        "/etc/hostname",  // regular file
        "/dev/null",  // character device, but subsystem mem
        "/dev/ptmx",  // tty, but virtual
        "/dev/tty0",  // tty, but virtual console
    ])
    func lookupRejects(path: String) {
        #expect(SerialPortInfo.lookup(devicePath: path) == nil)
    }

    @Test("lookup rejects a pseudo-terminal, a tty that sysfs does not know")
    func lookupRejectsPseudoTerminal() throws {
        var master: Int32 = -1
        var slaveFD: Int32 = -1
        try #require(openpty(&master, &slaveFD, nil, nil, nil) == 0, "openpty: errno \(errno)")
        defer { close(master); close(slaveFD) }
        let slave = String(cString: try #require(ttyname(slaveFD)))
        #expect(slave.hasPrefix("/dev/pts/"))
        #expect(Self.isCharacterDevice(slave))
        #expect(SerialPortInfo.lookup(devicePath: slave) == nil)
    }

    @Test("without udev's runtime directory, udev-only data is absent and reported so")
    func noDaemonMeansNoUdevData() throws {
        let ports = try SerialPortInfo.enumerate(includeAll: true)
        if access("/run/udev", F_OK) != 0 {
            #expect(!SerialPortInfo.udevDaemonRunning)
            for port in ports {
                #expect(port.byIDLinks.isEmpty && port.byPathLinks.isEmpty)
                #expect(port.role == nil)
                #expect(!port.properties.keys.contains { $0.hasPrefix("ID_") })
            }
        }
        // USB identity comes from sysfs attributes, so it exists with or without the daemon.
        for port in ports where port.subsystem == "usb" {
            let vendor = try #require(port.usbVendorID)
            #expect(vendor.count == 4 && Int(vendor, radix: 16) != nil)
        }
    }
}
