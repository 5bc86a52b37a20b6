import Foundation
import Glibc
import Synchronization

/// A Modbus TCP server (MBAP framing) on a loopback or other local address.
/// A request for a unit it does not serve is answered with exception 0x0B
/// (gateway target failed to respond), as a gateway does.
///
/// Each connection has its own thread, with a send timeout and a small send
/// buffer: a thread per connection (rather than one non-blocking poll loop)
/// keeps a connection's blocking work (a reply held by an injected `delay`
/// fault, a send into a full window) from ever stalling the others, and the
/// connection count is bounded, so the threads are too. A client that stops
/// reading its replies fills its small buffer, its send times out, and it is
/// dropped; one over the limit is accepted and closed at once (it sees the
/// end of the stream, not a hang); one whose MBAP header is not Modbus (wrong
/// protocol id, length outside 2...254) is dropped before its body is read,
/// so a connection never buffers more than one frame.
public final class ModbusTCPServer: Sendable {
    /// The units answered, each with its data model and any injected fault.
    public let units: ServedUnits
    /// The port actually bound (useful when asked for port 0).
    public let port: UInt16
    /// The address bound.
    public let host: String
    /// Connections served at once; more are closed as soon as accepted.
    public let maxConnections: Int
    /// How long one reply may wait for room in a connection's send buffer before the client is dropped.
    public let sendTimeout: Duration
    private let listener: Int32
    private let thread = ServerThread()
    /// Open connections' descriptors (closed under this lock, so shutdown never hits a reused fd).
    private let connections = Mutex<Set<Int32>>([])
    private let connectionThreads = DispatchGroup()
    /// Kernel send buffer per connection: a few dozen replies; bounds what a non-reading client costs.
    private static let sendBufferBytes: Int32 = 16 * 1024

    /// Binds and listens. Wraps getaddrinfo(3), socket(2), bind(2), listen(2).
    public init(host: String = "127.0.0.1", port: UInt16 = 0, units: ServedUnits, maxConnections: Int = 16,
                sendTimeout: Duration = .seconds(2)) throws(ModbusError) {
        self.units = units
        self.host = host
        self.maxConnections = max(1, maxConnections)
        self.sendTimeout = sendTimeout
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &result)
        guard rc == 0, let info = result else {
            throw .io("cannot resolve \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(result) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw .io("socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0, listen(fd, 16) == 0 else {
            let code = errno
            close(fd)
            if code == EADDRINUSE { throw .io("\(host):\(port) is already in use") }
            throw .io("cannot listen on \(host):\(port): \(String(cString: strerror(code)))")
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
        }
        let family = Int32(storage.ss_family)
        let bound: UInt16 = withUnsafePointer(to: &storage) { ptr in
            if family == AF_INET6 {
                return ptr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
            return ptr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
        self.listener = fd
        self.port = bound
    }

    deinit {
        thread.stop()
        close(listener)
    }

    /// Starts accepting connections on the server's own thread.
    public func start() { thread.start(name: "modbus-tcp-server") { [self] in serve() } }
    /// Stops accepting and serving; returns once the thread has ended.
    public func stop() { thread.stop() }

    /// Open connections now.
    public var connectionCount: Int { connections.withLock { $0.count } }

    /// Accepts connections until stopped; on the way out unblocks and waits for every connection's thread.
    private func serve() {
        defer {
            connections.withLock { for fd in $0 { _ = shutdown(fd, Int32(SHUT_RDWR)) } }
            connectionThreads.wait()
        }
        while true {
            var pfds = [pollfd(fd: thread.stopDescriptor, events: Int16(POLLIN), revents: 0),
                        pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            let rc = poll(&pfds, nfds_t(pfds.count), -1)
            if rc < 0 { if errno == EINTR { continue }; return }
            if pfds[0].revents != 0 { return }
            guard pfds[1].revents & Int16(POLLIN) != 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            let admitted = connections.withLock { open in
                guard open.count < maxConnections else { return false }
                open.insert(client)
                return true
            }
            guard admitted else {
                close(client)
                continue
            }
            configure(client)
            connectionThreads.enter()
            let worker = Thread { [self] in
                serveConnection(client)
                connections.withLock { open in
                    open.remove(client)
                    close(client)
                }
                connectionThreads.leave()
            }
            worker.name = "modbus-tcp-connection"
            worker.start()
        }
    }

    private func configure(_ fd: Int32) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var size = Self.sendBufferBytes
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        let (seconds, attoseconds) = sendTimeout.components
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        if timeout.tv_sec == 0 && timeout.tv_usec == 0 { timeout.tv_usec = 1 }
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Reads and answers one connection's requests until it closes, misbehaves or the server stops.
    private func serveConnection(_ fd: Int32) {
        // At most one frame's worth is ever held: a read never takes more than
        // the largest frame, and drain leaves less than a frame behind.
        var buffer: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: Self.maximumFrame)
        while true {
            var pfds = [pollfd(fd: thread.stopDescriptor, events: Int16(POLLIN), revents: 0),
                        pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
            let rc = poll(&pfds, nfds_t(pfds.count), -1)
            if rc < 0 { if errno == EINTR { continue }; return }
            if pfds[0].revents != 0 { return }
            if pfds[1].revents == 0 { continue }
            let n = read(fd, &scratch, scratch.count)
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            if n <= 0 { return }
            buffer += scratch[0..<n]
            guard drain(&buffer, fd: fd) else { return }
        }
    }

    /// MBAP header (7) + function + 252 data bytes.
    private static let maximumFrame = 260

    /// Answers every complete MBAP frame; false when the stream is not Modbus or the client is not taking replies.
    private func drain(_ buffer: inout [UInt8], fd: Int32) -> Bool {
        while buffer.count >= 7 {
            let length = Int(buffer[4]) << 8 | Int(buffer[5])
            let protocolID = Int(buffer[2]) << 8 | Int(buffer[3])
            guard protocolID == 0, (2...254).contains(length) else {
                units.noteDropped()
                return false
            }
            guard buffer.count >= 6 + length else { return true }
            let frame = Array(buffer[0..<(6 + length)])
            buffer.removeFirst(6 + length)
            guard handle(frame, fd: fd) else { return false }
        }
        return true
    }

    /// Answers one frame; false when the reply could not be sent (send timeout, connection gone).
    private func handle(_ frame: [UInt8], fd: Int32) -> Bool {
        let header = Array(frame[0..<4])
        let unit = frame[6]
        let pdu = Array(frame[7...])
        var replyPDU: [UInt8]
        var fault: ModbusServerFault? = nil
        if let model = units.model(for: unit) {
            fault = units.takeFault(unit: unit)
            switch fault {
            case .silent: return true
            case .exception(let code): replyPDU = ModbusRequestProcessor.exception(pdu.first ?? 0, code)
            default: replyPDU = ModbusRequestProcessor.respond(to: pdu, model: model)
            }
        } else {
            replyPDU = ModbusRequestProcessor.exception(pdu.first ?? 0, .gatewayTargetFailedToRespond)
        }
        if fault == .corruptCRC { replyPDU[0] ^= 0x40 }
        var reply = header + be(UInt16(replyPDU.count + 1)) + [unit] + replyPDU
        if case .garbage(let bytes) = fault { reply = bytes }
        if case .delay(let d) = fault { sleepFor(d) }
        var offset = 0
        while offset < reply.count {
            let n = reply.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            // EAGAIN here is the send timeout: the client has stopped reading.
            if n <= 0 { return false }
            offset += n
        }
        return true
    }
}
