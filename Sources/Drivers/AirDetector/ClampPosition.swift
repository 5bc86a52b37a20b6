public import FirmwareProtocols

/// Where the return-line clamp is, from its position feedback.
/// Only ``closed`` confirms the clamp's safe state.
public enum ClampPosition: Hashable, Sendable, CaseIterable {
    /// The open end switch reports, and only it.
    case open
    /// The closed end switch reports, and only it.
    case closed
    /// Neither end switch reports: the clamp is moving, or its position is unknown.
    /// Never treat this as closed.
    case moving
    /// The module reports `clampFault` (position disagrees with the command), or both
    /// end switches report at once (impossible for a working clamp).
    case fault

    /// The position the status bits report.
    public init(status: AirDetectorProtocol.Status) {
        let isOpen = status.contains(.clampIsOpen)
        let isClosed = status.contains(.clampIsClosed)
        if status.contains(.clampFault) || (isOpen && isClosed) {
            self = .fault
        } else if isOpen {
            self = .open
        } else if isClosed {
            self = .closed
        } else {
            self = .moving
        }
    }
}
