public import HardwareInterfaces
import Synchronization

/// An in-process fake device for unit tests of drivers: it holds the transactions
/// a test expects, in order, answers each, and fails with a precise message on the
/// first mismatch ("write to unit 3 register 0x0201: expected [0x04B5], got [0x0000]").
/// ``verify()`` fails if expectations were left unused.
public final class ScriptedRegisterDevice: RegisterDevice {
    /// One expected transaction and its scripted outcome.
    public enum Expectation: Sendable, CustomStringConvertible {
        /// A read of `count` registers of a table from `address`, answered with `reply`.
        case read(RegisterTable, address: UInt16, count: Int, reply: Result<[UInt16], ScriptedFault>)
        /// A write of `values` from `address`, answered with `reply`.
        case write(address: UInt16, values: [UInt16], reply: Result<Void, ScriptedFault>)

        public var description: String {
            switch self {
            case .read(let t, let a, let c, _): "read \(t.rawValue) \(hex(a)) count \(c)"
            case .write(let a, let v, _): "write \(hex(a)) \(v.map(hex))"
            }
        }
    }

    public let deviceDescription: String
    private let script: Mutex<[Expectation]>

    /// A fake named `description` in messages, expecting `expectations` in order.
    public init(_ description: String = "scripted unit 1", _ expectations: [Expectation] = []) {
        deviceDescription = description
        script = Mutex(expectations)
    }

    /// Adds expectations at the end of the script.
    public func expect(_ expectations: Expectation...) {
        script.withLock { $0 += expectations }
    }

    /// Convenience: a read answered with `values`.
    public func expectRead(_ table: RegisterTable, _ address: UInt16, _ values: [UInt16]) {
        expect(.read(table, address: address, count: values.count, reply: .success(values)))
    }

    /// Convenience: a write that succeeds.
    public func expectWrite(_ address: UInt16, _ values: [UInt16]) {
        expect(.write(address: address, values: values, reply: .success(())))
    }

    public func readRegisters(_ table: RegisterTable, address: UInt16, count: Int) async throws -> [UInt16] {
        let next = try take("read \(table.rawValue) \(hex(address)) count \(count)")
        guard case .read(let t, let a, let c, let reply) = next, t == table, a == address, c == count else {
            throw ScriptMismatch(message: "\(deviceDescription): read \(table.rawValue) register \(hex(address)) count \(count): expected \(next)")
        }
        return try reply.get()
    }

    public func writeRegisters(address: UInt16, values: [UInt16]) async throws {
        let next = try take("write \(hex(address)) \(values.map(hex))")
        guard case .write(let a, let expected, let reply) = next, a == address else {
            throw ScriptMismatch(message: "\(deviceDescription): write to register \(hex(address)) \(values.map(hex)): expected \(next)")
        }
        guard expected == values else {
            throw ScriptMismatch(message: "write to \(deviceDescription) register \(hex(address)): expected \(expected.map(hex)), got \(values.map(hex))")
        }
        try reply.get()
    }

    private func take(_ what: String) throws -> Expectation {
        let next = script.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        guard let next else { throw ScriptMismatch(message: "\(deviceDescription): unexpected \(what): no transaction was expected") }
        return next
    }

    /// Throws if any expected transaction did not happen.
    public func verify() throws {
        let left = script.withLock { $0 }
        guard left.isEmpty else {
            throw ScriptMismatch(message: "\(deviceDescription): \(left.count) expected transaction(s) never happened: "
                + left.map(\.description).joined(separator: "; "))
        }
    }
}

/// A scripted failure, carrying the kind the driver must surface.
public struct ScriptedFault: HardwareError, Equatable, Sendable, CustomStringConvertible {
    public var kind: HardwareErrorKind
    /// What the fake says happened.
    public var detail: String
    /// A failure of `kind`, described as `detail`.
    public init(_ kind: HardwareErrorKind, _ detail: String = "scripted") {
        self.kind = kind
        self.detail = detail
    }
    public var description: String { "\(kind.rawValue) (\(detail))" }
}

/// The fake was driven differently from its script.
public struct ScriptMismatch: Error, CustomStringConvertible {
    /// The expected and the actual transaction, in words.
    public var message: String
    public var description: String { message }
}

func hex(_ value: UInt16) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return "0x" + String(repeating: "0", count: 4 - digits.count) + digits
}
