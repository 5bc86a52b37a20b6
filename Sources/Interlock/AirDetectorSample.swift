/// Where the return-line clamp is, from its position feedback. Only ``closed`` confirms
/// the clamp's part of S1.
public enum ReturnClampPosition: Hashable, Sendable, CaseIterable {
    /// The open end switch reports, and only it.
    case open
    /// The closed end switch reports, and only it.
    case closed
    /// Neither end switch: moving or unknown.
    case moving
    /// The module reports a clamp fault, or both end switches at once.
    case fault
}

/// One sample of the air detector module, which also drives the return-line clamp (SR-1).
public struct AirDetectorSample: Hashable, Sendable {
    /// The detector reports air in the return line (or its latched air alarm).
    public var airDetected: Bool
    /// The clamp's position feedback.
    public var clampPosition: ReturnClampPosition

    /// A sample from its parts.
    public init(airDetected: Bool, clampPosition: ReturnClampPosition) {
        self.airDetected = airDetected
        self.clampPosition = clampPosition
    }
}
