import Synchronization

/// What a Modbus server serves for one unit: the four tables and the server id.
/// The simulator implements it as device firmware (validating set-points,
/// reacting to commands); ``RegisterMap`` is the plain in-memory version.
///
/// Called from the server's thread; implementations synchronise themselves.
public protocol ModbusDataModel: AnyObject, Sendable {
    /// Reads `count` entries of `table` (bits as 0 or 1).
    /// Throws `.illegalDataAddress` for addresses the device does not have.
    func read(_ table: ModbusTable, address: UInt16, count: Int) throws(ModbusExceptionCode) -> [UInt16]
    /// Writes coils (0/1) or holding registers. Throws `.illegalDataValue` to refuse a value.
    func write(_ table: ModbusTable, address: UInt16, values: [UInt16]) throws(ModbusExceptionCode)
    /// FC22 on one holding register, atomically.
    func maskWrite(address: UInt16, andMask: UInt16, orMask: UInt16) throws(ModbusExceptionCode)
    /// FC17's payload: server id, run indicator (0xFF on / 0x00 off), device data.
    func serverID() -> [UInt8]
}

extension ModbusDataModel {
    /// Read-modify-write; models that can change a register concurrently override it.
    public func maskWrite(address: UInt16, andMask: UInt16, orMask: UInt16) throws(ModbusExceptionCode) {
        let current = try read(.holding, address: address, count: 1)[0]
        try write(.holding, address: address, values: [(current & andMask) | (orMask & ~andMask)])
    }
}

/// An in-memory data model: every table a contiguous block from address 0.
/// Addresses past a table's size answer `illegal data address`.
public final class RegisterMap: ModbusDataModel {
    private struct Tables {
        var coil: [UInt16]
        var discrete: [UInt16]
        var holding: [UInt16]
        var input: [UInt16]

        subscript(table: ModbusTable) -> [UInt16] {
            get {
                switch table {
                case .coil: coil
                case .discrete: discrete
                case .holding: holding
                case .input: input
                }
            }
            set {
                switch table {
                case .coil: coil = newValue
                case .discrete: discrete = newValue
                case .holding: holding = newValue
                case .input: input = newValue
                }
            }
        }
    }

    private let tables: Mutex<Tables>
    private let identity: [UInt8]

    /// Tables of the given sizes, every entry zero, from address 0; `serverID` is what report
    /// server id (FC 0x11) answers.
    public init(coils: Int = 0, discreteInputs: Int = 0, holdingRegisters: Int = 0, inputRegisters: Int = 0,
                serverID: [UInt8] = [0x01, 0xFF]) {
        tables = Mutex(Tables(coil: .init(repeating: 0, count: coils), discrete: .init(repeating: 0, count: discreteInputs),
                              holding: .init(repeating: 0, count: holdingRegisters), input: .init(repeating: 0, count: inputRegisters)))
        identity = serverID
    }

    public func read(_ table: ModbusTable, address: UInt16, count: Int) throws(ModbusExceptionCode) -> [UInt16] {
        let result: [UInt16]? = tables.withLock { t in
            let values = t[table]
            let start = Int(address)
            guard start + count <= values.count else { return nil }
            return Array(values[start..<start + count])
        }
        guard let result else { throw .illegalDataAddress }
        return result
    }

    public func write(_ table: ModbusTable, address: UInt16, values: [UInt16]) throws(ModbusExceptionCode) {
        try store(table, address: address, values: values)
    }

    public func maskWrite(address: UInt16, andMask: UInt16, orMask: UInt16) throws(ModbusExceptionCode) {
        let ok = tables.withLock { t in
            guard Int(address) < t.holding.count else { return false }
            t.holding[Int(address)] = (t.holding[Int(address)] & andMask) | (orMask & ~andMask)
            return true
        }
        if !ok { throw .illegalDataAddress }
    }

    public func serverID() -> [UInt8] { identity }

    /// Sets entries of any table from the device side (e.g. input registers a sensor updates).
    public func store(_ table: ModbusTable, address: UInt16, values: [UInt16]) throws(ModbusExceptionCode) {
        let ok = tables.withLock { t in
            let start = Int(address)
            guard start + values.count <= t[table].count else { return false }
            t[table].replaceSubrange(start..<start + values.count, with: values)
            return true
        }
        if !ok { throw .illegalDataAddress }
    }
}
