import Foundation
public import HardwareInterfaces
public import Logging
public import Serial

/// One RS-232 line to a line-protocol (ASCII) device, owned exclusively by this actor
/// and run on its own bus thread: the real ``/HardwareInterfaces/LineDevice``.
///
/// Each ``exchange(_:terminator:maxReplyLength:timeout:)`` is one synchronous call on
/// the bus thread: wait out the minimum gap since the previous exchange, discard stale
/// input, write the request, read the reply through its terminator. Nothing interleaves
/// inside an exchange; cancellation is checked before it starts, never during it (a
/// cancelled caller's request is either not sent, or completed and its reply dropped).
/// The timeout is the deadline of the I/O itself (poll(2)), never a task racing it.
///
/// Recovery is explicit and bounded: after the line vanishes the port is closed, and the
/// next exchange (or ``reconnect()``) makes one attempt to open the path again, so a
/// re-plugged adapter behind a stable path (/dev/serial/by-id/…) comes back without a
/// retry loop. Whoever uses the device re-identifies it after that.
public actor SerialLineBus: LineDevice {
    /// The port's path, as opened (a stable symlink is followed at each open).
    public nonisolated let path: String
    /// The line settings applied at each open.
    public nonisolated let settings: SerialSettings
    /// Least time between the end of one exchange and the start of the next (the
    /// device's minimum command gap).
    public nonisolated let minimumGap: Duration
    /// The bus thread every exchange runs on.
    public nonisolated let executor: BusThreadExecutor
    /// Runs the actor on ``executor``.
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    /// Names the line in messages.
    public nonisolated var deviceDescription: String { "line \(path)" }

    /// The host's logger for this line: each request and reply at `.trace`, failures at `.debug`.
    public nonisolated let logger: Logger
    private var port: SerialPort?
    /// When the previous exchange ended (reply, timeout or failure), for the gap.
    private var lastExchangeEnd: ContinuousClock.Instant?
    /// Exchanges by outcome since the bus was created.
    public private(set) var statistics = SerialLineStatistics()

    /// Opens `path` exclusively with `settings` on a new bus thread.
    ///
    /// - Throws: ``SerialLineError/disconnected(path:reason:)`` when the port cannot be opened.
    ///
    /// `logger` receives the line's diagnostics (the path is added to its metadata); by
    /// default nothing is logged.
    public init(path: String, settings: SerialSettings, minimumGap: Duration = .zero,
                logger: Logger = Logger(label: "hepabus.bus", factory: { _ in SwiftLogNoOpLogHandler() })) async throws(SerialLineError) {
        var logger = logger
        logger[metadataKey: "endpoint"] = "\(path)"
        self.logger = logger
        self.path = path
        self.settings = settings
        self.minimumGap = minimumGap
        self.executor = BusThreadExecutor(name: "line \(path)")
        try reconnect()
    }

    deinit {
        // The port closes in its own deinit, after this.
        executor.shutdown()
    }

    /// Whether the port is open now (false after a disconnection until the next exchange reopens it).
    public var isOpen: Bool { port != nil }

    /// Closes the port if open and opens the path again: one attempt.
    ///
    /// - Throws: ``SerialLineError/disconnected(path:reason:)`` when the port cannot be opened.
    public func reconnect() throws(SerialLineError) {
        port?.close()
        port = nil
        do {
            port = try SerialPort(path: path, settings: settings)
        } catch {
            throw .disconnected(path: path, reason: error.description)
        }
    }

    /// Releases the port (its lock goes with it). The next exchange opens it again.
    public func close() {
        port?.close()
        port = nil
    }

    /// Sends `request` and returns the reply through `terminator`, or throws: never a
    /// partial line.
    ///
    /// Wraps tcflush(3) (`TCIFLUSH`), write(2) and poll(2)/read(2) through ``/Serial/SerialPort``.
    /// The deadline, `timeout` from the start of the write, covers the request and the
    /// whole reply; the minimum gap is waited before it starts.
    ///
    /// - Throws: ``SerialLineError``: `.timeout` (no whole reply in time), `.overlongReply`
    ///   (no terminator within `maxReplyLength` bytes: kind corruptFrame), `.disconnected`
    ///   (the line vanished; the port is closed and reopened by the next exchange),
    ///   `.cancelled` (before anything was sent), `.invalidRequest`.
    public func exchange(_ request: [UInt8], terminator: UInt8, maxReplyLength: Int, timeout: Duration) throws(SerialLineError) -> [UInt8] {
        // Checked before, never during, an exchange.
        if Task.isCancelled { throw .cancelled(path: path) }
        guard !request.isEmpty, maxReplyLength > 0, timeout > .zero else {
            throw .invalidRequest(path: path, reason: "empty request, or a reply length or timeout that is not positive")
        }
        if port == nil {
            statistics.reopenAttempts += 1
            do {
                try reconnect()
            } catch {
                statistics.record(error)
                throw error
            }
        }
        guard let port else { throw .disconnected(path: path, reason: "the port is closed") }
        waitForGap()
        defer { lastExchangeEnd = .now }
        if logger.logLevel <= .trace { logger.trace("TX \(Self.printable(request))", metadata: ["direction": "TX"]) }
        do {
            let reply = try transfer(port, request, terminator: terminator, maxReplyLength: maxReplyLength, timeout: timeout)
            statistics.completed += 1
            if logger.logLevel <= .trace { logger.trace("RX \(Self.printable(reply))", metadata: ["direction": "RX"]) }
            return reply
        } catch {
            logger.debug("exchange failed: \(error)")
            if error.kind == .disconnected {
                port.close()
                self.port = nil
            }
            statistics.record(error)
            throw error
        }
    }

    /// The I/O of one exchange, each SerialError mapped to its line error.
    private func transfer(_ port: SerialPort, _ request: [UInt8], terminator: UInt8, maxReplyLength: Int,
                          timeout: Duration) throws(SerialLineError) -> [UInt8] {
        let deadline: ContinuousClock.Instant
        do {
            // Whatever arrived since the last exchange (a late reply, noise) is stale.
            try port.flush(.input)
            deadline = ContinuousClock.now.advanced(by: timeout)
            try port.writeAll(request, deadline: deadline)
        } catch {
            throw SerialLineError(error, path: path)
        }
        do {
            return try port.read(through: terminator, maxLength: maxReplyLength, deadline: deadline)
        } catch .unsupportedSetting {
            // read(through:) reports a line without terminator within maxLength this way.
            throw .overlongReply(path: path, limit: maxReplyLength)
        } catch {
            throw SerialLineError(error, path: path)
        }
    }

    /// A line-protocol frame for the log: printable ASCII as is, anything else as <XX>.
    static func printable(_ bytes: [UInt8]) -> String {
        bytes.map { (0x20..<0x7F).contains($0) ? String(UnicodeScalar($0)) : "<" + String($0, radix: 16, uppercase: true) + ">" }.joined()
    }

    /// Blocks the bus thread (only it) until the minimum gap since the last exchange has passed.
    private func waitForGap() {
        guard let last = lastExchangeEnd else { return }
        let due = last.advanced(by: minimumGap)
        while true {
            let remaining = ContinuousClock.now.duration(to: due)
            guard remaining > .zero else { return }
            let (seconds, attoseconds) = remaining.components
            Thread.sleep(forTimeInterval: Double(seconds) + Double(attoseconds) * 1e-18)
        }
    }
}

/// Why an exchange on a ``SerialLineBus`` failed, with the ``/HardwareInterfaces/HardwareErrorKind`` generic
/// code decides on.
public enum SerialLineError: HardwareError, Equatable, Sendable, CustomStringConvertible {
    /// No whole reply before the deadline (`received` bytes of a partial line were dropped).
    case timeout(path: String, received: Int)
    /// No terminator within the longest reply allowed: noise or a device gone mad.
    case overlongReply(path: String, limit: Int)
    /// The line vanished or could not be opened (unplugged, port error, port busy).
    case disconnected(path: String, reason: String)
    /// The caller was cancelled before the exchange; nothing was sent.
    case cancelled(path: String)
    /// The exchange itself was malformed; nothing was sent.
    case invalidRequest(path: String, reason: String)

    /// Maps a serial-layer error met during an exchange.
    init(_ error: SerialError, path: String) {
        switch error {
        case .timeout(_, let received, _): self = .timeout(path: path, received: received)
        default: self = .disconnected(path: path, reason: error.description)
        }
    }

    /// The shared kind: timeout, corruptFrame (overlong), disconnected, invalidRequest (cancelled, malformed).
    public var kind: HardwareErrorKind {
        switch self {
        case .timeout: .timeout
        case .overlongReply: .corruptFrame
        case .disconnected: .disconnected
        case .cancelled, .invalidRequest: .invalidRequest
        }
    }

    /// What happened, on which line.
    public var description: String {
        switch self {
        case .timeout(let path, let received): "\(path): no complete reply before the deadline (\(received) byte(s) of a partial line dropped)"
        case .overlongReply(let path, let limit): "\(path): reply longer than \(limit) bytes without a terminator"
        case .disconnected(let path, let reason): "\(path): disconnected: \(reason)"
        case .cancelled(let path): "\(path): cancelled before the exchange; nothing was sent"
        case .invalidRequest(let path, let reason): "\(path): invalid exchange: \(reason)"
        }
    }
}

/// Counts of a line's exchanges by outcome, for diagnostics.
public struct SerialLineStatistics: Sendable, Equatable {
    /// Exchanges that returned a reply.
    public var completed = 0
    /// Exchanges without a whole reply in time.
    public var timeouts = 0
    /// Replies without a terminator within the limit.
    public var overlongReplies = 0
    /// Exchanges that found the line gone.
    public var disconnections = 0
    /// Times an exchange found the port closed and tried to open it again.
    public var reopenAttempts = 0

    /// A statistics record with every count at zero.
    public init() {}

    mutating func record(_ error: SerialLineError) {
        switch error {
        case .timeout: timeouts += 1
        case .overlongReply: overlongReplies += 1
        case .disconnected: disconnections += 1
        case .cancelled, .invalidRequest: break
        }
    }
}
