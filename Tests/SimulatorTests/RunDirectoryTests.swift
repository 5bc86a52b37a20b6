import Foundation
import Glibc
import Testing
@testable import Simulator

/// The run directory holds the bus links and the control socket: it is created 0700 and an
/// existing one is used only if it is this user's alone.
@Suite struct RunDirectoryTests {
    static func scratch() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/hepabus-rundir-XXXXXX").utf8CString)
        guard mkdtemp(&template) != nil else { throw SimulatorError("mkdtemp failed: errno \(errno)") }
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    @Test("A new run directory (and missing parents) is created mode 0700")
    func createdPrivate() throws {
        let base = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let path = base + "/a/run"
        try RunDirectory.make(path)
        var st = stat()
        #expect(lstat(path, &st) == 0)
        #expect(st.st_mode & S_IFMT == S_IFDIR)
        #expect(st.st_mode & 0o777 == 0o700)
        try RunDirectory.make(path)  // our own, private: used again
    }

    @Test("A symbolic link, a file, or a directory others can write is refused, and left alone")
    func refusals() throws {
        let base = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: base) }
        let elsewhere = base + "/elsewhere"
        #expect(mkdir(elsewhere, 0o700) == 0)
        let link = base + "/run-link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: elsewhere)
        #expect(throws: SimulatorError.self) { try RunDirectory.make(link) }
        let file = base + "/run-file"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        #expect(throws: SimulatorError.self) { try RunDirectory.make(file) }
        #expect(FileManager.default.contents(atPath: file) == Data("x".utf8))
        let shared = base + "/shared"
        #expect(mkdir(shared, 0o700) == 0)
        #expect(chmod(shared, 0o777) == 0)
        let error = #expect(throws: SimulatorError.self) { try RunDirectory.make(shared) }
        #expect(error?.description.contains("writable by others") == true)
    }
}
