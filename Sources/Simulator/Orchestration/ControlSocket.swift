import Foundation
internal import SystemCalls

/// The simulator's control interface: a Unix-domain stream socket that takes one
/// command per line (see ``ControlCommand``) and answers each with one JSON line.
/// Any program can drive it (`socat - UNIX-CONNECT:PATH`, Python's socket module,
/// `hepabus simctl`).
public final class ControlSocket: @unchecked Sendable {
    /// The socket's path (in the run directory; the manifest names it).
    public let path: String
    private let listener: FileDescriptor
    private let handler: @Sendable (String) -> String
    private let wake: WakePipe
    private let finished = DispatchSemaphore(value: 0)
    private var started = false

    /// Binds the socket. `handler` turns a command line into a JSON reply line.
    public init(path: String, handler: @escaping @Sendable (String) -> String) throws {
        self.path = path
        self.handler = handler
        guard path.utf8.count <= UnixSocket.maximumPathBytes else {
            throw ControlCommandError("control socket path too long: \(path)")
        }
        do throws(SystemCallError) {
            listener = try UnixSocket.listen(at: path, backlog: 8)
        } catch {
            throw ControlCommandError("cannot listen on \(path): \(error.reason)")
        }
        do throws(SystemCallError) {
            wake = try WakePipe()
        } catch {
            listener.close()
            throw ControlCommandError("cannot make the control socket's wake-up pipe: \(error)")
        }
    }

    deinit {
        stop()
        listener.close()
        FileSystem.removeLink(path)
    }

    /// Starts serving clients on its own thread.
    public func start() {
        started = true
        let thread = Thread { [self] in
            serve()
            finished.signal()
        }
        thread.name = "simulator-control"
        thread.start()
    }

    /// Stops serving; returns once the thread has ended.
    public func stop() {
        guard started else { return }
        started = false
        wake.wake()
        finished.wait()
    }

    private func serve() {
        var clients: [FileDescriptor: [UInt8]] = [:]
        defer { for fd in clients.keys { fd.close() } }
        var scratch = [UInt8](repeating: 0, count: 4096)
        while true {
            let order = clients.keys.sorted { $0.rawValue < $1.rawValue }
            let ready: [Poll.Events]
            do throws(SystemCallError) {
                ready = try Poll.wait([(wake.readDescriptor, .readable), (listener.rawValue, .readable)]
                                          + order.map { ($0.rawValue, .readable) }, timeoutMilliseconds: -1)
            } catch {
                if error.errno == Errno.interrupted { continue }
                return
            }
            if !ready[0].isEmpty { return }
            if !ready[1].isEmpty, let client = try? UnixSocket.accept(on: listener) {
                clients[client] = []
            }
            for (i, fd) in order.enumerated() where !ready[i + 2].isEmpty {
                let n = (try? scratch.withUnsafeMutableBytes { buffer throws(SystemCallError) in try fd.read(into: buffer) }) ?? -1
                if n <= 0 {
                    fd.close()
                    clients.removeValue(forKey: fd)
                    continue
                }
                var buffer = clients[fd, default: []] + scratch[0..<n]
                while let newline = buffer.firstIndex(of: 0x0A) {
                    let line = String(decoding: buffer[..<newline], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    buffer.removeSubrange(...newline)
                    guard !line.isEmpty else { continue }
                    let reply = Array((handler(line) + "\n").utf8)
                    _ = reply.withUnsafeBytes { bytes in try? fd.send(bytes) }
                }
                if buffer.count > 65536 { buffer.removeAll() }  // a line that never ends is dropped
                clients[fd] = buffer
            }
        }
    }
}
