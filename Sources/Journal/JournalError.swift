internal import SystemCalls

/// Everything that can go wrong with the journal, naming the file and what happened,
/// so the supervisor can raise a technical alarm and a technician can act on it.
public indirect enum JournalError: Error, Equatable, Sendable, CustomStringConvertible {
    /// open(2) failed: no such directory, permission denied, read-only file system…
    case cannotOpen(path: String, errno: Int32)
    /// Another ``EventJournal`` (in this process or another) has the file open for appending;
    /// two writers would interleave sequence numbers.
    case alreadyOpen(path: String)
    /// The path names something other than a regular file (a directory, a device).
    case notARegularFile(path: String)
    /// The path is a symbolic link: a writer never follows one (it could point anywhere,
    /// e.g. at a file someone wants overwritten).
    case symbolicLink(path: String)
    /// The file is not empty but holds no intact record at its start: not a journal (or one
    /// whose first record is damaged). Left as it is.
    case notAJournal(path: String, reason: String)
    /// Reading the file back failed.
    case readFailed(path: String, errno: Int32)
    /// The disk or quota is full (ENOSPC, EDQUOT): the entry was not recorded.
    case diskFull(path: String)
    /// write(2) failed for another reason: the entry was not recorded.
    case writeFailed(path: String, errno: Int32)
    /// fsync(2)/fdatasync(2) failed: the entry (or the file's creation) may not be on disk, and
    /// after such a failure the kernel may have dropped the data without telling us again,
    /// so the journal refuses further appends until it is reopened.
    case syncFailed(path: String, errno: Int32)
    /// Truncating a torn tail (ftruncate(2)) failed, so the journal cannot safely append.
    case repairFailed(path: String, errno: Int32)
    /// A complete record is damaged (bad checksum, bad framing, bad JSON, or a sequence number
    /// out of order), wherever it is, the last one included. `offset` is its first byte, `line`
    /// its line number (1-based). Never skipped, never cut and never appended after: an entry
    /// that was reported as recorded is gone or altered, and the file is kept as evidence.
    case corruptedRecord(path: String, offset: Int, line: Int, reason: String)
    /// An entry too large for one record (``EventJournal/maximumRecordBytes``).
    case entryTooLarge(path: String, bytes: Int)
    /// An earlier failure left the file in a state this journal cannot vouch for; reopen it
    /// (which reads the file back and repairs a torn tail) to append again.
    case unusable(path: String, cause: JournalError)
    /// ``EventJournal/close()`` was called.
    case closed(path: String)
    /// Writing an export to its destination failed.
    case exportFailed(reason: String)

    /// A sentence naming the file and the failure.
    public var description: String {
        switch self {
        case .cannotOpen(let path, let code):
            return "cannot open journal \(path): \(errnoDescription(code))"
        case .alreadyOpen(let path):
            return "journal \(path) is already open for appending by another writer"
        case .notARegularFile(let path):
            return "journal \(path) is not a regular file"
        case .symbolicLink(let path):
            return "journal \(path) is a symbolic link; refusing to follow it"
        case .notAJournal(let path, let reason):
            return "\(path) is not an event journal (\(reason)); it was left as it is"
        case .readFailed(let path, let code):
            return "cannot read journal \(path): \(errnoDescription(code))"
        case .diskFull(let path):
            return "disk full writing journal \(path): the entry was not recorded"
        case .writeFailed(let path, let code):
            return "write to journal \(path) failed: \(errnoDescription(code)); the entry was not recorded"
        case .syncFailed(let path, let code):
            return "fsync of journal \(path) failed: \(errnoDescription(code)); "
                + "the entry may not be on disk and the journal refuses further appends until reopened"
        case .repairFailed(let path, let code):
            return "cannot truncate journal \(path) to its last good record: \(errnoDescription(code))"
        case .corruptedRecord(let path, let offset, let line, let reason):
            return "corrupted record in journal \(path) at byte offset \(offset) (line \(line)): \(reason)"
        case .entryTooLarge(let path, let bytes):
            return "entry of \(bytes) bytes is too large for journal \(path) "
                + "(at most \(EventJournal.maximumRecordBytes) bytes a record)"
        case .unusable(let path, let cause):
            return "journal \(path) is unusable after an earlier failure (\(cause)); reopen it to append"
        case .closed(let path):
            return "journal \(path) is closed"
        case .exportFailed(let reason):
            return "journal export failed: \(reason)"
        }
    }

    /// The error for a failed write(2) of `path`.
    static func writing(_ path: String, errno code: Int32) -> JournalError {
        switch code {
        case Errno.noSpace, Errno.quotaExceeded: return .diskFull(path: path)
        default: return .writeFailed(path: path, errno: code)
        }
    }
}
