public import Foundation
import Synchronization
internal import SystemCalls

/// The event journal: an fsynced append-only log of every state change, alarm,
/// acknowledgement and command, written durably before it is reported as done.
///
/// **The promise.** ``append(kind:source:message:fields:)`` returns only after the record
/// has been written (write(2)) and flushed to the device (fdatasync(2)). If it returned, the
/// entry survives the process being killed at any moment, and a power loss on a disk that
/// honours flushes. If it threw, the entry must be treated as not recorded.
///
/// **The file.** Text, one record a line: `<length>:<crc32>:<json>\n`, where `length` is the
/// byte count of the JSON entry and `crc32` its CRC-32 in eight lowercase hex digits.
///
/// **Crash recovery.** Opening the file reads it back and checks every record's framing and
/// checksum. A last record cut short by a crash (a *torn tail*: the start of a record with no
/// line end, see `RecordFormat.isTornRecord(_:from:requiringHeader:)`) was never reported, so
/// it is truncated away, the cut is journalled (a ``JournalEntry/Kind/journalRepair`` entry
/// naming its offset, size and why) and the sequence continues after the last intact record.
/// A *complete* record that does not check, last or not, is
/// ``JournalError/corruptedRecord(path:offset:line:reason:)``: the writer refuses to open the
/// file, so the record is kept and its sequence number is never reused; readers get every
/// entry before it (``readUpToDamage(path:)``).
///
/// **Whose file.** A writer never follows a symbolic link (`O_NOFOLLOW`), creates the file
/// exclusively (`O_EXCL`) with mode 0600, and refuses an existing file that is not a journal
/// (``JournalError/notAJournal(path:reason:)``) without changing a byte of it.
///
/// **Why a `Mutex`-guarded class and not an actor.** Appending blocks in fdatasync(2): a
/// median of about 0.15 ms (p99 0.3 ms) on the development VM's ext4 virtio disk, whose host
/// caches writes; expect 1–10 ms on a real SSD or eMMC, tens of ms on an SD card, and
/// outliers of 100 ms or more on a busy disk. Its callers are synchronous: the supervisor
/// on its bus thread must journal a transition before reporting it. An actor would make
/// every caller `await` and would run the fdatasync on a thread of the cooperative pool,
/// stalling unrelated tasks; a class lets the caller's own thread (a bus thread, which may
/// block) pay the cost.
/// The lock is held for the write and the flush, so file order is sequence order and
/// appends from many threads queue up one fsync each. Call it from a thread that may block;
/// from async code, call it sparingly or from a dedicated thread. Never put it in front of
/// a safety command: stop first, journal after.
///
/// One writer per file: the file is `flock(2)`ed, so a second ``EventJournal`` on the same
/// path (in any process) fails with ``JournalError/alreadyOpen(path:)``. Readers
/// (``read(path:)``, exports) need no lock.
public final class EventJournal: Sendable {
    /// The largest record accepted: 16 MiB, so a damaged length field cannot make a
    /// reader treat the rest of the file as one record.
    public static let maximumRecordBytes = 16 * 1024 * 1024

    /// The journal file.
    public let path: String
    /// What opening found: whether the file was created, how many records it held, and how
    /// many torn bytes were repaired.
    public let recovery: JournalRecovery

    /// The zero of every entry's ``JournalEntry/monotonicSeconds``.
    private let openedAt: ContinuousClock.Instant
    private let system: JournalFileCalls
    private let state: Mutex<State>

    private struct State {
        /// The open file; nil once closed.
        var fileDescriptor: FileDescriptor?
        var nextSequence: UInt64
        /// The file's length up to the end of the last record that was fsynced: the point a
        /// failed write is rolled back to.
        var committedLength: Int
        /// Set when a failure left the file in a state we cannot vouch for (a failed
        /// fdatasync, a failed rollback): every later append throws ``JournalError/unusable(path:cause:)``.
        var failure: JournalError?
    }

    /// Opens the journal at `path`, creating it (mode 0600, less the umask) if it does not exist.
    ///
    /// Wraps open(2) with `O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY` (and
    /// `O_CREAT | O_EXCL` to create),
    /// flock(2) `LOCK_EX | LOCK_NB`, then reads the file back: every record's framing and
    /// checksum, and the sequence numbers of the first and last, are checked (decoding every
    /// record would make opening a long journal slow; ``entries()`` checks them all). A torn
    /// tail is truncated with ftruncate(2) and fsync(2), and the cut journalled, before anything
    /// else is appended; a damaged complete record, or a file that is not a journal, throws
    /// before anything is written. A newly
    /// created file, and its directory, are fsynced so the file itself survives a power loss.
    public convenience init(path: String) throws(JournalError) {
        try self.init(path: path, system: .live)
    }

    /// Opens the journal at `path` with `system` standing in for the calls tests make fail.
    init(path: String, system: JournalFileCalls) throws(JournalError) {
        self.path = path
        self.system = system
        openedAt = .now
        let (fd, created) = try Self.openOrCreate(path)
        var cutOffset = 0
        do throws(JournalError) {
            let status: FileDescriptor.Status
            do throws(SystemCallError) { status = try fd.status() } catch { throw JournalError.readFailed(path: path, errno: error.errno) }
            guard status.isRegularFile else { throw JournalError.notARegularFile(path: path) }
            do throws(SystemCallError) {
                try fd.lockExclusivelyWithoutWaiting()
            } catch {
                throw error.errno == Errno.wouldBlock ? JournalError.alreadyOpen(path: path) : .cannotOpen(path: path, errno: error.errno)
            }
            if created {
                do throws(SystemCallError) { try fd.sync() } catch { throw JournalError.syncFailed(path: path, errno: error.errno) }
                try Self.syncDirectory(containing: path)
            }
            let bytes: [UInt8]
            do throws(SystemCallError) {
                bytes = try fd.readContents()
            } catch {
                throw JournalError.readFailed(path: path, errno: error.errno)
            }
            let scan = RecordScan(bytes: bytes, path: path)
            if let damage = scan.damage { throw damage }
            if let last = scan.records.indices.last {
                try scan.checkSequence(scan.entry(at: 0, in: bytes, path: path), at: 0, path: path)
                try scan.checkSequence(scan.entry(at: last, in: bytes, path: path), at: last, path: path)
            }
            if scan.tornTailBytes > 0 {
                cutOffset = scan.validLength
                do throws(SystemCallError) { try system.ftruncate(fd, scan.validLength) } catch {
                    throw JournalError.repairFailed(path: path, errno: error.errno)
                }
                do throws(SystemCallError) { try fd.sync() } catch { throw JournalError.syncFailed(path: path, errno: error.errno) }
            }
            recovery = JournalRecovery(created: created, recordCount: scan.records.count, tornTailBytes: scan.tornTailBytes)
            state = Mutex(State(
                fileDescriptor: fd, nextSequence: UInt64(scan.records.count) + 1,
                committedLength: scan.validLength, failure: nil))
        } catch {
            fd.close()
            throw error
        }
        if recovery.tornTailBytes > 0 {
            // The cut is itself on the record: a reader of the journal sees that bytes were removed, where and why.
            do throws(JournalError) {
                try append(kind: .journalRepair, source: "journal",
                           message: "cut \(recovery.tornTailBytes) bytes of a torn last record at byte offset "
                               + "\(cutOffset) (a write cut short by a crash; never reported as recorded)",
                           fields: ["offset": String(cutOffset), "bytes": String(recovery.tornTailBytes),
                                    "reason": "torn tail: the start of a record with no line end"])
            } catch {
                close()
                throw error
            }
        }
    }

    deinit {
        close()
    }

    /// Appends one entry and returns it once it is on disk: this returning is what
    /// "reported as done" means.
    ///
    /// Assigns the next sequence number, the wall-clock time and the monotonic time, writes
    /// one record with write(2) (`O_APPEND`) and flushes it with fdatasync(2), holding the
    /// journal's lock throughout; it blocks the calling thread for the flush.
    ///
    /// On a failed or short write (``JournalError/diskFull(path:)``,
    /// ``JournalError/writeFailed(path:errno:)``) the partial record is truncated away and the
    /// journal stays usable; the sequence number is not consumed. On a failed fdatasync
    /// (``JournalError/syncFailed(path:errno:)``), or if that truncation fails, the journal
    /// refuses further appends: reopen it, which reads back what the disk really holds.
    @discardableResult
    public func append(
        kind: JournalEntry.Kind, source: String, message: String, fields: [String: String] = [:]
    ) throws(JournalError) -> JournalEntry {
        try state.withLock { (state: inout State) throws(JournalError) -> JournalEntry in
            if let failure = state.failure { throw .unusable(path: path, cause: failure) }
            guard let fd = state.fileDescriptor else { throw .closed(path: path) }
            let elapsed = (ContinuousClock.now - openedAt).components
            let micros = elapsed.seconds * 1_000_000 + elapsed.attoseconds / 1_000_000_000_000
            let entry = JournalEntry(
                sequence: state.nextSequence, time: .now(), monotonicSeconds: Double(micros) / 1_000_000,
                kind: kind, source: source, message: message, fields: fields)
            let record = RecordFormat.encode(entry)
            guard record.count <= Self.maximumRecordBytes else {
                throw .entryTooLarge(path: path, bytes: record.count)
            }
            var written = 0
            while written < record.count {
                let result = record.withUnsafeBytes { buffer in
                    Result { () throws(SystemCallError) -> Int in try system.write(fd, UnsafeRawBufferPointer(rebasing: buffer[written...])) }
                }
                if case .success(let n) = result, n > 0 {
                    written += n
                    continue
                }
                // (EINTR is retried by the call itself.)
                // write(2) returning 0 for a regular file means it cannot take more: treat it as full.
                let failure: JournalError
                switch result {
                case .success: failure = .diskFull(path: path)
                case .failure(let error): failure = .writing(path, errno: error.errno)
                }
                // A partial record left in place would be followed by the next append's record
                // and read back as corruption in the middle: take it out again.
                if written > 0 {
                    do throws(SystemCallError) { try system.ftruncate(fd, state.committedLength) } catch {
                        state.failure = .repairFailed(path: path, errno: error.errno)
                        throw .unusable(path: path, cause: failure)
                    }
                }
                throw failure
            }
            do throws(SystemCallError) { try system.fdatasync(fd) } catch {
                // After a failed flush the kernel may have dropped the dirty pages and will not
                // report it again; only reading the file afresh tells what is on disk.
                let failure = JournalError.syncFailed(path: path, errno: error.errno)
                state.failure = failure
                throw failure
            }
            state.nextSequence += 1
            state.committedLength += record.count
            return entry
        }
    }

    /// The sequence number the next appended entry will get.
    public var nextSequence: UInt64 {
        state.withLock { $0.nextSequence }
    }

    /// Every entry appended so far (by this and earlier processes), read back from the file
    /// and fully checked: framing, checksum, JSON and gap-free sequence numbers.
    ///
    /// Reads through a dup(2) of the descriptor, outside the lock, so appends are not held
    /// up while a long journal is read; only records already fsynced are read.
    public func entries() throws(JournalError) -> [JournalEntry] {
        let (fd, length) = try state.withLock { (state: inout State) throws(JournalError) -> (FileDescriptor, Int) in
            guard let open = state.fileDescriptor else { throw .closed(path: path) }
            do throws(SystemCallError) {
                return (try open.duplicate(), state.committedLength)
            } catch {
                throw .readFailed(path: path, errno: error.errno)
            }
        }
        defer { fd.close() }
        let bytes: [UInt8]
        do throws(SystemCallError) {
            bytes = try fd.readContents(length: length)
        } catch {
            throw .readFailed(path: path, errno: error.errno)
        }
        let scan = RecordScan(bytes: bytes, path: path)
        if let damage = scan.damage { throw damage }
        // Everything up to the committed length was written whole and flushed: a damaged end
        // here is damage, not a crash.
        guard scan.tornTailBytes == 0, bytes.count == length else {
            throw .corruptedRecord(path: path, offset: scan.validLength, line: scan.records.count + 1,
                                   reason: "record damaged or missing after it was written and flushed")
        }
        return try scan.entries(in: bytes, path: path)
    }

    /// Closes the file (close(2), which releases the flock). Later appends throw
    /// ``JournalError/closed(path:)``. Closing twice does nothing; deinit closes too.
    public func close() {
        state.withLock { state in
            guard let fd = state.fileDescriptor else { return }
            fd.close()
            state.fileDescriptor = nil
        }
    }

    /// Reads the journal at `path` without changing it or taking its lock: what
    /// `hepabus journal export` uses, also while the controller is writing.
    ///
    /// Every intact record is decoded and checked; a torn tail (a crash mid-append, or an
    /// append in progress) is left out and its size reported, not thrown. A damaged complete
    /// record throws ``JournalError/corruptedRecord(path:offset:line:reason:)``, a file that is
    /// not a journal ``JournalError/notAJournal(path:reason:)``.
    public static func read(path: String) throws(JournalError) -> JournalReadResult {
        let result = try readUpToDamage(path: path)
        if let damage = result.damage { throw damage }
        return result
    }

    /// Like ``read(path:)``, but a damaged record does not throw: the result holds every entry
    /// before it and names it in ``JournalReadResult/damage``. What an export of a damaged
    /// journal prints. Throws only when the file cannot be read at all.
    public static func readUpToDamage(path: String) throws(JournalError) -> JournalReadResult {
        let fd: FileDescriptor
        do throws(SystemCallError) { fd = try .open(path, [.closeOnExec]) } catch { throw .cannotOpen(path: path, errno: error.errno) }
        defer { fd.close() }
        let status: FileDescriptor.Status
        do throws(SystemCallError) { status = try fd.status() } catch { throw .readFailed(path: path, errno: error.errno) }
        guard status.isRegularFile else { throw .notARegularFile(path: path) }
        let bytes: [UInt8]
        do throws(SystemCallError) {
            bytes = try fd.readContents()
        } catch {
            throw .readFailed(path: path, errno: error.errno)
        }
        let scan = RecordScan(bytes: bytes, path: path)
        let (entries, damage) = scan.entriesBeforeDamage(in: bytes, path: path)
        if damage != nil || scan.damage != nil {
            // A damaged record hides what follows it: no torn tail to report.
            return JournalReadResult(entries: entries, tornTailBytes: 0, damage: damage)
        }
        return JournalReadResult(entries: entries, tornTailBytes: scan.tornTailBytes)
    }

    // MARK: Export

    /// Every entry as RFC 4180 CSV with a header row (see ``JournalExport/csv(_:)``).
    public func exportCSV() throws(JournalError) -> String {
        JournalExport.csv(try entries())
    }

    /// Every entry as a JSON array (see ``JournalExport/json(_:)``).
    public func exportJSON() throws(JournalError) -> String {
        JournalExport.json(try entries())
    }

    /// Writes every entry in `format` to `handle`, e.g. `FileHandle.standardOutput`.
    public func export(_ format: JournalExport.Format, to handle: FileHandle) throws(JournalError) {
        try JournalExport.write(try entries(), as: format, to: handle)
    }

    // MARK: Opening

    /// Opens `path`, or creates it exclusively; says which.
    private static func openOrCreate(_ path: String) throws(JournalError) -> (FileDescriptor, created: Bool) {
        // Never through a symbolic link; never making a device our controlling terminal.
        let options: FileDescriptor.Options = [.readWrite, .append, .closeOnExec, .noFollow, .noControllingTerminal]
        while true {
            do throws(SystemCallError) {
                return (try .open(path, options), false)
            } catch {
                guard error.errno == Errno.noSuchFileOrDirectory else { throw openFailure(path, errno: error.errno) }
            }
            do throws(SystemCallError) {
                return (try .open(path, options.union(.createExclusively), permissions: 0o600), true)
            } catch {
                // EEXIST: another process created it between our two opens; open theirs.
                guard error.errno == Errno.fileExists else { throw openFailure(path, errno: error.errno) }
            }
        }
    }

    /// The error for a failed open(2) of `path`: ELOOP under `O_NOFOLLOW` means a symbolic link.
    private static func openFailure(_ path: String, errno code: Int32) -> JournalError {
        code == Errno.tooManySymbolicLinks ? .symbolicLink(path: path) : .cannotOpen(path: path, errno: code)
    }

    /// fsync(2)s the directory holding `path`, so a new file's name survives a power loss.
    private static func syncDirectory(containing path: String) throws(JournalError) {
        let directory: String
        if let slash = path.lastIndex(of: "/") {
            directory = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            directory = "."
        }
        let fd: FileDescriptor
        do throws(SystemCallError) { fd = try .open(directory, [.directory, .closeOnExec]) } catch { throw .syncFailed(path: path, errno: error.errno) }
        defer { fd.close() }
        do throws(SystemCallError) { try fd.sync() } catch { throw .syncFailed(path: path, errno: error.errno) }
    }
}
