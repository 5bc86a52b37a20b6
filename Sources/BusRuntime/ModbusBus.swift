public import Modbus
import Serial

/// One Modbus line (an RS-485 segment, or a TCP connection to a gateway), owned
/// exclusively by this actor and run on its own bus thread.
///
/// Each method is one whole request/response, executed synchronously on the
/// bus thread: nothing interleaves inside a transaction, and cancellation or a
/// caller's timeout can never leave half a transaction on the wire (a cancelled
/// caller's request is either not started, or completed and its result dropped).
/// Timeouts live in the I/O itself (libmodbus's response and byte timeouts).
public actor ModbusBus {
    public nonisolated let endpoint: ModbusEndpoint
    public nonisolated let executor: BusThreadExecutor
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    private var client: ModbusClient?
    private var options: ModbusClientOptions
    /// Transactions completed and failed since the bus opened, for diagnostics.
    public private(set) var statistics = BusStatistics()

    /// Opens the line on a new bus thread.
    public init(endpoint: ModbusEndpoint, options: ModbusClientOptions = ModbusClientOptions()) async throws(ModbusError) {
        self.endpoint = endpoint
        self.options = options
        self.executor = BusThreadExecutor(name: "bus \(endpoint)")
        try connect()
    }

    deinit {
        // The client closes its line in its own deinit, after this.
        executor.shutdown()
    }

    /// (Re)connects the line; runs on the bus thread.
    public func connect() throws(ModbusError) {
        client?.close()
        client = nil
        client = try ModbusClient(endpoint: endpoint, options: options)
    }

    /// Releases the line (the port lock goes with it).
    public func close() {
        client?.close()
        client = nil
    }

    public var isOpen: Bool { client?.isOpen ?? false }

    /// Changes timeouts, retry policy or tracing.
    public func update(_ options: ModbusClientOptions) {
        self.options = options
        client?.update(options)
    }

    /// Runs `body` with the client on the bus thread: several transactions in a
    /// row without other callers' requests between them (e.g. a poll cycle).
    public func withClient<T: Sendable>(_ body: (ModbusClient) throws(ModbusError) -> T) throws(ModbusError) -> T {
        guard let client else { throw .io("bus \(endpoint) is closed") }
        if Task.isCancelled { throw .cancelled }
        return try body(client)
    }

    private func run<T>(_ body: (ModbusClient) throws(ModbusError) -> T) throws(ModbusError) -> T {
        guard let client else { throw .io("bus \(endpoint) is closed") }
        // Checked before, never during, a transaction.
        if Task.isCancelled { throw .cancelled }
        do {
            let result = try body(client)
            statistics.completed += 1
            return result
        } catch {
            statistics.record(error)
            throw error
        }
    }

    public func readCoils(unit: UInt8, address: UInt16, count: Int) throws(ModbusError) -> [Bool] {
        try run { c throws(ModbusError) in try c.readCoils(unit: unit, address: address, count: count) }
    }
    public func readDiscreteInputs(unit: UInt8, address: UInt16, count: Int) throws(ModbusError) -> [Bool] {
        try run { c throws(ModbusError) in try c.readDiscreteInputs(unit: unit, address: address, count: count) }
    }
    public func readHoldingRegisters(unit: UInt8, address: UInt16, count: Int) throws(ModbusError) -> [UInt16] {
        try run { c throws(ModbusError) in try c.readHoldingRegisters(unit: unit, address: address, count: count) }
    }
    public func readInputRegisters(unit: UInt8, address: UInt16, count: Int) throws(ModbusError) -> [UInt16] {
        try run { c throws(ModbusError) in try c.readInputRegisters(unit: unit, address: address, count: count) }
    }
    public func read(_ table: ModbusTable, unit: UInt8, address: UInt16, count: Int) throws(ModbusError) -> [UInt16] {
        try run { c throws(ModbusError) in try c.read(table, unit: unit, address: address, count: count) }
    }
    public func writeCoil(unit: UInt8, address: UInt16, value: Bool) throws(ModbusError) {
        try run { c throws(ModbusError) in try c.writeCoil(unit: unit, address: address, value: value) }
    }
    public func writeCoils(unit: UInt8, address: UInt16, values: [Bool]) throws(ModbusError) {
        try run { c throws(ModbusError) in try c.writeCoils(unit: unit, address: address, values: values) }
    }
    public func writeRegister(unit: UInt8, address: UInt16, value: UInt16) throws(ModbusError) {
        try run { c throws(ModbusError) in try c.writeRegister(unit: unit, address: address, value: value) }
    }
    public func writeRegisters(unit: UInt8, address: UInt16, values: [UInt16]) throws(ModbusError) {
        try run { c throws(ModbusError) in try c.writeRegisters(unit: unit, address: address, values: values) }
    }
    public func maskWriteRegister(unit: UInt8, address: UInt16, andMask: UInt16, orMask: UInt16) throws(ModbusError) {
        try run { c throws(ModbusError) in try c.maskWriteRegister(unit: unit, address: address, andMask: andMask, orMask: orMask) }
    }
    public func writeAndReadRegisters(unit: UInt8, writeAddress: UInt16, values: [UInt16],
                                      readAddress: UInt16, readCount: Int) throws(ModbusError) -> [UInt16] {
        try run { c throws(ModbusError) in
            try c.writeAndReadRegisters(unit: unit, writeAddress: writeAddress, values: values,
                                        readAddress: readAddress, readCount: readCount)
        }
    }
    public func reportServerID(unit: UInt8) throws(ModbusError) -> [UInt8] {
        try run { c throws(ModbusError) in try c.reportServerID(unit: unit) }
    }
}

/// Counts of a bus's transactions by outcome.
public struct BusStatistics: Sendable, Equatable {
    public var completed = 0
    public var timeouts = 0
    public var crcErrors = 0
    public var malformedReplies = 0
    public var exceptions = 0
    public var ioErrors = 0

    mutating func record(_ error: ModbusError) {
        switch error {
        case .timeout: timeouts += 1
        case .crcError: crcErrors += 1
        case .malformedReply: malformedReplies += 1
        case .exception: exceptions += 1
        case .io, .serial: ioErrors += 1
        case .invalidRequest, .cancelled: break
        }
    }
}
