import HardwareInterfaces
import HardwareTesting
import Testing

@Suite struct ScriptedRegisterDeviceTests {
    @Test func answersTheScriptInOrder() async throws {
        let device = ScriptedRegisterDevice("pump unit 3")
        device.expectRead(.input, 0x0200, [1, 2])
        device.expectWrite(0x0201, [1205])
        #expect(try await device.readRegisters(.input, address: 0x0200, count: 2) == [1, 2])
        try await device.writeRegisters(address: 0x0201, values: [1205])
        try device.verify()
    }

    @Test func mismatchNamesWhatWasExpected() async throws {
        let device = ScriptedRegisterDevice("unit 3")
        device.expectWrite(0x0010, [0x01F4])
        do {
            try await device.writeRegisters(address: 0x0010, values: [0x0000])
            Issue.record("a wrong value must fail")
        } catch let error as ScriptMismatch {
            #expect(error.message == "write to unit 3 register 0x0010: expected [\"0x01F4\"], got [\"0x0000\"]")
        }
    }

    @Test func unusedExpectationsFailVerify() async throws {
        let device = ScriptedRegisterDevice()
        device.expectRead(.holding, 0, [0])
        #expect(throws: ScriptMismatch.self) { try device.verify() }
        await #expect(throws: ScriptMismatch.self) { try await device.writeRegisters(address: 9, values: [1]) }
    }

    @Test func scriptedFaultsCarryTheirKind() async throws {
        let device = ScriptedRegisterDevice()
        device.expect(.read(.input, address: 0, count: 1, reply: .failure(ScriptedFault(.timeout))))
        do {
            _ = try await device.readRegisters(.input, address: 0, count: 1)
        } catch let error as ScriptedFault {
            #expect(error.kind == .timeout)
        }
    }

    @Test func manualClockWakesSleepersOnlyWhenAdvanced() async throws {
        let clock = ManualClock()
        let start = clock.now
        let sleeper = Task { try await clock.sleep(until: start.advanced(by: .seconds(5)), tolerance: nil) }
        while clock.sleeperCount == 0 { await Task.yield() }
        clock.advance(by: .seconds(4))
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .seconds(1))
        try await sleeper.value
        #expect(clock.now == start.advanced(by: .seconds(5)))
    }
}
