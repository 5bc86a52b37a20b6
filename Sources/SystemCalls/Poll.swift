import Glibc

/// poll(2): waiting for any of several descriptors, with a timeout.
public enum Poll {
    /// What a descriptor is waited for, or was found to be (poll(2)'s `events`/`revents`).
    public struct Events: OptionSet, Sendable, Hashable {
        public let rawValue: Int16
        public init(rawValue: Int16) { self.rawValue = rawValue }

        /// `POLLIN`.
        public static let readable = Events(rawValue: Int16(POLLIN))
        /// `POLLOUT`.
        public static let writable = Events(rawValue: Int16(POLLOUT))
        /// `POLLERR` (reported only).
        public static let error = Events(rawValue: Int16(POLLERR))
        /// `POLLHUP` (reported only).
        public static let hangUp = Events(rawValue: Int16(POLLHUP))
        /// `POLLNVAL`: the descriptor is not open (reported only).
        public static let invalid = Events(rawValue: Int16(POLLNVAL))
    }

    /// One poll(2) on `descriptors`, each with what to wait for; `timeoutMilliseconds` -1
    /// waits without end. Returns what each one reported (all empty on a timeout). Not
    /// retried on EINTR: the caller decides (``Errno/interrupted``).
    public static func wait(
        _ descriptors: [(descriptor: Int32, events: Events)], timeoutMilliseconds: Int32
    ) throws(SystemCallError) -> [Events] {
        var entries = descriptors.map { pollfd(fd: $0.descriptor, events: $0.events.rawValue, revents: 0) }
        guard poll(&entries, nfds_t(entries.count), timeoutMilliseconds) >= 0 else { throw .lastError("poll") }
        return entries.map { Events(rawValue: $0.revents) }
    }
}

/// A self-pipe that wakes a thread blocked in poll(2): ``wake()`` from any thread, poll
/// ``readDescriptor`` for ``Poll/Events/readable``. Both ends close-on-exec and non-blocking.
public final class WakePipe: @unchecked Sendable {
    /// The end to poll.
    public let readDescriptor: Int32
    private let writeDescriptor: Int32

    /// pipe(2), then fcntl(2) `FD_CLOEXEC` and `O_NONBLOCK` on both ends (pipe2 does not import into Swift).
    public init() throws(SystemCallError) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw .lastError("pipe") }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
        }
        readDescriptor = ends[0]
        writeDescriptor = ends[1]
    }

    deinit {
        _ = close(readDescriptor)
        _ = close(writeDescriptor)
    }

    /// Writes one byte (a full pipe already wakes its reader, so a failure is harmless).
    public func wake() {
        var byte: UInt8 = 1
        _ = write(writeDescriptor, &byte, 1)
    }
}
