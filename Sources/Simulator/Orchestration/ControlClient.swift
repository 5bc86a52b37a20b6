import Foundation
internal import SystemCalls

/// Sends one line to a simulator's control socket and returns its reply line.
public enum ControlClient {
    /// Sends `line` to the control socket at `path` and returns the reply line.
    ///
    /// - Throws: ``SimulatorError`` when the socket cannot be reached or no whole reply comes
    ///   within `timeout`.
    public static func send(_ line: String, to path: String, timeout: Duration = .seconds(5)) throws -> String {
        guard path.utf8.count <= UnixSocket.maximumPathBytes else { throw SimulatorError("socket path too long: \(path)") }
        let fd: FileDescriptor
        do throws(SystemCallError) {
            fd = try UnixSocket.connect(to: path)
        } catch {
            throw SimulatorError("cannot reach the simulator at \(path): \(error.reason)")
        }
        defer { fd.close() }
        let request = Array((line + "\n").utf8)
        _ = request.withUnsafeBytes { bytes in try? fd.send(bytes) }
        var reply: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: 65536)
        let deadline = ContinuousClock.now + timeout
        while !reply.contains(0x0A) {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { throw SimulatorError("no reply from the simulator within \(timeout)") }
            let ms = Int32(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1)
            guard let ready = try? Poll.wait([(fd.rawValue, .readable)], timeoutMilliseconds: ms), !ready[0].isEmpty else { continue }
            let n = (try? scratch.withUnsafeMutableBytes { buffer throws(SystemCallError) in try fd.read(into: buffer) }) ?? -1
            guard n > 0 else { throw SimulatorError("the simulator closed the connection") }
            reply += scratch[0..<n]
        }
        return String(decoding: reply.prefix { $0 != 0x0A }, as: UTF8.self)
    }
}
