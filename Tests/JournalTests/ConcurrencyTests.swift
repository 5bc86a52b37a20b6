import Testing
@testable import Journal

@Suite("Concurrent appends")
struct ConcurrencyTests {
    @Test("Several tasks appending at once: sequence gap-free, every entry present once, file in sequence order")
    func concurrentAppends() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file()
        let journal = try EventJournal(path: path)
        let writers = 8, perWriter = 25
        let returned = try await withThrowingTaskGroup(of: [JournalEntry].self) { group in
            for writer in 0..<writers {
                group.addTask {
                    try (0..<perWriter).map { index in
                        try journal.append(kind: .deviceEvent, source: "writer\(writer)", message: "event \(index)",
                                           fields: ["writer": String(writer), "index": String(index)])
                    }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let total = writers * perWriter
        #expect(returned.map(\.sequence).sorted() == Array(1...UInt64(total)))
        // Within one writer, later appends got later sequence numbers.
        for writer in 0..<writers {
            let mine = returned.filter { $0.source == "writer\(writer)" }
            #expect(mine.map { $0.fields["index"]! } == (0..<perWriter).map(String.init))
            #expect(mine.map(\.sequence) == mine.map(\.sequence).sorted())
        }
        let onDisk = try EventJournal.read(path: path)
        #expect(onDisk.tornTailBytes == 0)
        #expect(onDisk.entries == returned.sorted { $0.sequence < $1.sequence })
        // Stamped under the lock: the monotonic clock never runs backwards along the sequence.
        let monotonic = onDisk.entries.compactMap(\.monotonicSeconds)
        #expect(monotonic.count == total && monotonic == monotonic.sorted())
        #expect(journal.nextSequence == UInt64(total) + 1)
    }
}
