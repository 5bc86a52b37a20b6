import Foundation

/// What a finished external tool left behind.
struct ToolResult: Sendable {
    var status: Int32
    var standardOutput: String
    var standardError: String
}

/// Runs system tools (`udevadm`, `unshare`) for ``UdevRulesChecker``.
enum ToolRunning {
    /// The first executable named `name` on `PATH` or in the system
    /// directories (`udevadm` lives in /usr/bin or /bin, `unshare` too; root's
    /// `PATH` in a minimal container may lack the sbin directories).
    static func locate(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init)
            + ["/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"]
        for directory in directories where !directory.isEmpty {
            let candidate = directory + "/" + name
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// Runs `executable` with `arguments` and returns its status and output,
    /// killing it after `timeout` so a wedged tool cannot hang a test.
    ///
    /// Output goes through temporary files, not pipes: a tool writing more
    /// than a pipe holds would block while we wait for it to exit.
    static func run(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(60)) throws -> ToolResult {
        let directory = try TemporaryDirectory(prefix: "hepabus-tool")
        defer { directory.remove() }
        let outPath = directory.path + "/stdout", errPath = directory.path + "/stderr"
        guard FileManager.default.createFile(atPath: outPath, contents: nil),
              FileManager.default.createFile(atPath: errPath, contents: nil),
              let out = FileHandle(forWritingAtPath: outPath), let err = FileHandle(forWritingAtPath: errPath)
        else { throw UdevCheckError.toolFailed(tool: executable, detail: "cannot create output files in \(directory.path)") }
        defer { try? out.close(); try? err.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch {
            throw UdevCheckError.toolFailed(tool: executable, detail: "cannot start it: \(error)")
        }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { usleep(5_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw UdevCheckError.toolFailed(tool: executable, detail: "no exit within \(timeout); killed")
        }
        process.waitUntilExit()
        return ToolResult(
            status: process.terminationStatus,
            standardOutput: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            standardError: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        )
    }
}

/// A private directory under `/tmp` (`mkdtemp`), removed by ``remove()``.
struct TemporaryDirectory {
    let path: String

    init(prefix: String) throws {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw UdevCheckError.toolFailed(tool: "mkdtemp", detail: String(cString: strerror(errno)))
        }
        path = String(cString: made)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
