import HardwareInterfaces
import HardwareTesting
import Testing

/// The fake line the driver tests stand on: it must fail loudly and precisely.
@Suite struct ScriptedLineDeviceTests {
    @Test func answersTheScriptInOrderAndRecordsTheExchanges() async throws {
        let line = ScriptedLineDevice("pump line")
        line.expect("1GO;C7\r", reply: "1*GO;F1\r")
        line.expect("1ST;D8\r", fault: ScriptedFault(.timeout))
        let reply = try await line.exchange(Array("1GO;C7\r".utf8), terminator: 0x0D, maxReplyLength: 40, timeout: .milliseconds(150))
        #expect(reply == Array("1*GO;F1\r".utf8))
        await #expect(throws: ScriptedFault(.timeout)) {
            try await line.exchange(Array("1ST;D8\r".utf8), terminator: 0x0D, maxReplyLength: 40, timeout: .milliseconds(150))
        }
        try line.verify()
        #expect(line.history.map(\.request) == [Array("1GO;C7\r".utf8), Array("1ST;D8\r".utf8)])
    }

    @Test func aMismatchNamesTheExchangeBothLinesAndWhereTheyDiffer() async throws {
        let line = ScriptedLineDevice("pump line")
        line.expect("1SP1205;9C\r", reply: "1*SP;FE\r")
        do {
            _ = try await line.exchange(Array("1SP1200;97\r".utf8), terminator: 0x0D, maxReplyLength: 40, timeout: .seconds(1))
            Issue.record("a wrong request must fail")
        } catch let error as ScriptMismatch {
            #expect(error.message == #"exchange 1 on pump line: expected "1SP1205;9C\r", got "1SP1200;97\r" (first difference at byte 6)"#)
        }
    }

    @Test func unexpectedAndUnusedExchangesFail() async throws {
        let line = ScriptedLineDevice("pump line")
        await #expect(throws: ScriptMismatch.self) {
            try await line.exchange([0x31, 0xFF, 0x0D], terminator: 0x0D, maxReplyLength: 40, timeout: .seconds(1))
        }
        line.expect("1HB;BB\r", reply: "1*HB;E5\r")
        do {
            try line.verify()
            Issue.record("an unused expectation must fail verify()")
        } catch let error as ScriptMismatch {
            #expect(error.message == #"pump line: 1 expected exchange(s) never happened: "1HB;BB\r" → "1*HB;E5\r""#)
        }
        #expect(ScriptedLineDevice.show([0x31, 0xFF, 0x0D]) == #""1\xFF\r""#)
    }
}
