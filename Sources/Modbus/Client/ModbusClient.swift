internal import CModbus
import Glibc
public import Logging
import Serial

/// A Modbus master over libmodbus: RTU on a serial line (opened exclusively) or TCP.
///
/// Every method is one synchronous request/response on the calling thread; the
/// timeouts live in the I/O itself. Not thread-safe: a client belongs to one bus
/// thread (BusRuntime gives it one).
///
/// Diagnostics go to ``logger`` only: each request and reply frame at `.trace` (with the
/// unit and function as metadata), failed attempts, retries and resynchronisations at
/// `.debug`, a line that would not fall quiet at `.warning`. Failures are also thrown.
public final class ModbusClient {
    /// The line this client talks on.
    public let endpoint: ModbusEndpoint
    /// Timeouts, retry policy and tracing in force (changed with ``update(_:)``).
    public private(set) var options: ModbusClientOptions
    /// Where the client's diagnostics go (the host's; a no-op logger unless given).
    public let logger: Logger
    private var context: OpaquePointer?
    /// Our exclusive hold on the serial port (flock), taken before libmodbus opens it.
    private var portLock: SerialPortLock?
    private var currentUnit: Int32 = -1

    /// Connects. Wraps modbus_new_rtu(3)/modbus_new_tcp_pi(3), modbus_connect(3),
    /// modbus_set_response_timeout(3), modbus_set_byte_timeout(3) and
    /// modbus_set_error_recovery(3) with MODBUS_ERROR_RECOVERY_NONE (recovery is ours).
    ///
    /// `logger`: the host's logger (the endpoint is added to its metadata); by default
    /// nothing is logged.
    public init(endpoint: ModbusEndpoint, options: ModbusClientOptions = ModbusClientOptions(),
                logger: Logger = Logger(label: "hepabus.modbus", factory: { _ in SwiftLogNoOpLogHandler() })) throws(ModbusError) {
        self.endpoint = endpoint
        self.options = options
        var logger = logger
        logger[metadataKey: "endpoint"] = "\(endpoint)"
        self.logger = logger
        switch endpoint {
        case .rtu(let path, let settings):
            do {
                portLock = try SerialPortLock(path: path)
            } catch {
                throw .serial(error)
            }
            context = modbus_new_rtu(path, Int32(settings.baudRate.rawValue), CChar(settings.parity.letter.asciiValue!),
                                     Int32(settings.dataBits.rawValue), Int32(settings.stopBits.rawValue))
        case .tcp(let host, let port):
            try Self.resolve(host: host, port: port)
            context = modbus_new_tcp_pi(host, String(port))
        }
        guard let context else { throw .invalidRequest("libmodbus refused the endpoint \(endpoint): \(Self.lastError())") }
        modbus_set_error_recovery(context, MODBUS_ERROR_RECOVERY_NONE)
        applyTimeouts()
        if modbus_connect(context) != 0 {
            let code = errno
            var message = "cannot connect to \(endpoint): \(Self.lastError(code))"
            if code == EINPROGRESS, case .tcp(let host, let port) = endpoint {
                // libmodbus's connect leaves EINPROGRESS when its select() timed out.
                let ms = options.responseTimeout.components.seconds * 1000 + options.responseTimeout.components.attoseconds / 1_000_000_000_000_000
                message = "timed out connecting to \(host):\(port) after \(ms) ms"
            }
            modbus_free(context)
            self.context = nil
            portLock = nil
            throw .io(message)
        }
        if case .rtu(_, let settings) = endpoint {
            try verifyLine(settings)
            // Whatever the line holds now answers somebody else's request (a late
            // reply to a process that timed out and left): wait for silence, drop it.
            drainUntilQuiet(options.resynchronisationQuiet, context)
        }
    }

    deinit { close() }

    /// Resolves `host` first: libmodbus reports a failed getaddrinfo(3) as ECONNREFUSED,
    /// which would blame a listener for a name that does not exist.
    private static func resolve(host: String, port: UInt16) throws(ModbusError) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &result)
        if let result { freeaddrinfo(result) }
        guard rc == 0 else {
            throw .io("cannot resolve host '\(host)': \(String(cString: gai_strerror(rc)))")
        }
    }

    /// Closes the line. Wraps modbus_close(3) and modbus_free(3).
    public func close() {
        if let context {
            if endpoint.isSerial { SerialLine.clearExclusive(fd: modbus_get_socket(context)) }
            modbus_close(context)
            modbus_free(context)
        }
        context = nil
        portLock = nil
    }

    /// Whether the client still holds its line.
    public var isOpen: Bool { context != nil }

    /// Changes timeouts and policies.
    public func update(_ options: ModbusClientOptions) {
        self.options = options
        applyTimeouts()
    }

    private func applyTimeouts() {
        guard let context else { return }
        let (rs, ru) = Self.split(options.responseTimeout)
        modbus_set_response_timeout(context, rs, ru)
        if let byteTimeout = options.byteTimeout {
            let (bs, bu) = Self.split(byteTimeout)
            modbus_set_byte_timeout(context, bs, bu)
        } else {
            modbus_set_byte_timeout(context, 0, 0)
        }
    }

    /// libmodbus's RTU connect applied the settings; read them back and fail if
    /// the driver holds something else (a rate the adapter cannot generate).
    private func verifyLine(_ settings: SerialSettings) throws(ModbusError) {
        guard let context else { return }
        let fd = modbus_get_socket(context)
        do {
            let actual = try SerialLine.readSettings(fd: fd)
            // A pseudo-terminal keeps the rate but not the character format (no UART behind it).
            let formatHeld = SerialLine.isPseudoTerminal(fd: fd)
                || (actual.parity == settings.parity && actual.dataBits == settings.dataBits && actual.stopBits == settings.stopBits)
            guard actual.baudRate == settings.baudRate, formatHeld else {
                throw ModbusError.serial(.unsupportedSetting("asked for \(settings), the driver holds \(actual)"))
            }
            SerialLine.markExclusive(fd: fd)
        } catch let error as ModbusError {
            throw error
        } catch {
            throw .serial(error as? SerialError ?? .unsupportedSetting("\(error)"))
        }
    }

    // MARK: Reads

    /// FC01. Sent with modbus_send_raw_request(3), answered through modbus_receive_confirmation(3).
    public func readCoils(unit: UInt8, address: UInt16, count: Int) throws(ModbusError) -> [Bool] {
        try readBits(.readCoils, unit: unit, address: address, count: count)
    }

    /// FC02. Sent with modbus_send_raw_request(3), answered through modbus_receive_confirmation(3).
    public func readDiscreteInputs(unit: UInt8, address: UInt16, count: Int) throws(ModbusError) -> [Bool] {
        try readBits(.readDiscreteInputs, unit: unit, address: address, count: count)
    }

    /// FC03. Sent with modbus_send_raw_request(3), answered through modbus_receive_confirmation(3).
    public func readHoldingRegisters(unit: UInt8, address: UInt16, count: Int) throws(ModbusError) -> [UInt16] {
        try readRegisters(.readHoldingRegisters, unit: unit, address: address, count: count)
    }

    /// FC04. Sent with modbus_send_raw_request(3), answered through modbus_receive_confirmation(3).
    public func readInputRegisters(unit: UInt8, address: UInt16, count: Int) throws(ModbusError) -> [UInt16] {
        try readRegisters(.readInputRegisters, unit: unit, address: address, count: count)
    }

    /// Reads `count` entries of any table.
    public func read(_ table: ModbusTable, unit: UInt8, address: UInt16, count: Int) throws(ModbusError) -> [UInt16] {
        switch table {
        case .coil: try readCoils(unit: unit, address: address, count: count).map { $0 ? 1 : 0 }
        case .discrete: try readDiscreteInputs(unit: unit, address: address, count: count).map { $0 ? 1 : 0 }
        case .holding: try readHoldingRegisters(unit: unit, address: address, count: count)
        case .input: try readInputRegisters(unit: unit, address: address, count: count)
        }
    }

    // MARK: Writes

    /// FC05 (unit 0 broadcasts on RTU). Sent with modbus_send_raw_request(3) (RTU broadcast: no reply awaited), the reply checked by ModbusReplyCheck.
    public func writeCoil(unit: UInt8, address: UInt16, value: Bool) throws(ModbusError) {
        let op = ModbusOperation(unit: unit, function: .writeSingleCoil, address: address)
        let pdu: [UInt8] = [0x05] + be(address) + [value ? 0xFF : 0x00, 0x00]
        if try broadcastIfUnitZero(op, pdu: pdu) { return }
        _ = try transact(op, pdu: pdu, isWrite: true)
    }

    /// FC06 (unit 0 broadcasts on RTU). Sent with modbus_send_raw_request(3) (RTU broadcast: no reply awaited), the reply checked by ModbusReplyCheck.
    public func writeRegister(unit: UInt8, address: UInt16, value: UInt16) throws(ModbusError) {
        let op = ModbusOperation(unit: unit, function: .writeSingleRegister, address: address)
        let pdu: [UInt8] = [0x06] + be(address) + be(value)
        if try broadcastIfUnitZero(op, pdu: pdu) { return }
        _ = try transact(op, pdu: pdu, isWrite: true)
    }

    /// FC15 (unit 0 broadcasts on RTU). Sent with modbus_send_raw_request(3) (RTU broadcast: no reply awaited), the reply checked by ModbusReplyCheck.
    public func writeCoils(unit: UInt8, address: UInt16, values: [Bool]) throws(ModbusError) {
        let op = ModbusOperation(unit: unit, function: .writeMultipleCoils, address: address, count: values.count)
        try check(count: values.count, max: 1968, op)
        var packed = [UInt8](repeating: 0, count: (values.count + 7) / 8)
        for (i, on) in values.enumerated() where on { packed[i / 8] |= 1 << (i % 8) }
        let pdu: [UInt8] = [0x0F] + be(address) + be(UInt16(values.count)) + [UInt8(packed.count)] + packed
        if try broadcastIfUnitZero(op, pdu: pdu) { return }
        _ = try transact(op, pdu: pdu, isWrite: true)
    }

    /// FC16 (unit 0 broadcasts on RTU). Sent with modbus_send_raw_request(3) (RTU broadcast: no reply awaited), the reply checked by ModbusReplyCheck.
    public func writeRegisters(unit: UInt8, address: UInt16, values: [UInt16]) throws(ModbusError) {
        let op = ModbusOperation(unit: unit, function: .writeMultipleRegisters, address: address, count: values.count)
        try check(count: values.count, max: 123, op)
        let pdu: [UInt8] = [0x10] + be(address) + be(UInt16(values.count)) + [UInt8(values.count * 2)] + values.flatMap(be)
        if try broadcastIfUnitZero(op, pdu: pdu) { return }
        _ = try transact(op, pdu: pdu, isWrite: true)
    }

    /// FC22: register = (register AND andMask) OR (orMask AND NOT andMask).
    /// Sent with modbus_send_raw_request(3) (RTU broadcast: no reply awaited), the reply checked by ModbusReplyCheck.
    public func maskWriteRegister(unit: UInt8, address: UInt16, andMask: UInt16, orMask: UInt16) throws(ModbusError) {
        let op = ModbusOperation(unit: unit, function: .maskWriteRegister, address: address)
        let pdu: [UInt8] = [0x16] + be(address) + be(andMask) + be(orMask)
        if try broadcastIfUnitZero(op, pdu: pdu) { return }
        _ = try transact(op, pdu: pdu, isWrite: true)
    }

    /// FC23: writes `values` at `writeAddress`, then reads `readCount` registers
    /// at `readAddress`, in one transaction. Sent with modbus_send_raw_request(3) (RTU broadcast: no reply awaited), the reply checked by ModbusReplyCheck.
    public func writeAndReadRegisters(unit: UInt8, writeAddress: UInt16, values: [UInt16],
                                      readAddress: UInt16, readCount: Int) throws(ModbusError) -> [UInt16] {
        let op = ModbusOperation(unit: unit, function: .readWriteMultipleRegisters, address: readAddress, count: readCount)
        try check(count: values.count, max: 121, op)
        try check(count: readCount, max: 125, op)
        try refuseBroadcast(op)
        let pdu: [UInt8] = [0x17] + be(readAddress) + be(UInt16(readCount)) + be(writeAddress)
            + be(UInt16(values.count)) + [UInt8(values.count * 2)] + values.flatMap(be)
        let data = try transact(op, pdu: pdu, isWrite: true)
        return Self.registers(from: data)
    }

    /// FC17: the server id, run indicator and device data, as the device sent them.
    /// Sent with modbus_send_raw_request(3) (RTU broadcast: no reply awaited), the reply checked by ModbusReplyCheck.
    public func reportServerID(unit: UInt8) throws(ModbusError) -> [UInt8] {
        let op = ModbusOperation(unit: unit, function: .reportServerID)
        try refuseBroadcast(op)
        let data = try transact(op, pdu: [0x11], isWrite: false)
        return Array(data.dropFirst())
    }

    // MARK: Transactions

    private func readBits(_ function: ModbusFunction, unit: UInt8, address: UInt16, count: Int) throws(ModbusError) -> [Bool] {
        let op = ModbusOperation(unit: unit, function: function, address: address, count: count)
        try check(count: count, max: 2000, op)
        try refuseBroadcast(op)
        let data = try transact(op, pdu: [function.rawValue] + be(address) + be(UInt16(count)), isWrite: false)
        let packed = data.dropFirst()  // after the byte count, least significant bit first
        return (0..<count).map { i in packed[packed.startIndex + i / 8] & (1 << (i % 8)) != 0 }
    }

    private func readRegisters(_ function: ModbusFunction, unit: UInt8, address: UInt16, count: Int) throws(ModbusError) -> [UInt16] {
        let op = ModbusOperation(unit: unit, function: function, address: address, count: count)
        try check(count: count, max: 125, op)
        try refuseBroadcast(op)
        let data = try transact(op, pdu: [function.rawValue] + be(address) + be(UInt16(count)), isWrite: false)
        return Self.registers(from: data)
    }

    /// The big-endian registers after a reply's byte count (already checked against the request).
    private static func registers(from data: ArraySlice<UInt8>) -> [UInt16] {
        let bytes = data.dropFirst()
        return stride(from: bytes.startIndex, to: bytes.endIndex - 1, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
    }

    /// One request/response with our bounded retry and resynchronisation.
    ///
    /// The request goes out with modbus_send_raw_request(3) and the reply comes
    /// back whole through modbus_receive_confirmation(3) (libmodbus frames it,
    /// applies the timeouts and, on RTU, the CRC), then `ModbusReplyCheck` holds
    /// it against the request before any value is taken from it. On RTU the
    /// driver's input queue is discarded just before each request (tcflush(3)):
    /// on a half-duplex line with one master, nothing that arrived before the
    /// request left can be its answer, so a late reply to an earlier, timed-out
    /// request (ours or another process's) is thrown away instead of read.
    private func transact(_ op: ModbusOperation, pdu: [UInt8], isWrite: Bool) throws(ModbusError) -> ArraySlice<UInt8> {
        guard let context else { throw .io("the connection to \(endpoint) is closed") }
        if currentUnit != Int32(op.unit) {
            // libmodbus's RTU receive filters on this unit: a reply from another reads as empty.
            guard modbus_set_slave(context, Int32(op.unit)) == 0 else {
                throw .invalidRequest("unit \(op.unit) is not valid for \(endpoint)")
            }
            currentUnit = Int32(op.unit)
        }
        let request = [op.unit] + pdu
        let attempts = (isWrite && !options.retry.retriesWrites) ? 1 : options.retry.maxAttempts
        var attempt = 1
        while true {
            do {
                return try exchange(request, op, context)
            } catch {
                logger.debug("\(op) failed: \(error) (attempt \(attempt) of \(attempts))",
                             metadata: ["unit": "\(op.unit)", "function": "\(op.function.name)"])
                if error.desynchronisesLine { resynchronise(after: error) }
                guard error.isTransient, attempt < attempts else { throw error }
                attempt += 1
                logger.debug("retrying \(op) after \(options.retry.delay)", metadata: ["unit": "\(op.unit)"])
                if options.retry.delay > .zero { sleepFor(options.retry.delay) }
            }
        }
    }

    /// One send and one receive, checked. The transaction id libmodbus puts on a
    /// raw TCP request is always 0 (modbus_send_raw_request builds it as a response
    /// header); late TCP replies are kept out by dropping the connection after any failure.
    private func exchange(_ request: [UInt8], _ op: ModbusOperation, _ context: OpaquePointer) throws(ModbusError) -> ArraySlice<UInt8> {
        if endpoint.isSerial { discardPendingInput(context) }
        var reply = [UInt8](repeating: 0, count: Int(MODBUS_MAX_ADU_LENGTH))
        traceFrame(.sent, wireFrame(request), op)
        let (sent, received, code) = traced { () -> (Int32, Int32, Int32) in
            let sent = request.withUnsafeBufferPointer { modbus_send_raw_request(context, $0.baseAddress, Int32($0.count)) }
            guard sent >= 0 else { return (sent, 0, errno) }
            let received = reply.withUnsafeMutableBufferPointer { modbus_receive_confirmation(context, $0.baseAddress) }
            return (sent, received, errno)
        }
        guard sent >= 0 else { throw classify(code, op) }
        if received > 0 { traceFrame(.received, reply.prefix(Int(received)), op) }
        guard received > 0 else {
            if received == 0, endpoint.isSerial {
                // libmodbus's RTU receive drops a frame from another unit and returns 0.
                throw .malformedReply(op, detail: "reply came from unit \(reply[0]), expected \(op.unit)")
            }
            throw received == 0 ? .malformedReply(op, detail: "empty reply") : classify(code, op)
        }
        let framing: ModbusFraming = endpoint.isSerial ? .rtu : .tcp(transactionID: 0)
        return try ModbusReplyCheck.check(adu: Array(reply.prefix(Int(received))),
                                          request: (unit: request[0], pdu: Array(request.dropFirst())),
                                          framing: framing, op: op)
    }

    /// The request as it goes on the wire: RTU with its CRC, TCP behind the MBAP header
    /// libmodbus gives a raw request (transaction 0, protocol 0, the length).
    private func wireFrame(_ request: [UInt8]) -> [UInt8] {
        if endpoint.isSerial { return CRC16.appending(to: request) }
        return [0, 0, 0, 0] + be(UInt16(request.count)) + request
    }

    /// A frame at `.trace`: cheap when tracing is off (the hex is built only when logged).
    private func traceFrame(_ direction: FrameDirection, _ bytes: @autoclosure () -> some Sequence<UInt8>, _ op: ModbusOperation) {
        guard logger.logLevel <= .trace else { return }
        logger.trace("\(direction.rawValue) \(hexString(bytes()))",
                     metadata: ["unit": "\(op.unit)", "function": "\(op.function.name)", "direction": "\(direction.rawValue)"])
    }

    /// Discards whatever the driver holds from the line (tcflush(3) TCIFLUSH).
    private func discardPendingInput(_ context: OpaquePointer) {
        _ = tcflush(modbus_get_socket(context), TCIFLUSH)
    }

    /// Runs one libmodbus call, reporting its frames to the tracer if there is one.
    private func traced(_ call: () -> Int32) -> Int32 {
        let (rc, code) = traced { () -> (Int32, Int32) in (call(), errno) }
        errno = code
        return rc
    }

    /// Runs libmodbus calls that save their own errno, reporting their frames to the tracer if there is one.
    private func traced<Result>(_ call: () -> Result) -> Result {
        guard let tracer = options.frameTracer, let context else { return call() }
        let start = wallClockSeconds()
        modbus_set_debug(context, 1)
        let (result, sent, received) = LibmodbusDebugCapture.capture(call)
        modbus_set_debug(context, 0)
        if !sent.isEmpty { tracer.frame(.sent, bytes: sent, time: start) }
        if !received.isEmpty { tracer.frame(.received, bytes: received, time: wallClockSeconds()) }
        return result
    }

    /// Maps libmodbus's errno after a failed call to our error kinds.
    private func classify(_ code: Int32, _ op: ModbusOperation) -> ModbusError {
        let base = Int32(MODBUS_ENOBASE)
        switch code {
        case ETIMEDOUT:
            return .timeout(op)
        case base + 1...base + 11:
            return .exception(ModbusExceptionCode(rawValue: UInt8(code - base)), op)
        case base + 12:  // EMBBADCRC
            return .crcError(op)
        case base + 13:  // EMBBADDATA
            return .malformedReply(op, detail: "unexpected length or content")
        case base + 14:  // EMBBADEXC
            return .malformedReply(op, detail: "invalid exception reply")
        case base + 15:  // EMBUNKEXC
            return .malformedReply(op, detail: "unknown exception code")
        case base + 16:  // EMBMDATA
            return .malformedReply(op, detail: "too many data")
        case base + 17:  // EMBBADSLAVE
            return .malformedReply(op, detail: "the reply came from another unit")
        case EINVAL:
            return .invalidRequest("libmodbus rejected \(op): \(Self.lastError(code))")
        default:
            return .io("\(op) on \(endpoint): \(Self.lastError(code))")
        }
    }

    /// Brings the line back to a known-empty state after a failed transaction,
    /// so a late or garbled reply cannot be taken as the answer to the next
    /// request: our explicit, bounded replacement for libmodbus's recovery modes.
    ///
    /// - TCP: the connection is dropped and reopened (modbus_close(3),
    ///   modbus_connect(3)); a late reply dies with the old connection.
    /// - RTU: bytes are read and dropped until the line has been quiet for the
    ///   quiet period (a whole response timeout after a timeout, since the reply
    ///   may still be on its way), then the driver's queues are flushed (modbus_flush(3)).
    private func resynchronise(after error: ModbusError) {
        guard let context else { return }
        if case .tcp = endpoint {
            modbus_close(context)
            if modbus_connect(context) != 0 {
                // Leave it closed: the next transaction reports the I/O error.
                modbus_close(context)
            }
            return
        }
        var quiet = options.resynchronisationQuiet
        if case .timeout = error { quiet = max(quiet, options.responseTimeout) }
        logger.debug("resynchronising the line after \(error): waiting for \(quiet) of quiet")
        drainUntilQuiet(quiet, context)
    }

    /// RTU: reads and drops bytes until the line has been silent for `quiet` (at
    /// least 3.5 character times, the Modbus RTU frame gap), bounded by the
    /// resynchronisation limit, then discards the driver's queues (modbus_flush(3)).
    private func drainUntilQuiet(_ requested: Duration, _ context: OpaquePointer) {
        var quiet = requested
        if case .rtu(_, let settings) = endpoint {
            let bitsPerCharacter = 1 + settings.dataBits.rawValue + (settings.parity == .none ? 0 : 1) + settings.stopBits.rawValue
            let characterTime = Duration.nanoseconds(Int64(1_000_000_000 * bitsPerCharacter / max(1, Int(settings.baudRate.rawValue))))
            quiet = max(quiet, characterTime * 7 / 2)
        }
        let fd = modbus_get_socket(context)
        let deadline = ContinuousClock.now.advanced(by: options.resynchronisationLimit + quiet)
        var scratch = [UInt8](repeating: 0, count: 256)
        var dropped = 0
        var fellQuiet = false
        defer {
            if dropped > 0 { logger.debug("dropped \(dropped) stray bytes from the line") }
            if !fellQuiet {
                logger.warning("the line did not fall quiet within \(options.resynchronisationLimit + quiet) (\(dropped) bytes dropped): a babbling device or a second master?")
            }
        }
        while ContinuousClock.now < deadline {
            let remaining = ContinuousClock.now.duration(to: deadline)
            let wait = min(quiet, remaining)
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let rc = poll(&pfd, 1, Int32(clamping: wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000 + 1))
            if rc < 0 && errno == EINTR { continue }
            guard rc > 0, pfd.revents & Int16(POLLIN) != 0 else {
                // Quiet only if it held for the whole quiet period, not just up to the deadline.
                fellQuiet = wait >= quiet
                break
            }
            let n = scratch.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n <= 0 {
                fellQuiet = true  // closed or failed: nothing more will come
                break
            }
            dropped += n
        }
        modbus_flush(context)
    }

    /// RTU unit 0: send without awaiting a reply (libmodbus 3.1.6 would wait for one
    /// and time out). Wraps modbus_send_raw_request(3). Returns false for other units.
    private func broadcastIfUnitZero(_ op: ModbusOperation, pdu: [UInt8]) throws(ModbusError) -> Bool {
        guard op.unit == 0 else { return false }
        guard endpoint.isSerial else {
            throw .invalidRequest("unit 0 (broadcast) exists only on serial lines; \(endpoint) is TCP")
        }
        guard let context else { throw .io("the connection to \(endpoint) is closed") }
        let request = [UInt8(0)] + pdu
        traceFrame(.sent, wireFrame(request), op)
        let rc = traced { request.withUnsafeBufferPointer { modbus_send_raw_request(context, $0.baseAddress, Int32($0.count)) } }
        if rc < 0 { throw classify(errno, op) }
        sleepFor(options.broadcastTurnaround)
        return true
    }

    private func refuseBroadcast(_ op: ModbusOperation) throws(ModbusError) {
        if op.unit == 0 { throw .invalidRequest("\(op.function.name) cannot be broadcast (unit 0): no device would answer") }
        if op.unit > 247 && endpoint.isSerial {
            throw .invalidRequest("unit \(op.unit) is out of range 1-247 on a serial line")
        }
    }

    private func check(count: Int, max: Int, _ op: ModbusOperation) throws(ModbusError) {
        guard (1...max).contains(count) else {
            throw .invalidRequest("\(op.function.name): count \(count) is out of range 1-\(max)")
        }
        if let address = op.address, Int(address) + count > 65536 {
            throw .invalidRequest("\(op.function.name): address \(address) + count \(count) runs past 65535")
        }
    }

    private static func lastError(_ code: Int32 = errno) -> String {
        String(cString: modbus_strerror(code))
    }

    private static func split(_ duration: Duration) -> (UInt32, UInt32) {
        let (seconds, atto) = duration.components
        return (UInt32(clamping: seconds), UInt32(clamping: atto / 1_000_000_000_000))
    }
}

@inline(__always)
func be(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
