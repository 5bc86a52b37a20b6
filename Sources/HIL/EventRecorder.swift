public import Circuit
import Synchronization

/// Everything the supervisor reported during a run, with when it was heard: what
/// alarm and wire expectations are checked against, and what the plot marks.
public final class EventRecorder: Sendable {
    public struct Entry: Sendable {
        public var at: ContinuousClock.Instant
        public var event: SupervisorEvent
    }

    private let entries = Mutex<[Entry]>([])

    public init() {}

    public func record(_ event: SupervisorEvent, at: ContinuousClock.Instant = .now) {
        entries.withLock { $0.append(Entry(at: at, event: event)) }
    }

    /// Every entry heard at or after `since`.
    public func entries(since: ContinuousClock.Instant? = nil) -> [Entry] {
        entries.withLock { all in since.map { s in all.filter { $0.at >= s } } ?? all }
    }
}
