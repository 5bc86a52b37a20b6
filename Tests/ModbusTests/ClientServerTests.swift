import Glibc
import Testing
import Modbus
import Serial

enum Transport: String, CaseIterable, CustomTestStringConvertible {
    case rtu, tcp
    var testDescription: String { rawValue }
    func rig(units: [UInt8] = [1], options: ModbusClientOptions = Rig.fastOptions) throws -> Rig {
        switch self {
        case .rtu: try Rig(rtuUnits: units, options: options)
        case .tcp: try Rig(tcpUnits: units, options: options)
        }
    }
}

/// Every function code, across a real wire: a pty pair (RTU) or TCP loopback.
@Suite struct ClientServerTests {
    @Test(arguments: Transport.allCases)
    func registersRoundTrip(_ transport: Transport) throws {
        let rig = try transport.rig()
        try rig.model(1).store(.input, address: 10, values: [7, 8, 9])
        try rig.client.writeRegister(unit: 1, address: 0, value: 0xBEEF)
        try rig.client.writeRegisters(unit: 1, address: 1, values: [1, 2, 3])
        #expect(try rig.client.readHoldingRegisters(unit: 1, address: 0, count: 4) == [0xBEEF, 1, 2, 3])
        #expect(try rig.client.readInputRegisters(unit: 1, address: 10, count: 3) == [7, 8, 9])
        try rig.client.maskWriteRegister(unit: 1, address: 0, andMask: 0xFF00, orMask: 0x0012)
        #expect(try rig.model(1).read(.holding, address: 0, count: 1) == [0xBE12])
        let read = try rig.client.writeAndReadRegisters(unit: 1, writeAddress: 5, values: [55, 56], readAddress: 4, readCount: 3)
        #expect(read == [0, 55, 56])
        // 125 registers is the most one read may carry.
        #expect(try rig.client.readHoldingRegisters(unit: 1, address: 0, count: 125).count == 125)
    }

    @Test(arguments: Transport.allCases)
    func bitsRoundTrip(_ transport: Transport) throws {
        let rig = try transport.rig()
        try rig.client.writeCoil(unit: 1, address: 3, value: true)
        try rig.client.writeCoils(unit: 1, address: 8, values: [true, false, true, true, false, false, false, false, true])
        let coils = try rig.client.readCoils(unit: 1, address: 0, count: 17)
        #expect(coils.enumerated().filter(\.element).map(\.offset) == [3, 8, 10, 11, 16])
        try rig.model(1).store(.discrete, address: 2, values: [1, 0, 1])
        #expect(try rig.client.readDiscreteInputs(unit: 1, address: 1, count: 4) == [false, true, false, true])
    }

    @Test(arguments: Transport.allCases)
    func reportServerID(_ transport: Transport) throws {
        let rig = try transport.rig(units: [9])
        let id = try rig.client.reportServerID(unit: 9)
        #expect(id.prefix(2) == [9, 0xFF])
        #expect(String(decoding: id.dropFirst(2), as: UTF8.self) == "HEPABUS-TEST")
    }

    @Test(arguments: Transport.allCases)
    func exceptionsComeBackByName(_ transport: Transport) throws {
        let rig = try transport.rig()
        do {
            _ = try rig.client.readHoldingRegisters(unit: 1, address: 190, count: 20)
            Issue.record("reading past the map must fail")
        } catch {
            #expect(error == .exception(.illegalDataAddress, ModbusOperation(unit: 1, function: .readHoldingRegisters, address: 190, count: 20)))
            #expect(error.description.contains("illegal data address"))
        }
        rig.units.inject(.exception(.serverDeviceBusy), unit: 1, count: 1)
        #expect(throws: ModbusError.exception(.serverDeviceBusy, ModbusOperation(unit: 1, function: .writeSingleRegister, address: 0))) {
            try rig.client.writeRegister(unit: 1, address: 0, value: 1)
        }
        // The next request is served normally.
        try rig.client.writeRegister(unit: 1, address: 0, value: 2)
    }

    @Test(arguments: Transport.allCases)
    func silentUnitTimesOutWithoutHanging(_ transport: Transport) throws {
        let rig = try transport.rig()
        rig.units.inject(.silent, unit: 1)
        let start = ContinuousClock.now
        #expect(throws: ModbusError.timeout(ModbusOperation(unit: 1, function: .readHoldingRegisters, address: 0, count: 2))) {
            _ = try rig.client.readHoldingRegisters(unit: 1, address: 0, count: 2)
        }
        // Bounded by the response timeout plus resynchronisation, not forever.
        #expect(ContinuousClock.now - start < .seconds(5))
        rig.units.clearFault(unit: 1)
        #expect(try rig.client.readHoldingRegisters(unit: 1, address: 0, count: 2) == [0, 0])
    }

    @Test(arguments: Transport.allCases)
    func lateReplyIsATimeoutAndDoesNotPoisonTheNextRequest(_ transport: Transport) throws {
        let rig = try transport.rig()
        try rig.model(1).store(.holding, address: 0, values: [11, 22])
        rig.units.inject(.delay(.milliseconds(400)), unit: 1, count: 1)
        #expect(throws: ModbusError.self) { _ = try rig.client.readHoldingRegisters(unit: 1, address: 0, count: 1) }
        // The late reply to the first request must not be taken as this one's.
        #expect(try rig.client.readHoldingRegisters(unit: 1, address: 1, count: 1) == [22])
    }

    @Test(arguments: Transport.allCases)
    func corruptedReplyIsDetectedAndTheLineRecovers(_ transport: Transport) throws {
        let rig = try transport.rig()
        try rig.model(1).store(.holding, address: 0, values: [42])
        rig.units.inject(.corruptCRC, unit: 1, count: 1)
        do {
            _ = try rig.client.readHoldingRegisters(unit: 1, address: 0, count: 1)
            Issue.record("a corrupted reply must not be accepted")
        } catch {
            if transport == .rtu {
                #expect(error == .crcError(ModbusOperation(unit: 1, function: .readHoldingRegisters, address: 0, count: 1)))
            } else {
                if case .malformedReply = error {} else { Issue.record("expected a malformed reply, got \(error)") }
            }
        }
        #expect(try rig.client.readHoldingRegisters(unit: 1, address: 0, count: 1) == [42])
    }

    @Test(arguments: Transport.allCases)
    func garbageIsRejectedAndTheLineRecovers(_ transport: Transport) throws {
        let rig = try transport.rig()
        try rig.model(1).store(.holding, address: 0, values: [42])
        rig.units.inject(.garbage([0x01, 0x03, 0x7F, 0xFF, 0x00, 0x13, 0x37, 0x00]), unit: 1, count: 1)
        #expect(throws: ModbusError.self) { _ = try rig.client.readHoldingRegisters(unit: 1, address: 0, count: 1) }
        #expect(try rig.client.readHoldingRegisters(unit: 1, address: 0, count: 1) == [42])
    }

    @Test func retryPolicyRecoversFromOneLostReply() throws {
        var options = Rig.fastOptions
        options.retry = RetryPolicy(maxAttempts: 2)
        let rig = try Rig(rtuUnits: [1], options: options)
        rig.units.inject(.silent, unit: 1, count: 1)
        #expect(try rig.client.readHoldingRegisters(unit: 1, address: 0, count: 1) == [0])
        // Writes are not retried unless asked: the lost reply surfaces.
        rig.units.inject(.silent, unit: 1, count: 1)
        #expect(throws: ModbusError.self) { try rig.client.writeRegister(unit: 1, address: 0, value: 5) }
    }

    @Test func multiDropLineServesSeveralUnits() throws {
        let rig = try Rig(rtuUnits: [1, 2, 7])
        for unit: UInt8 in [1, 2, 7] { try rig.client.writeRegister(unit: unit, address: 0, value: UInt16(unit) * 100) }
        for unit: UInt8 in [1, 2, 7] { #expect(try rig.model(unit).read(.holding, address: 0, count: 1) == [UInt16(unit) * 100]) }
        // A unit nobody serves stays silent, as on a real RS-485 line.
        #expect(throws: ModbusError.timeout(ModbusOperation(unit: 3, function: .readHoldingRegisters, address: 0, count: 1))) {
            _ = try rig.client.readHoldingRegisters(unit: 3, address: 0, count: 1)
        }
    }

    @Test func broadcastWriteReachesEveryUnitWithoutAReply() throws {
        let rig = try Rig(rtuUnits: [1, 2])
        try rig.client.writeRegister(unit: 0, address: 4, value: 0x5555)
        try rig.client.writeCoil(unit: 0, address: 1, value: true)
        for unit: UInt8 in [1, 2] {
            #expect(try rig.client.readHoldingRegisters(unit: unit, address: 4, count: 1) == [0x5555])
            #expect(try rig.client.readCoils(unit: unit, address: 1, count: 1) == [true])
        }
        #expect(throws: ModbusError.self) { _ = try rig.client.readHoldingRegisters(unit: 0, address: 0, count: 1) }
    }

    @Test func tcpGatewayAnswersUnknownUnitsWithException() throws {
        let rig = try Rig(tcpUnits: [1])
        #expect(throws: ModbusError.exception(.gatewayTargetFailedToRespond, ModbusOperation(unit: 5, function: .readInputRegisters, address: 0, count: 1))) {
            _ = try rig.client.readInputRegisters(unit: 5, address: 0, count: 1)
        }
    }

    @Test func invalidRequestsNeverReachTheWire() throws {
        let rig = try Rig(rtuUnits: [1])
        #expect(throws: ModbusError.self) { _ = try rig.client.readHoldingRegisters(unit: 1, address: 0, count: 126) }
        #expect(throws: ModbusError.self) { _ = try rig.client.readHoldingRegisters(unit: 1, address: 65535, count: 2) }
        #expect(throws: ModbusError.self) { _ = try rig.client.readCoils(unit: 1, address: 0, count: 0) }
        #expect(rig.units.requestsServed == 0)
    }

    @Test func secondOpenerOfAPortIsRefusedAsBusy() throws {
        let rig = try Rig(rtuUnits: [1])
        let path = rig.pty!.secondaryPath
        #expect(throws: ModbusError.serial(.portBusy(path: path))) {
            _ = try ModbusClient(endpoint: .rtu(path: path, settings: SerialSettings()))
        }
        #expect(throws: SerialError.portBusy(path: path)) { _ = try SerialPort(path: path, settings: SerialSettings()) }
        rig.client.close()
        // Released with the client.
        let again = try ModbusClient(endpoint: .rtu(path: path, settings: SerialSettings()), options: Rig.fastOptions)
        #expect(try again.readHoldingRegisters(unit: 1, address: 0, count: 1) == [0])
    }

    @Test func frameTracerSeesBothDirections() throws {
        final class Recorder: FrameTracer, @unchecked Sendable {
            var frames: [(FrameDirection, [UInt8])] = []
            func frame(_ direction: FrameDirection, bytes: [UInt8], time: Double) { frames.append((direction, bytes)) }
        }
        let recorder = Recorder()
        var options = Rig.fastOptions
        options.frameTracer = recorder
        let rig = try Rig(rtuUnits: [1], options: options)
        _ = try rig.client.readHoldingRegisters(unit: 1, address: 0, count: 10)
        #expect(recorder.frames.count == 2)
        #expect(recorder.frames.first?.0 == .sent)
        #expect(recorder.frames.first?.1 == [0x01, 0x03, 0x00, 0x00, 0x00, 0x0A, 0xC5, 0xCD])
        #expect(recorder.frames.last?.0 == .received)
        #expect(recorder.frames.last?.1.count == 5 + 20)
    }

    @Test func missingDeviceIsNotFound() {
        #expect(throws: ModbusError.serial(.notFound(path: "/dev/does-not-exist-hepabus"))) {
            _ = try ModbusClient(endpoint: .rtu(path: "/dev/does-not-exist-hepabus", settings: SerialSettings()))
        }
    }

    @Test func refusedTCPConnectionIsAnIOError() throws {
        // Bind and close to find a port nobody listens on.
        let port = try ModbusTCPServer(host: "127.0.0.1", port: 0, units: ServedUnits([:])).port
        do {
            _ = try ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: port))
            Issue.record("connecting to a closed port must fail")
        } catch {
            guard case .io(let detail) = error else { Issue.record("expected an I/O error, got \(error)"); return }
            #expect(detail.contains("refused"))
        }
    }
}

/// A line that disappears (USB adapter pulled, gateway gone) is an I/O error at once, never a hang.
@Suite struct VanishingLineTests {
    @Test func ptyClosedUnderTheClientIsAnIOError() throws {
        let rig = try Rig(rtuUnits: [1])
        #expect(try rig.client.readHoldingRegisters(unit: 1, address: 0, count: 1) == [0])
        rig.pty!.close()
        let start = ContinuousClock.now
        do {
            _ = try rig.client.readHoldingRegisters(unit: 1, address: 0, count: 1)
            Issue.record("a read on a vanished line must fail")
        } catch {
            guard case .io = error else { Issue.record("expected an I/O error, got \(error)"); return }
        }
        #expect(ContinuousClock.now - start < .seconds(3))
    }

    @Test func tcpServerGoneIsAnIOErrorOrTimeout() throws {
        let units = Rig.makeUnits([1])
        let server = try ModbusTCPServer(host: "127.0.0.1", port: 0, units: units)
        server.start()
        let client = try ModbusClient(endpoint: .tcp(host: "127.0.0.1", port: server.port), options: Rig.fastOptions)
        #expect(try client.readHoldingRegisters(unit: 1, address: 0, count: 1) == [0])
        server.stop()
        do {
            _ = try client.readHoldingRegisters(unit: 1, address: 0, count: 1)
            Issue.record("a read after the server went away must fail")
        } catch {
            switch error {
            case .io, .timeout: break
            default: Issue.record("expected an I/O error or a timeout, got \(error)")
            }
        }
    }
}

@Suite struct WireTimeEmulationTests {
    /// At 9600 8N1 a 10-register read (8 + 25 bytes) occupies the wire for about 34 ms:
    /// the emulating server must not answer sooner than that.
    @Test func repliesAreHeldForTheirWireTime() throws {
        let units = Rig.makeUnits([1])
        let pty = try PseudoTerminal()
        let settings = SerialSettings(baudRate: 9600)
        let server = ModbusRTUServer(pty: pty, units: units, settings: settings, emulatesWireTime: true)
        server.start()
        defer { server.stop() }
        #expect(server.wireTime(characters: 33) >= .milliseconds(34))
        let client = try ModbusClient(endpoint: .rtu(path: pty.secondaryPath, settings: settings), options: Rig.fastOptions)
        let start = ContinuousClock.now
        for _ in 0..<3 { _ = try client.readHoldingRegisters(unit: 1, address: 0, count: 10) }
        #expect(ContinuousClock.now - start >= .milliseconds(3 * 34))
    }
}

@Suite struct ExclusiveModeTests {
    /// TIOCEXCL belongs to the tty: a client must clear it when it lets go, or every
    /// later non-root opener of that pty is refused with EBUSY.
    @Test func exclusiveModeIsClearedOnClose() throws {
        let rig = try Rig(rtuUnits: [1])
        let observer = open(rig.pty!.secondaryPath, O_RDWR | O_NOCTTY | O_NONBLOCK)
        defer { close(observer) }
        #expect(observer >= 0)
        #expect(SerialLine.isExclusive(fd: observer) == true)
        rig.client.close()
        #expect(SerialLine.isExclusive(fd: observer) == false)
    }
}
