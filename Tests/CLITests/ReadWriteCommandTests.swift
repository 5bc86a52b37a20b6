import Foundation
import Modbus
import Testing

/// `hepabus read` and `hepabus write` across a real pty and TCP, as a technician runs them.
@Suite struct ReadWriteCommandTests {
    @Test func readPrintsAddressAndValuePerLine() throws {
        let line = try ServedLine()
        try line.model(1).store(.holding, address: 100, values: [1234, 0xFFFE])
        let result = try CLI.run(["read", line.path, "--unit", "1", "--table", "holding", "--address", "100", "--count", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "100 1234\n101 65534\n")
        let signed = try CLI.run(["read", line.path, "--unit", "1", "--address", "0x64", "--count", "2", "--type", "s16"])
        #expect(signed.stdout == "100 1234\n101 -2\n")
        let hex = try CLI.run(["read", line.path, "--unit", "1", "--address", "101", "--type", "hex"])
        #expect(hex.stdout == "101 0xFFFE\n")
    }

    @Test func readJSONHasUnitTableAddressValues() throws {
        let line = try ServedLine()
        try line.model(1).store(.input, address: 3, values: RegisterCodec.encode(Float(37.25), order: .little))
        let result = try CLI.run(["read", line.tcpEndpoint, "--unit", "1", "--table", "input", "--address", "3",
                                  "--type", "f32", "--word-order", "little", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(object?["unit"] as? Int == 1)
        #expect(object?["table"] as? String == "input")
        #expect(object?["address"] as? Int == 3)
        #expect((object?["values"] as? [Double]) == [37.25])
    }

    @Test func writeThenReadBackRegistersFloatsAndCoils() throws {
        let line = try ServedLine()
        var result = try CLI.run(["write", line.path, "--unit", "1", "--table", "holding", "--address", "10", "500", "600"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try line.model(1).read(.holding, address: 10, count: 2) == [500, 600])

        result = try CLI.run(["write", line.path, "--unit", "1", "--address", "20", "--type", "f32", "37.5"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(RegisterCodec.decodeFloat(try line.model(1).read(.holding, address: 20, count: 2), order: .big) == 37.5)

        result = try CLI.run(["write", line.path, "--unit", "1", "--address", "22", "--type", "s32", "--word-order", "little", "-100000"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(RegisterCodec.decodeInt32(try line.model(1).read(.holding, address: 22, count: 2), order: .little) == -100000)

        result = try CLI.run(["write", line.path, "--unit", "1", "--table", "coil", "--address", "4", "on", "0", "true"])
        #expect(result.status == 0, "\(result.stderr)")
        result = try CLI.run(["read", line.path, "--unit", "1", "--table", "coil", "--address", "3", "--count", "5"])
        #expect(result.stdout == "3 0\n4 1\n5 0\n6 1\n7 0\n")
    }

    @Test func broadcastWriteReachesEveryUnit() throws {
        let line = try ServedLine(units: [1, 2])
        let result = try CLI.run(["write", line.path, "--unit", "0", "--address", "7", "4242"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("broadcast"))
        #expect(try line.model(1).read(.holding, address: 7, count: 1) == [4242])
        #expect(try line.model(2).read(.holding, address: 7, count: 1) == [4242])
    }

    @Test func exceptionIsNamedWithUnitAndAddressAndExitsOne() throws {
        let line = try ServedLine()
        let result = try CLI.run(["read", line.path, "--unit", "1", "--address", "199", "--count", "5"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("illegal data address"))
        #expect(result.stderr.contains("unit 1"))
        #expect(result.stderr.contains("address 199"))
        #expect(!result.stderr.contains("Fatal error"))
        line.units.inject(.exception(.serverDeviceFailure), unit: 1, count: 1)
        let failed = try CLI.run(["write", line.tcpEndpoint, "--unit", "1", "--address", "1", "5"])
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("server device failure"))
    }

    @Test func silentUnitIsATimeoutNotAHang() throws {
        let line = try ServedLine()
        let result = try CLI.run(["read", line.path, "--unit", "5", "--address", "0", "--timeout", "200"], timeout: 10)
        #expect(result.status == 1)
        #expect(result.stderr.contains("timeout"))
        #expect(result.stderr.contains("unit 5"))
    }

    @Test func corruptedFrameIsACRCErrorAndTheLineRecovers() throws {
        let line = try ServedLine()
        try line.model(1).store(.holding, address: 0, values: [77])
        line.units.inject(.corruptCRC, unit: 1, count: 1)
        let bad = try CLI.run(["read", line.path, "--unit", "1", "--address", "0"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("CRC error"))
        let good = try CLI.run(["read", line.path, "--unit", "1", "--address", "0"])
        #expect(good.status == 0)
        #expect(good.stdout == "0 77\n")
        // Within one invocation, a retry rides over a single bad frame.
        line.units.inject(.corruptCRC, unit: 1, count: 1)
        let retried = try CLI.run(["read", line.path, "--unit", "1", "--address", "0", "--retries", "1"])
        #expect(retried.stdout == "0 77\n")
    }

    @Test func verbosePrintsEveryFrameWithTimestamps() throws {
        let line = try ServedLine()
        let result = try CLI.run(["read", line.path, "--unit", "1", "--address", "0", "--count", "10", "--verbose"])
        #expect(result.status == 0)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.hasSuffix("TX 01 03 00 00 00 0A C5 CD") == true)
        #expect(lines.last?.contains(" RX 01 03 14 00 00") == true)
        // 2026-11-21T22:40:01.123456Z
        #expect(lines.first?.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z"#, options: .regularExpression) != nil)
    }

    @Test func pollRepeatsTheGivenNumberOfTimes() throws {
        let line = try ServedLine()
        let result = try CLI.run(["read", line.path, "--unit", "1", "--address", "0", "--poll", "20", "--times", "3", "--json"])
        #expect(result.status == 0)
        let rounds = result.stdout.split(separator: "\n")
        #expect(rounds.count == 3)
        #expect(rounds.allSatisfy { $0.contains("\"time\":") && $0.contains("\"values\":[0]") })
    }

    @Test func pollReportsFailuresAndKeepsGoing() throws {
        let line = try ServedLine()
        line.units.inject(.silent, unit: 1, count: 1)
        let result = try CLI.run(["read", line.path, "--unit", "1", "--address", "0", "--poll", "20", "--times", "3", "--timeout", "100"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("timeout"))
        #expect(result.stdout.components(separatedBy: "0 0\n").count - 1 == 2)
    }
}
