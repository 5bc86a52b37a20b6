internal import CSystemSupport
import Glibc
import Synchronization

/// Which way a frame went.
public enum FrameDirection: String, Sendable {
    /// Sent by us (TX).
    case sent = "TX"
    /// Received from the line (RX).
    case received = "RX"
}

/// Receives raw frames as they cross the wire (for `--verbose` and sniffing).
public protocol FrameTracer: Sendable {
    /// `bytes` is the whole ADU as on the wire (CRC or MBAP header included);
    /// `time` is wall-clock time in seconds since the epoch.
    func frame(_ direction: FrameDirection, bytes: [UInt8], time: Double)
}

/// Captures libmodbus's debug output (printf to `stdout`, errors to `stderr`) during one call and
/// turns it back into frames. libmodbus offers no hook for raw frames, so this
/// swaps the process-wide `stdout` and `stderr` under a global lock: a diagnostics path only.
enum LibmodbusDebugCapture {
    private static let lock = Mutex(())

    static func capture<T>(_ body: () -> T) -> (result: T, sent: [UInt8], received: [UInt8]) {
        lock.withLock { _ in
            var buffer: UnsafeMutablePointer<CChar>? = nil
            var size = 0
            var errorBuffer: UnsafeMutablePointer<CChar>? = nil
            var errorSize = 0
            guard let stream = open_memstream(&buffer, &size) else { return (body(), [], []) }
            guard let errorStream = open_memstream(&errorBuffer, &errorSize) else {
                fclose(stream)
                free(buffer)
                return (body(), [], [])
            }
            let previous = hepabus_swap_stdout(stream)
            let previousError = hepabus_swap_stderr(errorStream)
            let result = body()
            _ = hepabus_swap_stderr(previousError)
            _ = hepabus_swap_stdout(previous)
            fclose(errorStream)
            free(errorBuffer)
            fclose(stream)
            let text = buffer.map { String(cString: $0) } ?? ""
            free(buffer)
            let (sent, received) = parse(text)
            return (result, sent, received)
        }
    }

    /// libmodbus prints sent bytes as `[XX]` and received bytes as `<XX>`.
    static func parse(_ text: String) -> (sent: [UInt8], received: [UInt8]) {
        var sent: [UInt8] = []
        var received: [UInt8] = []
        let chars = Array(text.utf8)
        var i = 0
        while i + 3 < chars.count {
            let open = chars[i], close = chars[i + 3]
            if (open == UInt8(ascii: "[") && close == UInt8(ascii: "]")) || (open == UInt8(ascii: "<") && close == UInt8(ascii: ">")),
               let byte = UInt8(String(decoding: chars[(i + 1)...(i + 2)], as: UTF8.self), radix: 16)
            {
                if open == UInt8(ascii: "[") { sent.append(byte) } else { received.append(byte) }
                i += 4
            } else {
                i += 1
            }
        }
        return (sent, received)
    }
}

func wallClockSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
