/// A journal file read back without changing it (``EventJournal/read(path:)``).
public struct JournalReadResult: Sendable, Equatable {
    /// Every intact entry, in sequence order (1, 2, 3… without gaps).
    public var entries: [JournalEntry]
    /// Bytes after the last intact record that form no intact record: an append cut short
    /// by a crash, or one in progress in a live writer. Ignored, not an error; the next
    /// ``EventJournal`` opened on the file truncates them.
    public var tornTailBytes: Int
    /// The first damaged record, ``JournalError/corruptedRecord(path:offset:line:reason:)``
    /// naming its offset (``entries`` are those before it), or
    /// ``JournalError/notAJournal(path:reason:)``; nil when every record is intact.
    /// Only ``EventJournal/readUpToDamage(path:)`` returns a result with damage.
    public var damage: JournalError?

    /// A result from its parts.
    public init(entries: [JournalEntry], tornTailBytes: Int, damage: JournalError? = nil) {
        self.entries = entries
        self.tornTailBytes = tornTailBytes
        self.damage = damage
    }
}
