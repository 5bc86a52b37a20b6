/// What ``EventJournal/init(path:)`` found when it opened the file: worth journaling by the
/// caller (a repaired torn tail means the previous process died mid-append).
public struct JournalRecovery: Sendable, Equatable {
    /// The file did not exist and was created (and its directory fsynced).
    public var created: Bool
    /// Intact records found in the file.
    public var recordCount: Int
    /// Bytes of a torn last record (a crash mid-write) that were truncated away before
    /// appending; 0 when the file ended cleanly. Such a record was never reported as done.
    /// The cut is also in the journal itself, as a ``JournalEntry/Kind/journalRepair`` entry.
    public var tornTailBytes: Int

    /// A report from its parts.
    public init(created: Bool, recordCount: Int, tornTailBytes: Int) {
        self.created = created
        self.recordCount = recordCount
        self.tornTailBytes = tornTailBytes
    }
}
