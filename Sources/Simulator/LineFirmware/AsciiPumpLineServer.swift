import FirmwareProtocols
import Foundation
internal import SystemCalls
public import Serial
import Synchronization

/// Serves simulated line pumps on a pseudo-terminal, as an RS-232 line would: a thread
/// of its own reads request lines from the primary side, hands each to the pump whose
/// address starts it, and writes the reply back, applying any injected
/// ``AsciiPumpLineFault``. Clients open ``path`` like any serial port.
///
/// With a `linkPath`, the line is reachable at that stable path (a symlink, as udev gives
/// real adapters), so ``unplug()`` and ``replug()`` behave like pulling and re-inserting a
/// USB adapter: the client's port vanishes, and a reopen of the same path finds the new line.
public final class AsciiPumpLineServer: @unchecked Sendable {
    /// The pumps on the line, each answering its own address.
    public let pumps: [AsciiPumpFirmware]
    /// The stable path, if one was asked for.
    public let linkPath: String?

    // Guarded by `lock`: the line and the thread serving it change together.
    private let lock = NSLock()
    private var pty: PseudoTerminal?
    private var thread: ServingThread?
    private let faults = Mutex<[(fault: AsciiPumpLineFault, remaining: Int?)]>([])
    private let counts = Mutex<(lines: Int, replies: Int, faultsApplied: Int)>((0, 0, 0))

    /// Plugs the line in and starts serving `pumps` (distinct addresses) on it.
    ///
    /// - Throws: ``/Serial/SerialError`` when no pseudo-terminal can be made or the link
    ///   cannot be created.
    public init(pumps: [AsciiPumpFirmware], linkPath: String? = nil) throws(SerialError) {
        precondition(Set(pumps.map(\.configuration.address)).count == pumps.count, "two pumps share an address")
        self.pumps = pumps
        self.linkPath = linkPath
        try replug()
    }

    deinit { unplug() }

    /// Where clients open the line: the link path, or the pseudo-terminal's own path
    /// (nil while unplugged without a link).
    public var path: String? { linkPath ?? lock.withLock { pty?.secondaryPath } }

    /// Whether the line is plugged in.
    public var isPlugged: Bool { lock.withLock { pty != nil } }

    /// Lines addressed to a served pump, replies written, and faults applied so far.
    public var statistics: (lines: Int, replies: Int, faultsApplied: Int) { counts.withLock { $0 } }

    /// Makes the next `count` lines addressed to a served pump misbehave (nil: until
    /// ``clearFaults()``). Faults queue in the order injected.
    public func inject(_ fault: AsciiPumpLineFault, count: Int? = 1) {
        faults.withLock { $0.append((fault, count)) }
    }

    /// Removes every injected fault.
    public func clearFaults() {
        faults.withLock { $0.removeAll() }
    }

    /// Closes the line as a pulled USB adapter would: the thread stops, the link goes,
    /// the pseudo-terminal closes and a client's port sees the line vanish.
    public func unplug() {
        lock.withLock {
            thread?.stop()
            thread = nil
            if let linkPath { FileSystem.removeLink(linkPath) }
            pty?.close()
            pty = nil
        }
    }

    /// Plugs a new line in (a new pseudo-terminal), starts serving it and points the link
    /// at it. Does nothing while plugged.
    ///
    /// - Throws: ``/Serial/SerialError`` when no pseudo-terminal can be made or the link cannot be created.
    public func replug() throws(SerialError) {
        lock.lock()
        defer { lock.unlock() }
        guard pty == nil else { return }
        let newPty = try PseudoTerminal()
        if let linkPath {
            // Made beside the link and renamed over it, so the path never points nowhere.
            let temporary = linkPath + ".new"
            FileSystem.removeLink(temporary)
            do throws(SystemCallError) {
                try FileSystem.createSymbolicLink(at: temporary, to: newPty.secondaryPath)
            } catch {
                throw .system(call: "symlink(\(linkPath))", errno: error.errno)
            }
            do throws(SystemCallError) {
                try FileSystem.rename(temporary, to: linkPath)
            } catch {
                throw .system(call: "rename(\(linkPath))", errno: error.errno)
            }
        }
        let serving = try ServingThread(fileDescriptor: newPty.primaryDescriptor)
        // Weak: the thread must not keep the server alive, or its deinit would never unplug.
        serving.start(name: "line-pump-server",
                      handle: { [weak self] line in self?.handle(line) },
                      sent: { [weak self] in self?.noteReplyWritten() })
        pty = newPty
        thread = serving
    }

    /// The reply to `line` (nil: silence), with the next fault applied, and how long to hold it back.
    private func handle(_ line: [UInt8]) -> (reply: [UInt8], delay: Duration, pump: AsciiPumpFirmware)? {
        guard let pump = pumps.first(where: { $0.isAddressed(by: line) }) else { return nil }  // another device's line
        counts.withLock { $0.lines += 1 }
        let fault = faults.withLock { queue -> AsciiPumpLineFault? in
            guard let first = queue.first else { return nil }
            if let remaining = first.remaining {
                if remaining <= 1 { queue.removeFirst() } else { queue[0].remaining = remaining - 1 }
            }
            return first.fault
        }
        if fault != nil { counts.withLock { $0.faultsApplied += 1 } }
        switch fault {
        case .noAnswer:
            return nil
        case .refusal(let code):
            return pump.refuse(line, with: code).map { ($0, .zero, pump) }
        case .lateAnswer(let delay):
            return pump.respond(to: line).map { ($0, delay, pump) }
        case .garbage(let bytes):
            guard pump.respond(to: line) != nil else { return nil }
            return (bytes, .zero, pump)
        case .corruptChecksum:
            guard var reply = pump.respond(to: line), reply.count >= 2 else { return nil }
            // The last checksum digit, changed to another hexadecimal digit: still well-formed, now wrong.
            let digits = Array("0123456789ABCDEF".utf8)
            let index = reply.count - 2
            let position = digits.firstIndex(of: reply[index]) ?? 0
            reply[index] = digits[(position + 1) % digits.count]
            return (reply, .zero, pump)
        case nil:
            return pump.respond(to: line).map { ($0, .zero, pump) }
        }
    }

    private func noteReplyWritten() { counts.withLock { $0.replies += 1 } }

    /// The thread reading lines from the primary side, stoppable through a self-pipe.
    private final class ServingThread: @unchecked Sendable {
        let fd: FileDescriptor
        private let wake: WakePipe
        private let finished = DispatchSemaphore(value: 0)
        private var started = false
        /// The serving thread, once running (so a stop from the thread itself does not wait for itself).
        private let servingThread = Mutex<ThreadIdentity?>(nil)

        /// Serves a duplicate of `fileDescriptor`, which the thread closes when it ends: the
        /// thread never writes to a descriptor number that may since name something else.
        init(fileDescriptor: Int32) throws(SerialError) {
            do throws(SystemCallError) {
                fd = try FileDescriptor(rawValue: fileDescriptor, path: "pseudo-terminal primary").duplicate()
            } catch {
                throw .system(call: "fcntl(F_DUPFD_CLOEXEC)", errno: error.errno)
            }
            do throws(SystemCallError) {
                wake = try WakePipe()
            } catch {
                fd.close()
                throw .system(call: "pipe", errno: error.errno)
            }
        }

        deinit {
            if servingThread.withLock({ $0 == nil }) { fd.close() }
        }

        func start(name: String, handle: @escaping @Sendable ([UInt8]) -> (reply: [UInt8], delay: Duration, pump: AsciiPumpFirmware)?,
                   sent: @escaping @Sendable () -> Void) {
            started = true
            let thread = Thread { [self] in
                servingThread.withLock { $0 = .current }
                serve(handle, sent)
                fd.close()
                finished.signal()
            }
            thread.name = name
            thread.start()
        }

        /// Asks the loop to end and waits for it (at most one late answer's delay). Called
        /// on the serving thread itself (the server's last reference dropped there), it only asks.
        func stop() {
            guard started else { return }
            started = false
            wake.wake()
            let onServingThread = servingThread.withLock { id in id == .current }
            if !onServingThread { finished.wait() }
        }

        /// Waits for input or a stop request; false once a stop is requested.
        private func waitForInput(milliseconds: Int32) -> (stop: Bool, readable: Bool) {
            let ready: [Poll.Events]
            do throws(SystemCallError) {
                ready = try Poll.wait([(fd.rawValue, .readable), (wake.readDescriptor, .readable)], timeoutMilliseconds: milliseconds)
            } catch {
                return (error.errno != Errno.interrupted, false)
            }
            if !ready[1].isEmpty || ready[0].contains(.invalid) { return (true, false) }
            return (false, !ready[0].isEmpty)
        }

        private func serve(_ handle: @Sendable ([UInt8]) -> (reply: [UInt8], delay: Duration, pump: AsciiPumpFirmware)?,
                           _ sent: @Sendable () -> Void) {
            let terminator = AsciiPumpLineProtocol.terminator
            // At most one byte beyond the longest line is kept: enough for the pump to see it is too long.
            let keep = AsciiPumpLineProtocol.maximumLineLength
            var pending: [UInt8] = []
            var scratch = [UInt8](repeating: 0, count: 256)
            while true {
                let (stop, readable) = waitForInput(milliseconds: -1)
                if stop { return }
                guard readable else { continue }
                let n: Int
                do {
                    n = try scratch.withUnsafeMutableBytes { buffer throws(SystemCallError) in try fd.read(into: buffer) }
                } catch let error as SystemCallError where error.errno == Errno.wouldBlock {
                    continue
                } catch {
                    n = -1
                }
                if n <= 0 {
                    // A hang-up with no client: wait a little rather than spin, still stoppable.
                    if waitForInput(milliseconds: 10).stop { return }
                    continue
                }
                for byte in scratch[0..<n] {
                    guard byte == terminator else {
                        if pending.count < keep { pending.append(byte) }
                        continue
                    }
                    let line = pending
                    pending.removeAll(keepingCapacity: true)
                    guard let answer = handle(line) else { continue }
                    if answer.delay > .zero {
                        // A late answer blocks the line, as a busy single-threaded firmware would; a stop cuts it short.
                        if waitForStop(answer.delay) { return }
                        answer.pump.noteReplySent()
                    }
                    send(answer.reply)
                    sent()
                }
            }
        }

        /// Sleeps for `delay` unless a stop is requested first; true when stopping.
        private func waitForStop(_ delay: Duration) -> Bool {
            let deadline = ContinuousClock.now.advanced(by: delay)
            while true {
                let remaining = ContinuousClock.now.duration(to: deadline)
                if remaining <= .zero { return false }
                let (s, a) = remaining.components
                let ms = Int32(clamping: s * 1000 + a / 1_000_000_000_000_000 + 1)
                if let ready = try? Poll.wait([(wake.readDescriptor, .readable)], timeoutMilliseconds: ms), !ready[0].isEmpty { return true }
            }
        }

        private func send(_ bytes: [UInt8]) {
            var offset = 0
            while offset < bytes.count {
                let written: Int
                do {
                    written = try bytes.withUnsafeBytes { raw throws(SystemCallError) in try fd.write(UnsafeRawBufferPointer(rebasing: raw[offset...])) }
                } catch let error as SystemCallError where error.errno == Errno.wouldBlock {
                    // The client is not reading: wait up to a second for room, then give the reply up.
                    guard let ready = try? Poll.wait([(fd.rawValue, .writable)], timeoutMilliseconds: 1000), !ready[0].isEmpty else { return }
                    continue
                } catch {
                    return
                }
                if written > 0 { offset += written; continue }
                return
            }
        }
    }
}
