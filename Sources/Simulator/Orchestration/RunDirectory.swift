import Foundation
import Glibc

/// The simulator's run directory: where its bus links, control socket and manifest go.
/// Anyone who can write there can swap a bus link for their own device, or answer on the
/// control socket, so it is ours alone.
enum RunDirectory {
    /// Creates `path` with mkdir(2), mode 0700 (exclusive: never through a symbolic link),
    /// making missing parent directories first. An existing directory is used only if it is
    /// a real directory (not a symbolic link), owned by this user, and writable by no one else.
    static func make(_ path: String) throws {
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, !FileManager.default.fileExists(atPath: parent) {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        }
        if mkdir(path, 0o700) == 0 { return }
        let code = errno
        guard code == EEXIST else {
            throw SimulatorError("cannot create the run directory \(path): \(String(cString: strerror(code)))")
        }
        var st = stat()
        guard lstat(path, &st) == 0 else {
            throw SimulatorError("cannot inspect the run directory \(path): \(String(cString: strerror(errno)))")
        }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: break
        case S_IFLNK: throw SimulatorError("the run directory \(path) is a symbolic link; refusing to follow it")
        default: throw SimulatorError("the run directory \(path) exists and is not a directory")
        }
        guard st.st_uid == geteuid() else {
            throw SimulatorError("the run directory \(path) belongs to user \(st.st_uid), not to this user (\(geteuid()))")
        }
        guard st.st_mode & 0o022 == 0 else {
            throw SimulatorError("the run directory \(path) is writable by others (mode \(String(st.st_mode & 0o777, radix: 8))); "
                + "use a directory only this user can write")
        }
    }
}
