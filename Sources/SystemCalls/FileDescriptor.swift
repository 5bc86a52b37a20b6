import Glibc

/// An open file descriptor and the calls a durable file (the event journal) makes on it.
///
/// A value, not an owner: ``close()`` it exactly once. Every call retries EINTR and
/// throws ``SystemCallError`` naming the call and the path.
public struct FileDescriptor: Sendable, Hashable {
    /// The descriptor number.
    public let rawValue: Int32
    /// The path it was opened with, for error messages.
    public let path: String

    /// Wraps an open descriptor; `path` names it in error messages. Closing is the owner's.
    public init(rawValue: Int32, path: String) {
        self.rawValue = rawValue
        self.path = path
    }

    /// How a file is opened: open(2)'s flags, by name.
    public struct Options: OptionSet, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// `O_RDONLY` is the absence of the two below.
        public static let readWrite = Options(rawValue: O_RDWR)
        /// `O_APPEND`: every write goes to the end, atomically.
        public static let append = Options(rawValue: O_APPEND)
        /// `O_CLOEXEC`.
        public static let closeOnExec = Options(rawValue: O_CLOEXEC)
        /// `O_NOFOLLOW`: a symbolic link fails with ELOOP (``Errno/tooManySymbolicLinks``).
        public static let noFollow = Options(rawValue: O_NOFOLLOW)
        /// `O_NOCTTY`: a terminal never becomes our controlling terminal.
        public static let noControllingTerminal = Options(rawValue: O_NOCTTY)
        /// `O_DIRECTORY`.
        public static let directory = Options(rawValue: O_DIRECTORY)
        /// `O_CREAT | O_EXCL`: create the file, failing with EEXIST if it exists.
        public static let createExclusively = Options(rawValue: O_CREAT | O_EXCL)
    }

    /// open(2) of `path` with `options` (read-only unless ``Options/readWrite``); a created
    /// file gets `permissions` (less the umask).
    public static func open(
        _ path: String, _ options: Options, permissions: UInt32 = 0o600
    ) throws(SystemCallError) -> FileDescriptor {
        let fd = retryingOnInterrupt { Glibc.open(path, options.rawValue, mode_t(permissions)) }
        guard fd >= 0 else { throw .lastError("open(\(path))") }
        return FileDescriptor(rawValue: fd, path: path)
    }

    /// What fstat(2) says about the open file.
    public struct Status: Sendable, Equatable {
        /// A regular file (`S_IFREG`).
        public var isRegularFile: Bool
        /// Its length in bytes.
        public var size: Int
    }

    /// fstat(2).
    public func status() throws(SystemCallError) -> Status {
        var st = stat()
        guard fstat(rawValue, &st) == 0 else { throw .lastError("fstat(\(path))") }
        return Status(isRegularFile: st.st_mode & S_IFMT == S_IFREG, size: Int(st.st_size))
    }

    /// flock(2) `LOCK_EX | LOCK_NB`: fails with EWOULDBLOCK (``Errno/wouldBlock``) if
    /// another open file description holds it. Released by close(2).
    public func lockExclusivelyWithoutWaiting() throws(SystemCallError) {
        guard flock(rawValue, LOCK_EX | LOCK_NB) == 0 else { throw .lastError("flock(\(path))") }
    }

    /// fsync(2): data and metadata on the device.
    public func sync() throws(SystemCallError) {
        guard retryingOnInterrupt({ fsync(rawValue) }) == 0 else { throw .lastError("fsync(\(path))") }
    }

    /// fdatasync(2): data (and the size) on the device.
    public func syncData() throws(SystemCallError) {
        guard retryingOnInterrupt({ fdatasync(rawValue) }) == 0 else { throw .lastError("fdatasync(\(path))") }
    }

    /// ftruncate(2) to `length` bytes.
    public func truncate(to length: Int) throws(SystemCallError) {
        guard retryingOnInterrupt({ ftruncate(rawValue, off_t(length)) }) == 0 else {
            throw .lastError("ftruncate(\(path))")
        }
    }

    /// One write(2) of `bytes`: the count written (possibly short; 0 means the file takes no more).
    public func write(_ bytes: UnsafeRawBufferPointer) throws(SystemCallError) -> Int {
        let n = retryingOnInterrupt { Glibc.write(rawValue, bytes.baseAddress, bytes.count) }
        guard n >= 0 else { throw .lastError("write(\(path))") }
        return n
    }

    /// One read(2) into `buffer`: the count read, 0 at end of file (or a hang-up).
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(SystemCallError) -> Int {
        let n = retryingOnInterrupt { Glibc.read(rawValue, buffer.baseAddress, buffer.count) }
        guard n >= 0 else { throw .lastError("read(\(path))") }
        return n
    }

    /// send(2) with `MSG_NOSIGNAL` on a socket: a vanished peer is EPIPE, never SIGPIPE.
    public func send(_ bytes: UnsafeRawBufferPointer) throws(SystemCallError) -> Int {
        let n = retryingOnInterrupt { Glibc.send(rawValue, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
        guard n >= 0 else { throw .lastError("send(\(path))") }
        return n
    }

    /// fcntl(2) `F_DUPFD_CLOEXEC`: a second descriptor on the same open file.
    public func duplicate() throws(SystemCallError) -> FileDescriptor {
        let copy = fcntl(rawValue, F_DUPFD_CLOEXEC, 0)
        guard copy >= 0 else { throw .lastError("fcntl(\(path), F_DUPFD_CLOEXEC)") }
        return FileDescriptor(rawValue: copy, path: path)
    }

    /// close(2). Not retried on EINTR (on Linux the descriptor is gone either way).
    public func close() {
        _ = Glibc.close(rawValue)
    }

    /// Bytes `0..<length` read with pread(2), or all of it up to the end of file fstat(2)
    /// reports when `length` is nil; shorter if the file was truncated meanwhile.
    public func readContents(length: Int? = nil) throws(SystemCallError) -> [UInt8] {
        // The file may grow while we read (a live writer): read what fstat saw, and no further.
        let wanted: Int
        if let length { wanted = length } else { wanted = try status().size }
        var bytes = [UInt8](repeating: 0, count: wanted)
        var done = 0
        while done < wanted {
            let n = bytes.withUnsafeMutableBytes { buffer in
                retryingOnInterrupt { pread(rawValue, buffer.baseAddress! + done, wanted - done, off_t(done)) }
            }
            if n < 0 { throw .lastError("pread(\(path))") }
            if n == 0 { break }  // shorter than fstat said: someone truncated it; take what is there
            done += n
        }
        if done < wanted { bytes.removeSubrange(done...) }
        return bytes
    }
}
