import Glibc
import Testing
import Modbus

/// One TCP client, however it behaves, never keeps the server from the others.
@Suite struct TCPServerIsolationTests {
    /// A client that pipelines requests and never reads its replies fills its send
    /// buffer; the others must still be answered within their normal timeout, and it is dropped.
    @Test func clientThatNeverReadsDoesNotBlockOthers() throws {
        let units = Rig.makeUnits([1])
        let server = try ModbusTCPServer(host: "127.0.0.1", port: 0, units: units, sendTimeout: .milliseconds(300))
        server.start()
        defer { server.stop() }
        let hostile = try RawTCPClient(port: server.port)
        defer { hostile.close() }
        // 125-register reads: each 12-byte request asks for a 259-byte reply.
        let request: [UInt8] = [0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0x00, 0x00, 0x00, 0x7D]
        var sent = 0
        let deadline = ContinuousClock.now + .seconds(10)
        // Until the server stops reading us (our own send buffer is full): it is then stuck on our replies.
        while ContinuousClock.now < deadline, hostile.sendWithoutBlocking(request) { sent += 1 }
        #expect(sent > 100)

        let client = try ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: server.port), options: Rig.fastOptions)
        defer { client.close() }
        #expect(try client.readHoldingRegisters(unit: 1, address: 0, count: 2) == [0, 0])
        // Dropped by the server on its own (reading now would only let it carry on).
        let dropDeadline = ContinuousClock.now + .seconds(10)
        while server.connectionCount > 1 && ContinuousClock.now < dropDeadline { usleep(10_000) }
        #expect(server.connectionCount == 1, "a client that never reads must be dropped")
        #expect(hostile.waitForEndOfStream(within: .seconds(5)))
        #expect(try client.readHoldingRegisters(unit: 1, address: 0, count: 2) == [0, 0])
    }

    /// Connections beyond the limit are closed at once (end of stream, not a hang); a freed slot is served.
    @Test func connectionsBeyondTheLimitAreRefused() throws {
        let units = Rig.makeUnits([1])
        let server = try ModbusTCPServer(host: "127.0.0.1", port: 0, units: units, maxConnections: 2)
        server.start()
        defer { server.stop() }
        let first = try ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: server.port), options: Rig.fastOptions)
        let second = try ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: server.port), options: Rig.fastOptions)
        defer { second.close() }
        #expect(try first.readHoldingRegisters(unit: 1, address: 0, count: 1) == [0])
        #expect(try second.readHoldingRegisters(unit: 1, address: 0, count: 1) == [0])

        let extra = try RawTCPClient(port: server.port)
        defer { extra.close() }
        #expect(extra.waitForEndOfStream(within: .seconds(5)), "a connection over the limit must be closed")

        first.close()
        // The server notices the close on its own thread: retry until the slot is free (with a deadline).
        let deadline = ContinuousClock.now + .seconds(5)
        var answered = false
        while !answered && ContinuousClock.now < deadline {
            guard let third = try? ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: server.port), options: Rig.fastOptions) else { continue }
            answered = (try? third.readHoldingRegisters(unit: 1, address: 0, count: 1)) == [0]
            third.close()
        }
        #expect(answered, "a freed slot must be served")
    }

    /// A header announcing more than a Modbus frame holds is dropped at once, counted, and harms no one else.
    @Test(arguments: [0xFFFF, 0x0000, 0x0100])
    func oversizedOrMalformedMBAPLengthDropsTheConnection(length: Int) throws {
        let units = Rig.makeUnits([1])
        let server = try ModbusTCPServer(host: "127.0.0.1", port: 0, units: units)
        server.start()
        defer { server.stop() }
        let bad = try RawTCPClient(port: server.port)
        defer { bad.close() }
        #expect(bad.sendWithoutBlocking([0x00, 0x01, 0x00, 0x00, UInt8(length >> 8), UInt8(length & 0xFF), 0x01, 0x03]))
        #expect(bad.waitForEndOfStream(within: .seconds(5)))
        #expect(units.framesDropped == 1)
        let client = try ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: server.port), options: Rig.fastOptions)
        defer { client.close() }
        #expect(try client.readHoldingRegisters(unit: 1, address: 0, count: 1) == [0])
    }
}

/// A bare TCP socket to the loopback server, for clients no Modbus master would be.
final class RawTCPClient {
    private var fd: Int32

    init(port: UInt16) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let message = String(cString: strerror(errno))
            Glibc.close(fd)
            throw ModbusError.io("connect: \(message)")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    /// Sends all of `bytes` if there is room now; false once the socket's send buffer is full.
    func sendWithoutBlocking(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// Reads (and discards) until the server closes the connection; false if it is still open at the deadline.
    func waitForEndOfStream(within timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        var scratch = [UInt8](repeating: 0, count: 65536)
        while ContinuousClock.now < deadline {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            _ = poll(&pfd, 1, 50)
            let n = read(fd, &scratch, scratch.count)
            if n == 0 { return true }
            if n < 0 && errno != EAGAIN && errno != EINTR { return true }
        }
        return false
    }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }
}

/// A host name that does not resolve is said to be one, not blamed on a refused connection.
@Suite struct UnresolvableHostTests {
    @Test func unresolvableHostIsNamed() {
        do {
            _ = try ModbusClient(endpoint: .tcp(host: "nosuchhost.invalid", port: 502), options: Rig.fastOptions)
            Issue.record("connecting to an unresolvable host must fail")
        } catch {
            guard case .io(let detail) = error else { Issue.record("expected an I/O error, got \(error)"); return }
            #expect(detail.contains("cannot resolve host 'nosuchhost.invalid'"), "\(detail)")
            #expect(!detail.lowercased().contains("refused"), "\(detail)")
        }
    }
}
