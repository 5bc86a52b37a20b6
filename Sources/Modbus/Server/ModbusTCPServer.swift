import Glibc

/// A Modbus TCP server (MBAP framing) on a loopback or other local address,
/// serving several connections from one thread. A request for a unit it does
/// not serve is answered with exception 0x0B (gateway target failed to respond),
/// as a gateway does.
public final class ModbusTCPServer: Sendable {
    public let units: ServedUnits
    /// The port actually bound (useful when asked for port 0).
    public let port: UInt16
    public let host: String
    private let listener: Int32
    private let thread = ServerThread()

    /// Binds and listens. Wraps getaddrinfo(3), socket(2), bind(2), listen(2).
    public init(host: String = "127.0.0.1", port: UInt16 = 0, units: ServedUnits) throws(ModbusError) {
        self.units = units
        self.host = host
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

    public func start() { thread.start(name: "modbus-tcp-server") { [self] in serve() } }
    public func stop() { thread.stop() }

    private func serve() {
        var clients: [Int32: [UInt8]] = [:]
        defer { for fd in clients.keys { close(fd) } }
        var scratch = [UInt8](repeating: 0, count: 1024)
        while true {
            var pfds = [pollfd(fd: thread.stopDescriptor, events: Int16(POLLIN), revents: 0),
                        pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            let order = clients.keys.sorted()
            pfds += order.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let rc = poll(&pfds, nfds_t(pfds.count), -1)
            if rc < 0 { if errno == EINTR { continue }; return }
            if pfds[0].revents != 0 { return }
            if pfds[1].revents & Int16(POLLIN) != 0 {
                let client = accept(listener, nil, nil)
                if client >= 0 {
                    _ = fcntl(client, F_SETFD, FD_CLOEXEC)
                    var one: Int32 = 1
                    setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                    clients[client] = []
                }
            }
            for (index, fd) in order.enumerated() where pfds[index + 2].revents != 0 {
                let n = read(fd, &scratch, scratch.count)
                if n <= 0 {
                    close(fd)
                    clients.removeValue(forKey: fd)
                    continue
                }
                clients[fd, default: []] += scratch[0..<n]
                if !drain(&clients[fd, default: []], fd: fd) {
                    close(fd)
                    clients.removeValue(forKey: fd)
                }
            }
        }
    }

    /// Answers every complete MBAP frame; false when the stream is not Modbus.
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
            handle(frame, fd: fd)
        }
        return true
    }

    private func handle(_ frame: [UInt8], fd: Int32) {
        let header = Array(frame[0..<4])
        let unit = frame[6]
        let pdu = Array(frame[7...])
        var replyPDU: [UInt8]
        var fault: ModbusServerFault? = nil
        if let model = units.model(for: unit) {
            fault = units.takeFault(unit: unit)
            switch fault {
            case .silent: return
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
            if n <= 0 { return }
            offset += n
        }
    }
}
