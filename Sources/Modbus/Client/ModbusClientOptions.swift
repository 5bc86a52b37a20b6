/// A bounded, explicit retry policy. libmodbus's own link recovery
/// (MODBUS_ERROR_RECOVERY_LINK) retries forever and is never enabled.
public struct RetryPolicy: Hashable, Sendable {
    /// Total attempts, the first included (1 = no retry).
    public var maxAttempts: Int
    /// Pause between attempts.
    public var delay: Duration
    /// Whether writes are retried too. Off by default: a write whose reply was
    /// lost may have been applied, and only the caller knows if repeating it is safe.
    public var retriesWrites: Bool

    /// A policy of `maxAttempts` attempts in all (1...10; a precondition), `delay` apart,
    /// retrying writes only if `retriesWrites`.
    public init(maxAttempts: Int = 1, delay: Duration = .zero, retriesWrites: Bool = false) {
        precondition((1...10).contains(maxAttempts), "maxAttempts must be 1...10")
        self.maxAttempts = maxAttempts
        self.delay = delay
        self.retriesWrites = retriesWrites
    }

    /// One attempt, no retry: the default.
    public static let none = RetryPolicy()
}

/// Timeouts and policies of a Modbus client.
public struct ModbusClientOptions: Sendable {
    /// How long to wait for the first byte of a reply.
    public var responseTimeout: Duration
    /// Longest silence allowed between two bytes of one reply (nil: only the response timeout counts).
    public var byteTimeout: Duration?
    /// How failed transactions are retried (none by default).
    public var retry: RetryPolicy
    /// After a garbled reply, bytes are read and dropped until the line has been
    /// quiet this long, so one bad frame cannot poison the next transaction.
    /// After a timeout the quiet period is at least the response timeout.
    public var resynchronisationQuiet: Duration
    /// Upper bound on a resynchronisation beyond its quiet period, so a babbling device cannot hang us.
    public var resynchronisationLimit: Duration
    /// Pause after an RTU broadcast (unit 0), which no device answers, so devices can act on it.
    public var broadcastTurnaround: Duration
    /// Receives every frame sent and received when set (costly: diagnostics only).
    public var frameTracer: (any FrameTracer)?

    /// Options, by default: 500 ms response timeout, 50 ms byte timeout, no retry, 20 ms
    /// resynchronisation quiet (at most 1 s), 100 ms broadcast turnaround, no tracing.
    public init(responseTimeout: Duration = .milliseconds(500), byteTimeout: Duration? = .milliseconds(50),
                retry: RetryPolicy = .none, resynchronisationQuiet: Duration = .milliseconds(20),
                resynchronisationLimit: Duration = .seconds(1), broadcastTurnaround: Duration = .milliseconds(100),
                frameTracer: (any FrameTracer)? = nil) {
        self.responseTimeout = responseTimeout
        self.byteTimeout = byteTimeout
        self.retry = retry
        self.resynchronisationQuiet = resynchronisationQuiet
        self.resynchronisationLimit = resynchronisationLimit
        self.broadcastTurnaround = broadcastTurnaround
        self.frameTracer = frameTracer
    }
}
