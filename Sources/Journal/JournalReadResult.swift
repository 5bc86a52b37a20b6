/// A journal file read back without changing it (``EventJournal/read(path:)``).
public struct JournalReadResult: Sendable, Equatable {
    /// Every intact entry, in sequence order (1, 2, 3… without gaps).
    public var entries: [JournalEntry]
    /// Bytes after the last intact record that form no intact record: an append cut short
    /// by a crash, or one in progress in a live writer. Ignored, not an error; the next
    /// ``EventJournal`` opened on the file truncates them.
    public var tornTailBytes: Int

    /// A result from its parts.
    public init(entries: [JournalEntry], tornTailBytes: Int) {
        self.entries = entries
        self.tornTailBytes = tornTailBytes
    }
}
