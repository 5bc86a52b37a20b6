import Foundation
import Glibc
import Testing
import Modbus
import Serial

/// A peer that answers with bytes the test chose: a raw pty primary (RTU) or a
/// raw TCP listener, so replies a real device would never send can be sent.
private final class HostileRTUPeer: @unchecked Sendable {
    let pty: PseudoTerminal
    init() throws { pty = try PseudoTerminal() }

    /// Reads one request (waits up to 2 s for `length` bytes) and answers `reply` (CRC appended).
    func answer(requestLength length: Int, with reply: [UInt8]) -> [UInt8] {
        let request = readBytes(pty.primaryDescriptor, length)
        writeAll(pty.primaryDescriptor, CRC16.appending(to: reply))
        return request
    }
}

private final class HostileTCPPeer {
    let listener: Int32
    let port: UInt16

    init(backlog: Int32 = 4) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        listen(fd, backlog)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(listener) }

    /// Accepts one connection on a thread, reads one 12-byte request and answers `reply` as is.
    func serveOnce(_ reply: @escaping @Sendable ([UInt8]) -> [UInt8]) {
        let listener = self.listener
        Thread.detachNewThread {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            let request = readBytes(connection, 12)
            writeAll(connection, reply(request))
            // Hold the connection until the client has read and gone.
            _ = readBytes(connection, 1)
            close(connection)
        }
    }
}

private func readBytes(_ fd: Int32, _ count: Int) -> [UInt8] {
    var bytes: [UInt8] = []
    let deadline = ContinuousClock.now.advanced(by: .seconds(2))
    var buffer = [UInt8](repeating: 0, count: 256)
    while bytes.count < count, ContinuousClock.now < deadline {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, 50) > 0 else { continue }
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, count - bytes.count) }
        if n <= 0 { break }
        bytes += buffer.prefix(n)
    }
    return bytes
}

private func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
}


/// Replies that answer another request, another unit, or nothing the spec allows
/// must never become values (issue 9, items 1-3).
@Suite struct HostilePeerTests {
    static let options = ModbusClientOptions(responseTimeout: .milliseconds(300), byteTimeout: .milliseconds(100),
                                             resynchronisationQuiet: .milliseconds(30))

    // MARK: Stale RTU replies

    /// The reply to a timed-out request lands after the client's resynchronisation
    /// window; the next request, to another address, must get its own answer.
    @Test func aReplyLaterThanTheResynchronisationNeverAnswersTheNextRequest() throws {
        let rig = try Rig(rtuUnits: [1], options: Self.options)
        try rig.model(1).store(.holding, address: 0, values: [11, 22])
        rig.units.inject(.delay(.milliseconds(900)), unit: 1, count: 1)
        #expect(throws: ModbusError.timeout(ModbusOperation(unit: 1, function: .readHoldingRegisters, address: 0, count: 1))) {
            _ = try rig.client.readHoldingRegisters(unit: 1, address: 0, count: 1)
        }
        // The late reply ([11]) is now in the driver's input queue.
        Thread.sleep(forTimeInterval: 0.5)
        #expect(try rig.client.readHoldingRegisters(unit: 1, address: 1, count: 1) == [22])
    }

    /// The same late reply, left behind by a process that timed out and exited,
    /// must not answer the next process's first request.
    @Test func aReplyLeftOnTheLineByAnotherClientIsDiscarded() throws {
        let rig = try Rig(rtuUnits: [1], options: Self.options)
        try rig.model(1).store(.holding, address: 0, values: [11, 22])
        rig.units.inject(.delay(.milliseconds(900)), unit: 1, count: 1)
        #expect(throws: ModbusError.self) { _ = try rig.client.readHoldingRegisters(unit: 1, address: 0, count: 1) }
        rig.client.close()
        Thread.sleep(forTimeInterval: 0.5)
        let next = try ModbusClient(endpoint: .rtu(path: rig.pty!.secondaryPath, settings: SerialSettings(baudRate: 115200, parity: .even)),
                                    options: Self.options)
        defer { next.close() }
        #expect(try next.readHoldingRegisters(unit: 1, address: 1, count: 1) == [22])
    }

    @Test func anRTUReplyFromAnotherUnitIsRefusedNamingIt() throws {
        let peer = try HostileRTUPeer()
        let client = try ModbusClient(endpoint: .rtu(path: peer.pty.secondaryPath, settings: SerialSettings(baudRate: 115200, parity: .even)),
                                      options: Self.options)
        defer { client.close() }
        Thread.detachNewThread { _ = peer.answer(requestLength: 8, with: [0x05, 0x03, 0x02, 0x00, 0x2A]) }
        do {
            _ = try client.readHoldingRegisters(unit: 4, address: 0, count: 1)
            Issue.record("a reply from unit 5 was taken as unit 4's")
        } catch {
            #expect(error.description.contains("reply came from unit 5, expected 4"), "\(error)")
        }
    }

    /// libmodbus never compares a single write's echo with the request.
    @Test func aWriteWhoseEchoDiffersIsRefused() throws {
        let peer = try HostileRTUPeer()
        let client = try ModbusClient(endpoint: .rtu(path: peer.pty.secondaryPath, settings: SerialSettings(baudRate: 115200, parity: .even)),
                                      options: Self.options)
        defer { client.close() }
        // Asked to write 500 at 0x0010, the device echoes 0 at 0x0010.
        Thread.detachNewThread { _ = peer.answer(requestLength: 8, with: [0x03, 0x06, 0x00, 0x10, 0x00, 0x00]) }
        do {
            try client.writeRegister(unit: 3, address: 0x10, value: 500)
            Issue.record("a wrong echo was taken as a confirmed write")
        } catch {
            guard case .malformedReply(_, let detail) = error else { Issue.record("\(error)"); return }
            #expect(detail.contains("echo"), "\(detail)")
        }
    }

    // MARK: TCP

    /// Serves one TCP reply built from the request, and expects unit 1's read to be refused with `message`.
    private func expectTCPRefusal(_ message: String, reply: @escaping @Sendable ([UInt8]) -> [UInt8]) throws {
        let peer = try HostileTCPPeer()
        peer.serveOnce(reply)
        let client = try ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: peer.port), options: Self.options)
        defer { client.close() }
        do {
            let values = try client.readHoldingRegisters(unit: 1, address: 0, count: 1)
            Issue.record("accepted \(values); expected a refusal saying \(message)")
        } catch {
            #expect(error.description.contains(message), "\(error)")
        }
    }

    @Test func aTCPReplyFromAnotherUnitIsRefusedNamingIt() throws {
        // A gateway answering for unit 9 when unit 1 was asked.
        try expectTCPRefusal("reply came from unit 9, expected 1") { Array($0.prefix(4)) + [0x00, 0x05, 0x09, 0x03, 0x02, 0x00, 0x2A] }
    }

    @Test func aTCPReplyWithAnotherProtocolIDIsRefused() throws {
        try expectTCPRefusal("protocol id is 7") { Array($0.prefix(2)) + [0x00, 0x07, 0x00, 0x05, 0x01, 0x03, 0x02, 0x00, 0x2A] }
    }

    @Test func aTCPReplyWithAnotherTransactionIDSaysSo() throws {
        try expectTCPRefusal("wrong transaction id") { request in
            let tid = (UInt16(request[0]) << 8 | UInt16(request[1])) &+ 1
            return [UInt8(tid >> 8), UInt8(tid & 0xFF), 0x00, 0x00, 0x00, 0x05, 0x01, 0x03, 0x02, 0x00, 0x2A]
        }
    }

    @Test func aNonStandardExceptionCodeIsNamedWithItsNumber() throws {
        let peer = try HostileTCPPeer()
        peer.serveOnce { request in Array(request.prefix(4)) + [0x00, 0x03, 0x01, 0x83, 0x13] }
        let client = try ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: peer.port), options: Self.options)
        defer { client.close() }
        do {
            _ = try client.readHoldingRegisters(unit: 1, address: 0, count: 1)
            Issue.record("an exception reply was accepted")
        } catch {
            #expect(error == .exception(ModbusExceptionCode(rawValue: 0x13), ModbusOperation(unit: 1, function: .readHoldingRegisters, address: 0, count: 1)))
            #expect(error.description.contains("non-standard exception code 19"), "\(error)")
        }
    }

    /// A listener whose accept queue is full drops the SYN: the connect times out.
    @Test func aTCPConnectTimeoutSaysSoWithTheAddressAndTime() throws {
        let peer = try HostileTCPPeer(backlog: 0)
        // Fill the accept queue (never accepted).
        var fillers: [Int32] = []
        defer { fillers.forEach { close($0) } }
        for _ in 0..<4 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = peer.port.bigEndian
            _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            fillers.append(fd)
        }
        Thread.sleep(forTimeInterval: 0.1)
        do {
            let client = try ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: peer.port),
                                          options: ModbusClientOptions(responseTimeout: .milliseconds(200)))
            client.close()
            Issue.record("connected to a listener that cannot accept")
        } catch {
            #expect(error.description.contains("timed out connecting to 127.0.0.1:\(peer.port) after 200 ms"), "\(error)")
        }
    }
}

/// The reply checks alone, byte by byte (no wire).
@Suite struct ModbusReplyCheckTests {
    let op = ModbusOperation(unit: 1, function: .readHoldingRegisters, address: 0, count: 2)
    let read: (unit: UInt8, pdu: [UInt8]) = (1, [0x03, 0x00, 0x00, 0x00, 0x02])

    @Test func aMatchingRTUReplyYieldsItsData() throws {
        let adu = CRC16.appending(to: [0x01, 0x03, 0x04, 0x00, 0x0B, 0x00, 0x16])
        #expect(Array(try ModbusReplyCheck.check(adu: adu, request: read, framing: .rtu, op: op)) == [0x04, 0x00, 0x0B, 0x00, 0x16])
    }

    @Test func aByteCountForAnotherQuantityIsRefused() {
        let adu = CRC16.appending(to: [0x01, 0x03, 0x02, 0x00, 0x0B])
        #expect(throws: ModbusError.malformedReply(op, detail: "byte count 2, the request asks for 4")) {
            _ = try ModbusReplyCheck.check(adu: adu, request: read, framing: .rtu, op: op)
        }
    }

    @Test func aBadCRCIsACRCError() {
        var adu = CRC16.appending(to: [0x01, 0x03, 0x04, 0x00, 0x0B, 0x00, 0x16])
        adu[3] ^= 0x01
        #expect(throws: ModbusError.crcError(op)) { _ = try ModbusReplyCheck.check(adu: adu, request: read, framing: .rtu, op: op) }
    }

    @Test func anotherFunctionIsRefused() {
        let adu = CRC16.appending(to: [0x01, 0x04, 0x04, 0x00, 0x0B, 0x00, 0x16])
        #expect(throws: ModbusError.self) { _ = try ModbusReplyCheck.check(adu: adu, request: read, framing: .rtu, op: op) }
    }

    @Test func theMBAPLengthMustMatch() {
        let adu: [UInt8] = [0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x01, 0x03, 0x04, 0x00, 0x0B, 0x00, 0x16]
        #expect(throws: ModbusError.self) { _ = try ModbusReplyCheck.check(adu: adu, request: read, framing: .tcp(transactionID: 0), op: op) }
    }

    @Test func aMultipleWriteEchoesAddressAndQuantity() throws {
        let request: (unit: UInt8, pdu: [UInt8]) = (2, [0x10, 0x00, 0x20, 0x00, 0x02, 0x04, 0, 1, 0, 2])
        let good = CRC16.appending(to: [0x02, 0x10, 0x00, 0x20, 0x00, 0x02])
        _ = try ModbusReplyCheck.check(adu: good, request: request, framing: .rtu, op: op)
        let wrong = CRC16.appending(to: [0x02, 0x10, 0x00, 0x21, 0x00, 0x02])
        #expect(throws: ModbusError.self) { _ = try ModbusReplyCheck.check(adu: wrong, request: request, framing: .rtu, op: op) }
    }

    @Test func shortFramesAreRefusedNotRead() {
        for adu in [[], [0x01], [0x01, 0x03], [0x00, 0x00, 0x00, 0x00, 0x00, 0x01]] as [[UInt8]] {
            #expect(throws: ModbusError.self) { _ = try ModbusReplyCheck.check(adu: adu, request: read, framing: .rtu, op: op) }
            #expect(throws: ModbusError.self) { _ = try ModbusReplyCheck.check(adu: adu, request: read, framing: .tcp(transactionID: 0), op: op) }
        }
    }
}
