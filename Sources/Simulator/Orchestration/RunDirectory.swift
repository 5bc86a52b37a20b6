import Foundation
internal import SystemCalls

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
        do throws(SystemCallError) {
            try FileSystem.makeDirectory(path, permissions: 0o700)
            return
        } catch {
            guard error.errno == Errno.fileExists else {
                throw SimulatorError("cannot create the run directory \(path): \(error.reason)")
            }
        }
        let st: FileSystem.LinkStatus
        do throws(SystemCallError) {
            st = try FileSystem.linkStatus(path)
        } catch {
            throw SimulatorError("cannot inspect the run directory \(path): \(error.reason)")
        }
        if st.isSymbolicLink { throw SimulatorError("the run directory \(path) is a symbolic link; refusing to follow it") }
        guard st.isDirectory else { throw SimulatorError("the run directory \(path) exists and is not a directory") }
        let user = FileSystem.effectiveUserID
        guard st.owner == user else {
            throw SimulatorError("the run directory \(path) belongs to user \(st.owner), not to this user (\(user))")
        }
        guard st.permissions & 0o022 == 0 else {
            throw SimulatorError("the run directory \(path) is writable by others (mode \(String(st.permissions & 0o777, radix: 8))); "
                + "use a directory only this user can write")
        }
    }
}
