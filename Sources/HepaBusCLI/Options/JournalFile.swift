import Journal

/// Opening the file a command's `--journal` names, before anything else happens, so a
/// path that cannot be a journal stops the command without touching the file or a device.
enum JournalFile {
    /// The journal at `path`, opened for appending (created, mode 0600, if it does not exist).
    ///
    /// Exit 2 (nothing was done) for a path that is not a journal, a symbolic link, not a
    /// regular file, damaged, or cannot be opened; exit 1 when another writer holds it, like
    /// a bus held by another process.
    static func open(_ path: String) throws(CommandFailure) -> EventJournal {
        do {
            return try EventJournal(path: path)
        } catch {
            switch error {
            case .alreadyOpen:
                throw CommandFailure.device("\(error)")
            case .corruptedRecord:
                throw CommandFailure.usage("refusing to append to \(path): \(error). "
                    + "The file is kept as it is; move it aside to start a new journal")
            default:
                throw CommandFailure.usage("refusing to use \(path) as the event journal: \(error)")
            }
        }
    }
}
