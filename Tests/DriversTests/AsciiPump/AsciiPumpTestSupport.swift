import Drivers
import HardwareInterfaces
import HardwareTesting

/// A line with its checksum and terminator, computed here independently of the driver
/// (sum of the bytes modulo 256, two upper-case hex digits): for replies in tests.
func asciiPumpLine(_ body: String) -> String {
    let sum = body.utf8.reduce(UInt8(0), &+)
    let digits = String(sum, radix: 16, uppercase: true)
    return body + ";" + (digits.count == 1 ? "0" : "") + digits + "\r"
}

/// The DeviceError `body` throws, or nil when it succeeds.
func asciiPumpFailure<T>(_ body: () async throws(DeviceError) -> T) async -> DeviceError? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error
    }
}

/// A fake line and a driver for pump `address` on it.
func scriptedAsciiPump(address: Int = 1) throws -> (ScriptedLineDevice, AsciiPumpDriver<ScriptedLineDevice>) {
    let line = ScriptedLineDevice("pump line")
    return (line, try AsciiPumpDriver(device: line, address: address))
}
