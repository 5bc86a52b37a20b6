import Glibc

/// A failed system call: which call (and on what), and the errno it left.
///
/// The one error type of this module, so every caller can name the call and the
/// reason (strerror(3)) without touching C itself.
public struct SystemCallError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The call and its subject, e.g. `open(/var/lib/hepabus/journal)`.
    public var call: String
    /// The errno the call left.
    public var errno: Int32

    /// The failure of `call` (the call and what it acted on, e.g. "open /path") with its errno.
    public init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    /// What strerror(3) says of ``errno``, e.g. `No such file or directory`.
    public var reason: String { String(cString: strerror(errno)) }

    /// `call failed: <strerror text> (errno N)`.
    public var description: String { "\(call) failed: \(errnoDescription(errno))" }

    /// The error for `call`, taking the calling thread's errno now.
    static func lastError(_ call: @autoclosure () -> String) -> SystemCallError {
        let code = Glibc.errno
        return SystemCallError(call: call(), errno: code)
    }
}

/// The text of `code` as strerror(3) gives it, with the number: `No such file or directory (errno 2)`.
public func errnoDescription(_ code: Int32) -> String {
    "\(String(cString: strerror(code))) (errno \(code))"
}

/// The errno values callers decide on, by name (their numbers are the C library's).
public enum Errno {
    /// ENOENT.
    public static let noSuchFileOrDirectory = ENOENT
    /// EEXIST.
    public static let fileExists = EEXIST
    /// ELOOP: what open(2) with `O_NOFOLLOW` reports for a symbolic link.
    public static let tooManySymbolicLinks = ELOOP
    /// EWOULDBLOCK (EAGAIN).
    public static let wouldBlock = EWOULDBLOCK
    /// ENOSPC.
    public static let noSpace = ENOSPC
    /// EDQUOT.
    public static let quotaExceeded = EDQUOT
    /// EINTR.
    public static let interrupted = EINTR
    /// EIO.
    public static let inputOutput = EIO
}

/// Calls `body` until it stops failing with EINTR: the one place interrupted calls are retried.
@inline(__always)
func retryingOnInterrupt<T: FixedWidthInteger>(_ body: () -> T) -> T {
    while true {
        let result = body()
        if result == -1 && Glibc.errno == EINTR { continue }
        return result
    }
}
