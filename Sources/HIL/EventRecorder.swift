public import Circuit
import Synchronization

/// Everything the supervisor reported during a run, with when it was heard: what
/// alarm and wire expectations are checked against, and what the plot marks.
public final class EventRecorder: Sendable {
    /// One event and when it was heard.
    public struct Entry: Sendable {
        /// When it was heard.
        public var at: ContinuousClock.Instant
        /// What the supervisor reported.
        public var event: SupervisorEvent
    }

    private let entries = Mutex<[Entry]>([])

    /// An empty recorder.
    public init() {}

    /// Records `event`, heard at `at`.
    public func record(_ event: SupervisorEvent, at: ContinuousClock.Instant = .now) {
        entries.withLock { $0.append(Entry(at: at, event: event)) }
    }

    /// Every entry heard at or after `since`.
    public func entries(since: ContinuousClock.Instant? = nil) -> [Entry] {
        entries.withLock { all in since.map { s in all.filter { $0.at >= s } } ?? all }
    }
}
