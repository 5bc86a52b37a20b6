import Foundation
import Glibc

/// The simulator's control interface: a Unix-domain stream socket that takes one
/// command per line (see ``ControlCommand``) and answers each with one JSON line.
/// Any program can drive it (`socat - UNIX-CONNECT:PATH`, Python's socket module,
/// `hepabus simctl`).
public final class ControlSocket: @unchecked Sendable {
    /// The socket's path (in the run directory; the manifest names it).
    public let path: String
    private let listener: Int32
    private let handler: @Sendable (String) -> String
    private let wake: (read: Int32, write: Int32)
    private let finished = DispatchSemaphore(value: 0)
    private var started = false

    /// Binds the socket. `handler` turns a command line into a JSON reply line.
    public init(path: String, handler: @escaping @Sendable (String) -> String) throws {
        self.path = path
        self.handler = handler
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ControlCommandError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw ControlCommandError("control socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0, listen(fd, 8) == 0 else {
            let code = errno
            close(fd)
            throw ControlCommandError("cannot listen on \(path): \(String(cString: strerror(code)))")
        }
        listener = fd
        var pipeFDs: [Int32] = [0, 0]
        _ = pipe(&pipeFDs)
        wake = (pipeFDs[0], pipeFDs[1])
    }

    deinit {
        stop()
        close(listener)
        close(wake.read)
        close(wake.write)
        unlink(path)
    }

    /// Starts serving clients on its own thread.
    public func start() {
        started = true
        let thread = Thread { [self] in
            serve()
            finished.signal()
        }
        thread.name = "simulator-control"
        thread.start()
    }

    /// Stops serving; returns once the thread has ended.
    public func stop() {
        guard started else { return }
        started = false
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
        finished.wait()
    }

    private func serve() {
        var clients: [Int32: [UInt8]] = [:]
        defer { for fd in clients.keys { close(fd) } }
        var scratch = [UInt8](repeating: 0, count: 4096)
        while true {
            let order = clients.keys.sorted()
            var pfds = [pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0), pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            pfds += order.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if poll(&pfds, nfds_t(pfds.count), -1) < 0 { if errno == EINTR { continue }; return }
            if pfds[0].revents != 0 { return }
            if pfds[1].revents != 0 {
                let client = accept(listener, nil, nil)
                if client >= 0 { clients[client] = [] }
            }
            for (i, fd) in order.enumerated() where pfds[i + 2].revents != 0 {
                let n = read(fd, &scratch, scratch.count)
                if n <= 0 {
                    close(fd)
                    clients.removeValue(forKey: fd)
                    continue
                }
                var buffer = clients[fd, default: []] + scratch[0..<n]
                while let newline = buffer.firstIndex(of: 0x0A) {
                    let line = String(decoding: buffer[..<newline], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    buffer.removeSubrange(...newline)
                    guard !line.isEmpty else { continue }
                    let reply = Array((handler(line) + "\n").utf8)
                    _ = reply.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                }
                if buffer.count > 65536 { buffer.removeAll() }  // a line that never ends is dropped
                clients[fd] = buffer
            }
        }
    }
}
