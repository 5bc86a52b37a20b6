import Glibc

/// The few system calls whose failures the journal must survive, behind a thin shim
/// so tests can force an errno (a full disk, a failing fdatasync) without a real one.
///
/// Every closure returns what its C counterpart returns and leaves `errno` set on failure.
struct SystemCalls: Sendable {
    /// write(2).
    var write: @Sendable (_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int
    /// fdatasync(2).
    var fdatasync: @Sendable (_ fd: Int32) -> Int32
    /// ftruncate(2).
    var ftruncate: @Sendable (_ fd: Int32, _ length: Int) -> Int32

    /// The real calls.
    static let live = SystemCalls(
        write: { fd, buffer, count in Glibc.write(fd, buffer, count) },
        fdatasync: { fd in Glibc.fdatasync(fd) },
        ftruncate: { fd, length in Glibc.ftruncate(fd, off_t(length)) }
    )
}

/// Calls `body` until it stops failing with EINTR; the one place the journal retries interrupted calls.
@inline(__always)
func retryingOnInterrupt<T: FixedWidthInteger>(_ body: () -> T) -> T {
    while true {
        let result = body()
        if result == -1 && errno == EINTR { continue }
        return result
    }
}

/// Reads bytes `0..<length` of `fd` with pread(2), or all of it up to end of file when
/// `length` is nil. Throws the errno of the failing call.
func readContents(of fd: Int32, length: Int? = nil) throws(SystemCallFailure) -> [UInt8] {
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw SystemCallFailure(errno: errno) }
    // The file may grow while we read (a live writer): read what fstat saw, and no further.
    let wanted = length ?? Int(st.st_size)
    var bytes = [UInt8](repeating: 0, count: wanted)
    var done = 0
    while done < wanted {
        let n = bytes.withUnsafeMutableBytes { buffer in
            retryingOnInterrupt { pread(fd, buffer.baseAddress! + done, wanted - done, off_t(done)) }
        }
        if n < 0 { throw SystemCallFailure(errno: errno) }
        if n == 0 { break }  // shorter than fstat said: someone truncated it; take what is there
        done += n
    }
    if done < wanted { bytes.removeSubrange(done...) }
    return bytes
}

/// An errno from a failed system call, before it is given a path and a meaning.
struct SystemCallFailure: Error {
    var errno: Int32
}

/// The text of `code` as strerror(3) gives it.
func errnoDescription(_ code: Int32) -> String {
    "\(String(cString: strerror(code))) (errno \(code))"
}
