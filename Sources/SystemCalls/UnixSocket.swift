import Glibc

/// Unix-domain stream sockets (a local control interface): socket(2), bind(2),
/// listen(2), accept(2), connect(2).
public enum UnixSocket {
    /// A socket bound to `path` and listening, with a queue of `backlog`. Whatever was at
    /// `path` before is unlinked first (a stale socket of an earlier run).
    public static func listen(at path: String, backlog: Int32 = 8) throws(SystemCallError) -> FileDescriptor {
        try checkLength(path)
        unlink(path)
        let fd = try stream(path)
        let bound = withAddress(path) { address, length in bind(fd.rawValue, address, length) }
        guard bound == 0 else {
            let error = SystemCallError.lastError("bind(\(path))")
            fd.close()
            throw error
        }
        guard Glibc.listen(fd.rawValue, backlog) == 0 else {
            let error = SystemCallError.lastError("listen(\(path))")
            fd.close()
            throw error
        }
        return fd
    }

    /// A socket connected to the listener at `path`.
    public static func connect(to path: String) throws(SystemCallError) -> FileDescriptor {
        try checkLength(path)
        let fd = try stream(path)
        let connected = withAddress(path) { address, length in
            Glibc.connect(fd.rawValue, address, length)  // not retried: after EINTR the connection goes on
        }
        guard connected == 0 else {
            let error = SystemCallError.lastError("connect(\(path))")
            fd.close()
            throw error
        }
        return fd
    }

    /// accept(2) on a listening socket: the new connection.
    public static func accept(on listener: FileDescriptor) throws(SystemCallError) -> FileDescriptor {
        let fd = retryingOnInterrupt { Glibc.accept(listener.rawValue, nil, nil) }
        guard fd >= 0 else { throw .lastError("accept(\(listener.path))") }
        return FileDescriptor(rawValue: fd, path: listener.path)
    }

    /// The longest path a `sockaddr_un` holds (with its terminating NUL).
    public static var maximumPathBytes: Int {
        MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1
    }

    private static func stream(_ path: String) throws(SystemCallError) -> FileDescriptor {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .lastError("socket(\(path))") }
        return FileDescriptor(rawValue: fd, path: path)
    }

    /// ENAMETOOLONG if `path` does not fit a `sockaddr_un`.
    private static func checkLength(_ path: String) throws(SystemCallError) {
        guard path.utf8.count <= maximumPathBytes else {
            throw SystemCallError(call: "socket address \(path)", errno: ENAMETOOLONG)
        }
    }

    /// Calls `body` with `path` (checked by ``checkLength(_:)``) as a `sockaddr_un`.
    private static func withAddress(
        _ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32
    ) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }
}
