import Modbus

/// `--verbose`: every frame sent and received, in hex, with a timestamp, on standard error.
struct FrameLogger: FrameTracer {
    func frame(_ direction: FrameDirection, bytes: [UInt8], time: Double) {
        Terminal.writeStderr("\(Terminal.timestamp(time)) \(direction.rawValue) \(hexString(bytes))\n")
    }
}
