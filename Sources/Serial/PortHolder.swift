import Glibc

/// Who holds a serial port's lock, from the kernel's lock table (/proc/locks):
/// so "port busy" can say "held by pid 4242 (hepabus demo)" and a technician
/// knows whether a treatment is running on that bus.
public enum PortHolder {
    /// The processes holding a flock on the file at `path`, with their command lines.
    public static func holders(of path: String) -> [(pid: Int32, command: String)] {
        var info = stat()
        guard stat(path, &info) == 0 else { return [] }
        let major = (info.st_dev >> 8) & 0xFFF
        let minor = (info.st_dev & 0xFF) | ((info.st_dev >> 12) & 0xFFF00)
        guard let table = readFile("/proc/locks") else { return [] }
        var result: [(Int32, String)] = []
        for line in table.split(separator: "\n") {
            // "1: FLOCK  ADVISORY  WRITE 4242 00:05:123 0 EOF"
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[1] == "FLOCK", let pid = Int32(fields[4]) else { continue }
            let id = fields[5].split(separator: ":")
            guard id.count == 3, let maj = UInt(id[0], radix: 16), let min = UInt(id[1], radix: 16), let inode = UInt(id[2]),
                  maj == UInt(major), min == UInt(minor), inode == UInt(info.st_ino)
            else { continue }
            let command = readFile("/proc/\(pid)/cmdline")?.split(separator: "\0").joined(separator: " ") ?? "?"
            if !result.contains(where: { $0.0 == pid }) { result.append((pid, command)) }
        }
        return result
    }

    /// "held by pid 4242 (hepabus demo)", or nil if the kernel names nobody.
    public static func describe(_ path: String) -> String? {
        let list = holders(of: path)
        guard !list.isEmpty else { return nil }
        return "held by " + list.map { "pid \($0.pid) (\($0.command))" }.joined(separator: ", ")
    }

    private static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            data += buffer[0..<n]
        }
        return String(decoding: data, as: UTF8.self)
    }
}
