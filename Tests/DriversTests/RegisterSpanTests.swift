@testable import Drivers
import FirmwareProtocols
import HardwareInterfaces
import HardwareTesting
import Testing

@Suite("Grouped reads: one contiguous span, one transaction")
struct RegisterSpanTests {
    @Test func spanCoversContiguousRegistersIncludingThirtyTwoBitOnes() throws {
        let span = try #require(RegisterSpan(covering: PeristalticPumpDriver<ScriptedRegisterDevice>.readingRegisters))
        #expect(span.table == .input)
        #expect(span.start == 0x0200)
        #expect(span.count == 5)
        #expect(span.offsets(of: PeristalticPumpProtocol.deliveredVolume) == 3..<5)
    }

    @Test func spanBridgesHolesAndIgnoresOrder() throws {
        let span = try #require(RegisterSpan(covering: [IdentityBlock.wordOrderProbe, IdentityBlock.familyCode]))
        #expect(span.start == 0x0000)
        #expect(span.count == 9)
        #expect(span.offsets(of: IdentityBlock.wordOrderProbe) == 7..<9)
        #expect(span.offsets(of: IdentityBlock.vendorID) == 2..<3)
    }

    @Test func registersOfTwoTablesOrNoneHaveNoSpan() {
        #expect(RegisterSpan(covering: [PeristalticPumpProtocol.status, PeristalticPumpProtocol.controlWord]) == nil)
        #expect(RegisterSpan(covering: []) == nil)
    }

    @Test func registerOutsideTheSpanHasNoOffsets() throws {
        let span = try #require(RegisterSpan(covering: [PressureSensorProtocol.pressure, PressureSensorProtocol.status]))
        #expect(span.offsets(of: PressureSensorProtocol.rangeMinimum) == nil)
        #expect(span.offsets(of: PressureSensorProtocol.zeroOffset) == nil) // same address, holding table
    }

    @Test func readSpanReadsOnceAndSlicesEachRegister() async throws {
        let device = ScriptedRegisterDevice()
        device.expectRead(.input, 0x0200, [0x0001, 1205, 9640, 0x0012, 0xD687])
        let block = try await device.readSpan(PeristalticPumpDriver<ScriptedRegisterDevice>.readingRegisters, during: "test")
        #expect(Array(try block.words(of: PeristalticPumpProtocol.actualFlow)) == [9640])
        #expect(Array(try block.words(of: PeristalticPumpProtocol.deliveredVolume)) == [0x0012, 0xD687])
        #expect(try block.word(PeristalticPumpProtocol.status) == 0x0001)
        try device.verify()
    }

    @Test func mixedTablesAreRefusedWithNothingSent() async throws {
        let device = ScriptedRegisterDevice()
        await expectDeviceError(.invalidRequest) {
            try await device.readSpan([PressureSensorProtocol.pressure, PressureSensorProtocol.zeroOffset], during: "test")
        }
        try device.verify()
    }

    @Test(arguments: [[UInt16](), [1], [1, 2, 3]])
    func replyOfTheWrongLengthIsACorruptFrame(reply: [UInt16]) async throws {
        let device = ScriptedRegisterDevice()
        device.expect(.read(.input, address: 0x0200, count: 2, reply: .success(reply)))
        let error = await expectDeviceError(.corruptFrame) {
            try await device.readSpan([PressureSensorProtocol.pressure, PressureSensorProtocol.status], during: "test")
        }
        expectMentions(error, "asked for 2", "got \(reply.count)")
        try device.verify()
    }

    @Test func askingForARegisterOutsideTheBlockIsAnInvalidRequestNotATrap() async throws {
        let device = ScriptedRegisterDevice()
        device.expectRead(.input, 0x0200, [0, 0])
        let block = try await device.readSpan([PressureSensorProtocol.pressure, PressureSensorProtocol.status], during: "test")
        await expectDeviceError(.invalidRequest) { try block.value(PressureSensorProtocol.rangeMaximum) }
    }

    @Test func writingAReadOnlyRegisterIsRefusedWithNothingSent() async throws {
        let device = ScriptedRegisterDevice()
        await expectDeviceError(.invalidRequest) {
            try await device.write(PeristalticPumpProtocol.status, [0], during: "test")
        }
        await expectDeviceError(.invalidRequest) {
            try await device.write(PeristalticPumpProtocol.speedSetpoint, [1, 2], during: "test")
        }
        try device.verify()
    }
}
