import Foundation
import Glibc

/// Sends one line to a simulator's control socket and returns its reply line.
public enum ControlClient {
    /// Sends `line` to the control socket at `path` and returns the reply line.
    ///
    /// - Throws: ``SimulatorError`` when the socket cannot be reached or no whole reply comes
    ///   within `timeout`.
    public static func send(_ line: String, to path: String, timeout: Duration = .seconds(5)) throws -> String {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SimulatorError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw SimulatorError("socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else { throw SimulatorError("cannot reach the simulator at \(path): \(String(cString: strerror(errno)))") }
        let request = Array((line + "\n").utf8)
        _ = request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var reply: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: 65536)
        let deadline = ContinuousClock.now + timeout
        while !reply.contains(0x0A) {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { throw SimulatorError("no reply from the simulator within \(timeout)") }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ms = Int32(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1)
            guard poll(&pfd, 1, ms) > 0 else { continue }
            let n = read(fd, &scratch, scratch.count)
            guard n > 0 else { throw SimulatorError("the simulator closed the connection") }
            reply += scratch[0..<n]
        }
        return String(decoding: reply.prefix { $0 != 0x0A }, as: UTF8.self)
    }
}
