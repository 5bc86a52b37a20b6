public import Logging
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
    /// Where the line is: an RTU serial port with its settings, or a TCP host and port.
    public nonisolated let endpoint: ModbusEndpoint
    /// The bus thread every transaction of this bus runs on.
    public nonisolated let executor: BusThreadExecutor
    /// Runs the actor on ``executor``.
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    private var client: ModbusClient?
    private var options: ModbusClientOptions
    /// The host's logger for this line (its client traces frames through it at `.trace`).
    public nonisolated let logger: Logger
    /// Transactions completed and failed since the bus opened, for diagnostics.
    public private(set) var statistics = BusStatistics()

    /// Opens the line on a new bus thread. `logger` receives the line's diagnostics (see
    /// ``/Modbus/ModbusClient``); by default nothing is logged.
    public init(endpoint: ModbusEndpoint, options: ModbusClientOptions = ModbusClientOptions(),
                logger: Logger = Logger(label: "hepabus.bus", factory: { _ in SwiftLogNoOpLogHandler() })) async throws(ModbusError) {
        self.endpoint = endpoint
        self.options = options
        self.logger = logger
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
        client = try ModbusClient(endpoint: endpoint, options: options, logger: logger)
    }

    /// Releases the line (the port lock goes with it).
    public func close() {
        client?.close()
        client = nil
    }

    /// Whether the line is open (false after ``close()`` or a failed ``connect()``).
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

    /// Reads `count` coils from `address` of `unit` (function code 0x01).
    ///
    /// - Throws: ``/Modbus/ModbusError``: `.cancelled` if the task was cancelled before it started,
    ///   `.io` if the bus is closed, else the transaction's failure (timeout, CRC, exception…).
    public func readCoils(unit: UInt8, address: UInt16, count: Int) throws(ModbusError) -> [Bool] {
        try run { c throws(ModbusError) in try c.readCoils(unit: unit, address: address, count: count) }
    }
    /// Reads `count` discrete inputs from `address` of `unit` (function code 0x02).
    ///
    /// - Throws: ``/Modbus/ModbusError``: `.cancelled` if the task was cancelled before it started,
    ///   `.io` if the bus is closed, else the transaction's failure (timeout, CRC, exception…).
    public func readDiscreteInputs(unit: UInt8, address: UInt16, count: Int) throws(ModbusError) -> [Bool] {
        try run { c throws(ModbusError) in try c.readDiscreteInputs(unit: unit, address: address, count: count) }
    }
    /// Reads `count` holding registers from `address` of `unit` (function code 0x03).
    ///
    /// - Throws: ``/Modbus/ModbusError``: `.cancelled` if the task was cancelled before it started,
    ///   `.io` if the bus is closed, else the transaction's failure (timeout, CRC, exception…).
    public func readHoldingRegisters(unit: UInt8, address: UInt16, count: Int) throws(ModbusError) -> [UInt16] {
        try run { c throws(ModbusError) in try c.readHoldingRegisters(unit: unit, address: address, count: count) }
    }
    /// Reads `count` input registers from `address` of `unit` (function code 0x04).
    ///
    /// - Throws: ``/Modbus/ModbusError``: `.cancelled` if the task was cancelled before it started,
    ///   `.io` if the bus is closed, else the transaction's failure (timeout, CRC, exception…).
    public func readInputRegisters(unit: UInt8, address: UInt16, count: Int) throws(ModbusError) -> [UInt16] {
        try run { c throws(ModbusError) in try c.readInputRegisters(unit: unit, address: address, count: count) }
    }
    /// Reads `count` registers of `table` (holding or input) from `address` of `unit`.
    ///
    /// - Throws: ``/Modbus/ModbusError``: `.cancelled` if the task was cancelled before it started,
    ///   `.io` if the bus is closed, else the transaction's failure (timeout, CRC, exception…).
    public func read(_ table: ModbusTable, unit: UInt8, address: UInt16, count: Int) throws(ModbusError) -> [UInt16] {
        try run { c throws(ModbusError) in try c.read(table, unit: unit, address: address, count: count) }
    }
    /// Writes one coil of `unit` (function code 0x05).
    ///
    /// - Throws: ``/Modbus/ModbusError``: `.cancelled` if the task was cancelled before it started,
    ///   `.io` if the bus is closed, else the transaction's failure (timeout, CRC, exception…).
    public func writeCoil(unit: UInt8, address: UInt16, value: Bool) throws(ModbusError) {
        try run { c throws(ModbusError) in try c.writeCoil(unit: unit, address: address, value: value) }
    }
    /// Writes consecutive coils of `unit` from `address` (function code 0x0F).
    ///
    /// - Throws: ``/Modbus/ModbusError``: `.cancelled` if the task was cancelled before it started,
    ///   `.io` if the bus is closed, else the transaction's failure (timeout, CRC, exception…).
    public func writeCoils(unit: UInt8, address: UInt16, values: [Bool]) throws(ModbusError) {
        try run { c throws(ModbusError) in try c.writeCoils(unit: unit, address: address, values: values) }
    }
    /// Writes one holding register of `unit` (function code 0x06).
    ///
    /// - Throws: ``/Modbus/ModbusError``: `.cancelled` if the task was cancelled before it started,
    ///   `.io` if the bus is closed, else the transaction's failure (timeout, CRC, exception…).
    public func writeRegister(unit: UInt8, address: UInt16, value: UInt16) throws(ModbusError) {
        try run { c throws(ModbusError) in try c.writeRegister(unit: unit, address: address, value: value) }
    }
    /// Writes consecutive holding registers of `unit` from `address` (function code 0x10).
    ///
    /// - Throws: ``/Modbus/ModbusError``: `.cancelled` if the task was cancelled before it started,
    ///   `.io` if the bus is closed, else the transaction's failure (timeout, CRC, exception…).
    public func writeRegisters(unit: UInt8, address: UInt16, values: [UInt16]) throws(ModbusError) {
        try run { c throws(ModbusError) in try c.writeRegisters(unit: unit, address: address, values: values) }
    }
    /// Changes bits of one holding register of `unit`: (current AND `andMask`) OR (`orMask` AND NOT
    /// `andMask`), in the device (function code 0x16).
    ///
    /// - Throws: ``/Modbus/ModbusError``: `.cancelled` if the task was cancelled before it started,
    ///   `.io` if the bus is closed, else the transaction's failure (timeout, CRC, exception…).
    public func maskWriteRegister(unit: UInt8, address: UInt16, andMask: UInt16, orMask: UInt16) throws(ModbusError) {
        try run { c throws(ModbusError) in try c.maskWriteRegister(unit: unit, address: address, andMask: andMask, orMask: orMask) }
    }
    /// Writes `values` from `writeAddress`, then reads `readCount` registers from `readAddress`,
    /// in one transaction (function code 0x17).
    ///
    /// - Throws: ``/Modbus/ModbusError``: `.cancelled` if the task was cancelled before it started,
    ///   `.io` if the bus is closed, else the transaction's failure (timeout, CRC, exception…).
    public func writeAndReadRegisters(unit: UInt8, writeAddress: UInt16, values: [UInt16],
                                      readAddress: UInt16, readCount: Int) throws(ModbusError) -> [UInt16] {
        try run { c throws(ModbusError) in
            try c.writeAndReadRegisters(unit: unit, writeAddress: writeAddress, values: values,
                                        readAddress: readAddress, readCount: readCount)
        }
    }
    /// The device's report-server-id data: id, run indicator, device data (function code 0x11).
    ///
    /// - Throws: ``/Modbus/ModbusError``: `.cancelled` if the task was cancelled before it started,
    ///   `.io` if the bus is closed, else the transaction's failure (timeout, CRC, exception…).
    public func reportServerID(unit: UInt8) throws(ModbusError) -> [UInt8] {
        try run { c throws(ModbusError) in try c.reportServerID(unit: unit) }
    }
}

/// Counts of a bus's transactions by outcome.
public struct BusStatistics: Sendable, Equatable {
    /// Transactions that completed.
    public var completed = 0
    /// Transactions with no (whole) reply in time.
    public var timeouts = 0
    /// Replies whose CRC was wrong.
    public var crcErrors = 0
    /// Replies that did not match their request (unit, function, length).
    public var malformedReplies = 0
    /// Modbus exception replies (the device refused the request).
    public var exceptions = 0
    /// Failures of the line itself (port gone, write error).
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
