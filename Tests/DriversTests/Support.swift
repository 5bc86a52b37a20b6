import Drivers
import HardwareInterfaces
import HardwareTesting
import Testing

/// The transport failure kinds a RegisterDevice can surface, each of which a driver
/// must pass through unchanged.
let transportKinds: [HardwareErrorKind] = [.timeout, .corruptFrame, .deviceRefused, .disconnected]

/// Runs `body` expecting a ``DeviceError`` of `kind`; returns it for further checks.
@discardableResult
func expectDeviceError<T>(_ kind: HardwareErrorKind, sourceLocation: SourceLocation = #_sourceLocation,
                          _ body: () async throws -> T) async -> DeviceError? {
    do {
        let value = try await body()
        Issue.record("expected a \(kind.rawValue) error, got \(value)", sourceLocation: sourceLocation)
        return nil
    } catch let error as DeviceError {
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected a DeviceError of kind \(kind.rawValue), got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Expects `result` to be a failure of `kind` whose detail mentions every one of `mentions`.
func expectFailure<T>(_ result: Result<T, DeviceError>, _ kind: HardwareErrorKind, mentioning mentions: [String] = [],
                      sourceLocation: SourceLocation = #_sourceLocation) {
    switch result {
    case .success(let value):
        Issue.record("expected a \(kind.rawValue) failure, got \(value)", sourceLocation: sourceLocation)
    case .failure(let error):
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        for text in mentions {
            #expect(error.detail.contains(text), "\(error.detail) should mention \(text)", sourceLocation: sourceLocation)
        }
    }
}

/// Expects `error`'s detail to mention every one of `mentions`.
func expectMentions(_ error: DeviceError?, _ mentions: String..., sourceLocation: SourceLocation = #_sourceLocation) {
    guard let error else { return }
    for text in mentions {
        #expect(error.detail.contains(text), "\(error.detail) should mention \(text)", sourceLocation: sourceLocation)
    }
}

/// `actual` equals `expected` to within a billionth, relative: far below any register's
/// resolution, so a wrong scale or a wrong word still fails.
func isClose(_ actual: Double, _ expected: Double) -> Bool {
    abs(actual - expected) <= 1e-9 * max(1, abs(expected))
}

/// A signed register value as its raw word.
func word(_ value: Int16) -> UInt16 { UInt16(bitPattern: value) }

/// A scripted read of `count` registers that fails with `kind`.
func failingRead(_ table: RegisterTable, _ address: UInt16, count: Int, _ kind: HardwareErrorKind) -> ScriptedRegisterDevice.Expectation {
    .read(table, address: address, count: count, reply: .failure(ScriptedFault(kind)))
}

/// A scripted write that fails with `kind`.
func failingWrite(_ address: UInt16, _ values: [UInt16], _ kind: HardwareErrorKind) -> ScriptedRegisterDevice.Expectation {
    .write(address: address, values: values, reply: .failure(ScriptedFault(kind)))
}

/// The nine identity registers (input 0x0000…0x0008) of a device.
func identityWords(family: UInt16, protocolVersion: UInt16 = 0x0100, vendorID: UInt16 = 0x4842,
                   modelCode: UInt16 = 0x0102, firmwareVersion: UInt16 = 0x0203,
                   serialNumber: UInt32 = 0x0012_D687, probe: UInt32 = 0xAABB_CCDD) -> [UInt16] {
    [family, protocolVersion, vendorID, modelCode, firmwareVersion,
     UInt16(serialNumber >> 16), UInt16(serialNumber & 0xFFFF),
     UInt16(probe >> 16), UInt16(probe & 0xFFFF)]
}
