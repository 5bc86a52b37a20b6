import Foundation
import Glibc
@testable import Journal

/// A fresh directory under the system's temporary directory, removed when released.
final class TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/hepabus-journal-XXXXXX").utf8CString)
        guard mkdtemp(&template) != nil else { throw TestFailure("mkdtemp failed: errno \(errno)") }
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// A path inside the directory.
    func file(_ name: String = "journal.log") -> String {
        path + "/" + name
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A failure in the test's own machinery (not in the code under test).
struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The bytes of the file at `path`.
func fileBytes(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else { throw TestFailure("cannot read \(path)") }
    return Array(data)
}

/// Replaces the file at `path` with `bytes`, as a crash or a damaged disk might leave it.
func setFileBytes(_ path: String, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// A journal at `path` holding `count` entries appended the ordinary way, then closed.
@discardableResult
func makeJournal(at path: String, count: Int) throws -> [JournalEntry] {
    let journal = try EventJournal(path: path)
    defer { journal.close() }
    return try (1...count).map { index in
        try journal.append(kind: .stateChange, source: "supervisor", message: "step \(index)",
                           fields: ["from": "state\(index - 1)", "to": "state\(index)"])
    }
}

/// The byte offset where each line of `bytes` starts.
func lineStarts(_ bytes: [UInt8]) -> [Int] {
    var starts = [0]
    for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") && index + 1 < bytes.count {
        starts.append(index + 1)
    }
    return starts
}

/// A hand-made entry for format and export tests.
func sampleEntry(
    sequence: UInt64 = 1, message: String = "blood pump started", fields: [String: String] = ["sr": "SR-2"]
) -> JournalEntry {
    JournalEntry(
        sequence: sequence, time: JournalTime(microsecondsSince1970: 1_700_000_000_123_456),
        monotonicSeconds: 12.5, kind: .command, source: "operator", message: message, fields: fields)
}
