import Foundation
import Glibc
import Synchronization
import Testing
@testable import Journal
import SystemCalls

/// Stands in for write(2), fdatasync(2) and ftruncate(2), failing on command.
final class FaultySystem: Sendable {
    enum Fault: Sendable {
        case none
        /// write(2) takes half the record, then the disk is full.
        case diskFullAfterHalf
        /// fdatasync(2) reports an I/O error.
        case syncFails
    }

    private let state = Mutex<(fault: Fault, halfWritten: Bool, truncateFails: Bool)>((.none, false, false))

    func inject(_ fault: Fault, truncateFails: Bool = false) {
        state.withLock { $0 = (fault, false, truncateFails) }
    }

    var calls: JournalFileCalls {
        JournalFileCalls(
            write: { fd, bytes throws(SystemCallError) in
                enum Action { case passThrough, writeHalf, fail }
                let action: Action = self.state.withLock { state in
                    guard case .diskFullAfterHalf = state.fault else { return .passThrough }
                    if state.halfWritten { return .fail }
                    state.halfWritten = true
                    return .writeHalf
                }
                switch action {
                case .passThrough: return try fd.write(bytes)
                case .writeHalf: return try fd.write(UnsafeRawBufferPointer(rebasing: bytes.prefix(bytes.count / 2)))
                case .fail: throw SystemCallError(call: "write(\(fd.path))", errno: ENOSPC)
                }
            },
            fdatasync: { fd throws(SystemCallError) in
                guard case .syncFails = self.state.withLock({ $0.fault }) else { return try fd.syncData() }
                throw SystemCallError(call: "fdatasync(\(fd.path))", errno: EIO)
            },
            ftruncate: { fd, length throws(SystemCallError) in
                guard self.state.withLock({ $0.truncateFails }) else { return try fd.truncate(to: length) }
                throw SystemCallError(call: "ftruncate(\(fd.path))", errno: EIO)
            })
    }
}

@Suite("Failures on the way to the disk are thrown, never hidden")
struct FailureInjectionTests {
    @Test("A full disk makes append throw; the half-written record is taken out; the next append works")
    func diskFull() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file()
        let system = FaultySystem()
        let journal = try EventJournal(path: path, system: system.calls)
        let first = try journal.append(kind: .command, source: "operator", message: "start blood pump")
        let before = try fileBytes(path)

        system.inject(.diskFullAfterHalf)
        let error = #expect(throws: JournalError.diskFull(path: path)) {
            try journal.append(kind: .command, source: "operator", message: "set plasma flow 30 mL/min")
        }
        #expect(error?.description == "disk full writing journal \(path): the entry was not recorded")
        #expect(try fileBytes(path) == before)

        system.inject(.none)
        let second = try journal.append(kind: .command, source: "operator", message: "set plasma flow 30 mL/min")
        #expect(second.sequence == 2)  // the failed append consumed no sequence number
        #expect(try EventJournal.read(path: path) == JournalReadResult(entries: [first, second], tornTailBytes: 0))
    }

    @Test("If the partial record cannot be taken out, the journal refuses appends until reopened")
    func rollbackFails() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file()
        let system = FaultySystem()
        let journal = try EventJournal(path: path, system: system.calls)
        let first = try journal.append(kind: .alarmRaised, source: "interlock", message: "SR-2 venous pressure high")

        system.inject(.diskFullAfterHalf, truncateFails: true)
        #expect(throws: JournalError.unusable(path: path, cause: .diskFull(path: path))) {
            try journal.append(kind: .acknowledgement, source: "operator", message: "ack SR-2")
        }
        system.inject(.none)
        #expect(throws: JournalError.unusable(path: path, cause: .repairFailed(path: path, errno: EIO))) {
            try journal.append(kind: .acknowledgement, source: "operator", message: "ack SR-2")
        }
        journal.close()

        // Reopening reads what the disk holds: the half record is a torn tail, cut, and the cut journalled.
        let reopened = try EventJournal(path: path)
        #expect(reopened.recovery.tornTailBytes > 0)
        let second = try reopened.append(kind: .acknowledgement, source: "operator", message: "ack SR-2")
        #expect(second.sequence == 3)
        let entries = try reopened.entries()
        #expect(entries.count == 3 && entries.first == first && entries.last == second)
        #expect(entries[1].kind == .journalRepair && entries[1].fields["bytes"] == String(reopened.recovery.tornTailBytes))
    }

    @Test("A failed fdatasync makes append throw, and every later append, until reopened")
    func syncFails() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file()
        let system = FaultySystem()
        let journal = try EventJournal(path: path, system: system.calls)
        try journal.append(kind: .stateChange, source: "supervisor", message: "idle -> selfTest")

        system.inject(.syncFails)
        let error = #expect(throws: JournalError.syncFailed(path: path, errno: EIO)) {
            try journal.append(kind: .stateChange, source: "supervisor", message: "selfTest -> priming")
        }
        #expect(error?.description.contains("refuses further appends") == true)
        system.inject(.none)
        #expect(throws: JournalError.unusable(path: path, cause: .syncFailed(path: path, errno: EIO))) {
            try journal.append(kind: .stateChange, source: "supervisor", message: "selfTest -> priming")
        }
        // Reading still works, and a reopened journal continues after whatever reached the file.
        #expect(try journal.entries().count == 1)  // what this journal vouches for
        let onDisk = try EventJournal.read(path: path).entries  // what the file holds
        journal.close()
        let reopened = try EventJournal(path: path)
        #expect(try reopened.append(kind: .note, source: "supervisor", message: "reopened").sequence == UInt64(onDisk.count) + 1)
    }
}
