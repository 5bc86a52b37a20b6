import Glibc

/// Path operations the circuit and the simulator need beyond FileManager's: the exact
/// POSIX semantics (no recursion, no following links) and errors naming the call.
public enum FileSystem {
    /// realpath(3): the canonical path `path` leads to (symbolic links resolved), nil if it leads nowhere.
    public static func resolvedPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether `path` is a character device, following links (stat(2), `S_IFCHR`).
    public static func isCharacterDevice(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFCHR
    }

    /// unlink(2) of `path`, a file or a link (never a directory); whether it was removed.
    @discardableResult
    public static func removeLink(_ path: String) -> Bool {
        unlink(path) == 0
    }

    /// symlink(2): a link at `path` pointing at `target`.
    public static func createSymbolicLink(at path: String, to target: String) throws(SystemCallError) {
        guard symlink(target, path) == 0 else { throw .lastError("symlink(\(path) -> \(target))") }
    }

    /// rename(2): atomically replaces `destination` with `source`.
    public static func rename(_ source: String, to destination: String) throws(SystemCallError) {
        guard Glibc.rename(source, destination) == 0 else { throw .lastError("rename(\(source), \(destination))") }
    }

    /// mkdir(2) with `permissions` (less the umask).
    public static func makeDirectory(_ path: String, permissions: UInt32) throws(SystemCallError) {
        guard mkdir(path, mode_t(permissions)) == 0 else { throw .lastError("mkdir(\(path))") }
    }

    /// What lstat(2) says about a path itself (a link is not followed).
    public struct LinkStatus: Sendable, Equatable {
        /// The path is a directory.
        public var isDirectory: Bool
        /// The path is a symbolic link (not followed).
        public var isSymbolicLink: Bool
        /// The owner's user ID.
        public var owner: UInt32
        /// The permission bits (`st_mode & 0o7777`).
        public var permissions: UInt32
    }

    /// lstat(2).
    public static func linkStatus(_ path: String) throws(SystemCallError) -> LinkStatus {
        var st = stat()
        guard lstat(path, &st) == 0 else { throw .lastError("lstat(\(path))") }
        return LinkStatus(isDirectory: st.st_mode & S_IFMT == S_IFDIR, isSymbolicLink: st.st_mode & S_IFMT == S_IFLNK,
                          owner: st.st_uid, permissions: UInt32(st.st_mode & 0o7777))
    }

    /// geteuid(2): the user this process acts as.
    public static var effectiveUserID: UInt32 { geteuid() }
}
