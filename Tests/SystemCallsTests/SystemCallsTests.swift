import Foundation
import Testing
import SystemCalls

/// A fresh directory under the system's temporary directory, removed by `remove()`.
private struct Scratch {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "systemcalls-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    }

    func file(_ name: String = "file") -> String { path + "/" + name }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

@Suite("SystemCalls: files")
struct FileDescriptorTests {
    @Test("A created file is exclusive, 0600 at most, and reads back what was written and synced")
    func createWriteRead() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.file()
        let fd = try FileDescriptor.open(path, [.readWrite, .append, .closeOnExec, .createExclusively], permissions: 0o600)
        defer { fd.close() }
        let written = try Array("one\ntwo\n".utf8).withUnsafeBytes { try fd.write($0) }
        #expect(written == 8)
        try fd.syncData()
        try fd.sync()
        let status = try fd.status()
        #expect(status.isRegularFile && status.size == 8)
        #expect(try fd.readContents() == Array("one\ntwo\n".utf8))
        #expect(try fd.readContents(length: 3) == Array("one".utf8))
        try fd.truncate(to: 4)
        let copy = try fd.duplicate()
        defer { copy.close() }
        #expect(try copy.readContents() == Array("one\n".utf8))
        let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(permissions.map { $0 & 0o077 } == 0)

        let again = #expect(throws: SystemCallError.self) {
            try FileDescriptor.open(path, [.readWrite, .createExclusively])
        }
        #expect(again?.errno == Errno.fileExists)
    }

    @Test("No-follow refuses a symbolic link with ELOOP; the error names the call, the path and the reason")
    func noFollow() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let target = scratch.file("target")
        FileManager.default.createFile(atPath: target, contents: Data())
        let link = scratch.file("link")
        try FileSystem.createSymbolicLink(at: link, to: target)
        let error = #expect(throws: SystemCallError.self) { try FileDescriptor.open(link, [.readWrite, .noFollow]) }
        #expect(error?.errno == Errno.tooManySymbolicLinks)
        #expect(error?.call == "open(\(link))")
        #expect(error?.description.hasPrefix("open(\(link)) failed: ") == true)
        #expect(error?.description.hasSuffix("(errno \(Errno.tooManySymbolicLinks))") == true)

        let missing = #expect(throws: SystemCallError.self) { try FileDescriptor.open(scratch.file("missing"), []) }
        #expect(missing?.errno == Errno.noSuchFileOrDirectory)
        #expect(missing?.reason == "No such file or directory")
    }

    @Test("A second exclusive lock on the same file fails with EWOULDBLOCK until the first is closed")
    func exclusiveLock() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.file()
        let first = try FileDescriptor.open(path, [.readWrite, .createExclusively])
        let second = try FileDescriptor.open(path, [.readWrite])
        defer { second.close() }
        try first.lockExclusivelyWithoutWaiting()
        let error = #expect(throws: SystemCallError.self) { try second.lockExclusivelyWithoutWaiting() }
        #expect(error?.errno == Errno.wouldBlock)
        first.close()
        try second.lockExclusivelyWithoutWaiting()
    }

    @Test("Paths: links are made, renamed over, inspected without following, resolved and removed")
    func fileSystem() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let link = scratch.file("link")
        try FileSystem.createSymbolicLink(at: link + ".new", to: "/dev/null")
        try FileSystem.rename(link + ".new", to: link)
        #expect(FileSystem.resolvedPath(link) == "/dev/null")
        #expect(FileSystem.isCharacterDevice(link))
        #expect(!FileSystem.isCharacterDevice(scratch.path))
        #expect(try FileSystem.linkStatus(link).isSymbolicLink)
        let directory = try FileSystem.linkStatus(scratch.path)
        #expect(directory.isDirectory && !directory.isSymbolicLink)
        #expect(directory.owner == FileSystem.effectiveUserID)
        #expect(FileSystem.removeLink(link))
        #expect(!FileSystem.removeLink(link))
        #expect(FileSystem.resolvedPath(link) == nil)

        let made = scratch.file("made")
        try FileSystem.makeDirectory(made, permissions: 0o700)
        #expect(try FileSystem.linkStatus(made).permissions & 0o077 == 0)
        let exists = #expect(throws: SystemCallError.self) { try FileSystem.makeDirectory(made, permissions: 0o700) }
        #expect(exists?.errno == Errno.fileExists)
    }
}

@Suite("SystemCalls: clocks, threads, waiting")
struct ClockAndThreadTests {
    @Test("UTC calendar fields and seconds since 1970 convert both ways")
    func utcDateTime() {
        #expect(UTCDateTime(secondsSince1970: 0) == UTCDateTime(year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0))
        let instant = UTCDateTime(year: 2025, month: 6, day: 1, hour: 12, minute: 34, second: 56)
        #expect(instant.secondsSince1970 == 1_748_781_296)
        #expect(UTCDateTime(secondsSince1970: 1_748_781_296) == instant)
        #expect(UTCDateTime(secondsSince1970: -1) == UTCDateTime(year: 1969, month: 12, day: 31, hour: 23, minute: 59, second: 59))
    }

    @Test("The wall clock agrees with Foundation's to within a second")
    func wallClock() {
        let now = WallClock.now()
        #expect(abs(Double(now.seconds) - Date().timeIntervalSince1970) < 1)
        #expect((0..<1_000_000_000).contains(now.nanoseconds))
    }

    @Test("A thread is itself and no other")
    func threadIdentity() async {
        let here = ThreadIdentity.current
        #expect(here == .current)
        let other = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: ThreadIdentity.current) }.start()
        }
        #expect(other != here)
    }

    @Test("A monotonic timed wait ends at its deadline, not before")
    func monotonicWait() {
        let condition = MonotonicCondition()
        let deadline = ContinuousClock.now + .milliseconds(20)
        condition.withLock {
            while ContinuousClock.now < deadline { condition.wait(until: deadline) }
        }
        #expect(ContinuousClock.now >= deadline)
    }

    @Test("poll times out empty; a wake-up pipe makes its reader readable")
    func wakePipe() throws {
        let pipe = try WakePipe()
        #expect(try Poll.wait([(pipe.readDescriptor, .readable)], timeoutMilliseconds: 0) == [[]])
        pipe.wake()
        #expect(try Poll.wait([(pipe.readDescriptor, .readable)], timeoutMilliseconds: 1000)[0].contains(.readable))
    }
}

@Suite("SystemCalls: Unix-domain sockets")
struct UnixSocketTests {
    @Test("A client's line reaches the listener's accepted connection and back")
    func roundTrip() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.file("control.sock")
        let listener = try UnixSocket.listen(at: path)
        defer { listener.close() }
        let client = try UnixSocket.connect(to: path)
        defer { client.close() }
        let server = try UnixSocket.accept(on: listener)
        defer { server.close() }
        _ = try Array("ping\n".utf8).withUnsafeBytes { try client.send($0) }
        #expect(try Poll.wait([(server.rawValue, .readable)], timeoutMilliseconds: 1000)[0].contains(.readable))
        var buffer = [UInt8](repeating: 0, count: 16)
        let n = try buffer.withUnsafeMutableBytes { try server.read(into: $0) }
        #expect(Array(buffer[0..<n]) == Array("ping\n".utf8))
        client.close()
        #expect(try buffer.withUnsafeMutableBytes { try server.read(into: $0) } == 0)
    }

    @Test("Nobody listening, or a path too long for an address, is an error naming the path")
    func failures() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let nobody = #expect(throws: SystemCallError.self) { try UnixSocket.connect(to: scratch.file("none.sock")) }
        #expect(nobody?.call == "connect(\(scratch.file("none.sock")))")
        let long = scratch.path + "/" + String(repeating: "x", count: UnixSocket.maximumPathBytes)
        let tooLong = #expect(throws: SystemCallError.self) { try UnixSocket.listen(at: long) }
        #expect(tooLong?.call.contains(long) == true)
    }
}
