import Glibc
import Serial
import Synchronization

/// Copies a server's line traffic onto the primary side of a tap pseudo-terminal,
/// the way a second RS-485 adapter clipped onto a multi-drop bus hears both
/// directions: whoever reads the tap's secondary path sees every byte the server
/// received and sent, in order.
///
/// The copy never waits: the tap's primary is non-blocking, and bytes the tap's
/// buffer cannot take (no reader, or a slow one) are dropped and counted, so a
/// sniffer can never slow down or stall the bus it listens to.
final class BusTapWriter: Sendable {
    private let fd: Int32
    /// Keeps the pty (and so `fd`) alive as long as the server that writes to it.
    private let owner: PseudoTerminal
    private let written = Atomic<Int>(0)
    private let dropped = Atomic<Int>(0)

    init(_ tap: PseudoTerminal) {
        owner = tap
        fd = tap.primaryDescriptor
        // PseudoTerminal already makes its primary non-blocking; make sure, since a
        // blocking tap write would stall the bus whenever nobody reads the tap.
        if fd >= 0 { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    }

    /// Bytes copied onto the tap so far.
    var bytesWritten: Int { written.load(ordering: .relaxed) }
    /// Bytes the tap could not take (its buffer was full or it was closed).
    var bytesDropped: Int { dropped.load(ordering: .relaxed) }

    /// Copies `bytes`; whatever does not fit right now is dropped.
    func copy(_ bytes: some Collection<UInt8>) {
        guard !bytes.isEmpty else { return }
        let chunk = Array(bytes)
        var offset = 0
        while offset < chunk.count {
            let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n > 0 {
                offset += n
                continue
            }
            if n < 0 && errno == EINTR { continue }
            // EAGAIN (full), EIO, EBADF: never wait, never fail the server.
            break
        }
        if offset > 0 { written.add(offset, ordering: .relaxed) }
        if offset < chunk.count { dropped.add(chunk.count - offset, ordering: .relaxed) }
    }
}
