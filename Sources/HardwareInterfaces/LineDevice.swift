/// A device that speaks a line-based (ASCII) protocol: one request line out, one
/// reply line back, as one uninterruptible exchange. Framing (terminators,
/// checksums) belongs to the driver; the line only moves bytes.
public protocol LineDevice: Sendable {
    /// Names the device in messages.
    var deviceDescription: String { get }
    /// Sends `request` and returns the reply up to and including `terminator`,
    /// or throws (timeout, disconnected) — never returns a partial line.
    func exchange(_ request: [UInt8], terminator: UInt8, maxReplyLength: Int, timeout: Duration) async throws -> [UInt8]
}
