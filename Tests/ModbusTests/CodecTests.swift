import Testing
@testable import Modbus

@Suite struct CodecTests {
    @Test func floatWordOrders() {
        // 3.14159f is 0x40490FD0.
        #expect(RegisterCodec.encode(Float(3.14159), order: .big) == [0x4049, 0x0FD0])
        #expect(RegisterCodec.encode(Float(3.14159), order: .little) == [0x0FD0, 0x4049])
        #expect(RegisterCodec.decodeFloat([0x4049, 0x0FD0], order: .big) == Float(3.14159))
        #expect(RegisterCodec.decodeFloat([0x0FD0, 0x4049], order: .little) == Float(3.14159))
        #expect(RegisterCodec.decodeFloat([0x4049], order: .big) == nil)
    }

    @Test func signedAndUnsigned32() {
        #expect(RegisterCodec.encode(Int32(-2), order: .big) == [0xFFFF, 0xFFFE])
        #expect(RegisterCodec.decodeInt32([0xFFFE, 0xFFFF], order: .little) == -2)
        #expect(RegisterCodec.encode(UInt32(0x12345678), order: .little) == [0x5678, 0x1234])
        #expect(RegisterCodec.decodeUInt32([0x1234, 0x5678], order: .big) == 0x12345678)
    }

    @Test func crcOfAKnownFrame() {
        // Read 10 holding registers from unit 1: the CRC on the wire is C5 CD.
        let frame = CRC16.appending(to: [0x01, 0x03, 0x00, 0x00, 0x00, 0x0A])
        #expect(frame.suffix(2) == [0xC5, 0xCD])
        #expect(CRC16.isValid(frame))
        var damaged = frame
        damaged[3] ^= 0x01
        #expect(!CRC16.isValid(damaged))
    }

    @Test func debugCaptureParsing() {
        let text = "[01][03][00][00][00][0A][C5][CD]\nWaiting for a confirmation...\n<01><03><02><00><2A>\n"
        let (sent, received) = LibmodbusDebugCapture.parse(text)
        #expect(sent == [0x01, 0x03, 0x00, 0x00, 0x00, 0x0A, 0xC5, 0xCD])
        #expect(received == [0x01, 0x03, 0x02, 0x00, 0x2A])
    }

    @Test func endpointParsing() throws {
        #expect(try ModbusEndpoint.parse("tcp://127.0.0.1:1502") == .tcp(host: "127.0.0.1", port: 1502))
        #expect(try ModbusEndpoint.parse("tcp://[::1]:502") == .tcp(host: "::1", port: 502))
        #expect(throws: ModbusError.self) { try ModbusEndpoint.parse("tcp://host:99999") }
        #expect(throws: ModbusError.self) { try ModbusEndpoint.parse("udp://x:1") }
        #expect(throws: ModbusError.self) { try ModbusEndpoint.parse("ttyUSB0") }
        if case .rtu(let path, _) = try ModbusEndpoint.parse("/dev/ttyUSB0") { #expect(path == "/dev/ttyUSB0") } else {
            Issue.record("a device path must parse as RTU")
        }
    }
}

@Suite struct RequestProcessorTests {
    let model = RegisterMap(coils: 16, discreteInputs: 16, holdingRegisters: 10, inputRegisters: 10)

    @Test func unknownFunctionIsIllegal() {
        #expect(ModbusRequestProcessor.respond(to: [0x2B, 0x0E, 0x01, 0x00], model: model) == [0xAB, 0x01])
    }

    @Test func countOutOfRangeIsIllegalValue() {
        #expect(ModbusRequestProcessor.respond(to: [0x03, 0x00, 0x00, 0x00, 0x7E], model: model) == [0x83, 0x03])
        #expect(ModbusRequestProcessor.respond(to: [0x03, 0x00, 0x00, 0x00, 0x00], model: model) == [0x83, 0x03])
    }

    @Test func addressPastTheTableIsIllegalAddress() {
        #expect(ModbusRequestProcessor.respond(to: [0x03, 0x00, 0x08, 0x00, 0x03], model: model) == [0x83, 0x02])
    }

    @Test func readWriteWritesFirst() {
        // Write 0x1234 at 2, read 1 register at 2: the read sees the write.
        let reply = ModbusRequestProcessor.respond(
            to: [0x17, 0x00, 0x02, 0x00, 0x01, 0x00, 0x02, 0x00, 0x01, 0x02, 0x12, 0x34], model: model)
        #expect(reply == [0x17, 0x02, 0x12, 0x34])
    }

    @Test func singleCoilRejectsOtherValues() {
        #expect(ModbusRequestProcessor.respond(to: [0x05, 0x00, 0x01, 0x12, 0x34], model: model) == [0x85, 0x03])
    }

    @Test func rtuRequestLengths() {
        #expect(ModbusRTUServer.expectedRequestLength([0x01, 0x03]) == 8)
        #expect(ModbusRTUServer.expectedRequestLength([0x01, 0x10, 0, 0, 0, 2]) == nil)
        #expect(ModbusRTUServer.expectedRequestLength([0x01, 0x10, 0, 0, 0, 2, 4]) == 13)
        #expect(ModbusRTUServer.expectedRequestLength([0x01, 0x11]) == 4)
        #expect(ModbusRTUServer.expectedRequestLength([0x01, 0x64]) == nil)
    }
}
