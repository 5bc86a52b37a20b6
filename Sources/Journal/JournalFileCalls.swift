internal import SystemCalls

/// The few system calls whose failures the journal must survive, behind a thin shim
/// so tests can force an errno (a full disk, a failing fdatasync) without a real one.
///
/// Each closure does what its SystemCalls counterpart does (EINTR retried there) and
/// throws the ``SystemCallError`` with the errno the call left.
struct JournalFileCalls: Sendable {
    /// write(2): the count written, possibly short.
    var write: @Sendable (_ fd: FileDescriptor, _ bytes: UnsafeRawBufferPointer) throws(SystemCallError) -> Int
    /// fdatasync(2).
    var fdatasync: @Sendable (_ fd: FileDescriptor) throws(SystemCallError) -> Void
    /// ftruncate(2).
    var ftruncate: @Sendable (_ fd: FileDescriptor, _ length: Int) throws(SystemCallError) -> Void

    /// The real calls.
    static let live = JournalFileCalls(
        write: { fd, bytes throws(SystemCallError) in try fd.write(bytes) },
        fdatasync: { fd throws(SystemCallError) in try fd.syncData() },
        ftruncate: { fd, length throws(SystemCallError) in try fd.truncate(to: length) }
    )
}
