/// How long an RTU frame is, as far as its first bytes tell.
///
/// Requests and responses of one function differ in length (a read request is
/// always 8 bytes, its response 5 + byte count), so a listener must know which of
/// the two it is looking at: see ``RTUFrameDecoder`` for how it decides.
enum RTUFrameLength: Equatable {
    /// The whole frame, CRC included, is this many bytes.
    case known(Int)
    /// A byte count further on decides; not enough bytes have arrived yet.
    case needsMoreBytes
    /// The function has no length rule we know: only silence (or a CRC) ends it.
    case variable

    /// The length of a request whose first bytes are `frame` (unit, function, …).
    static func request(_ frame: ArraySlice<UInt8>) -> RTUFrameLength {
        let b = frame.startIndex
        guard frame.count >= 2 else { return .needsMoreBytes }
        switch frame[b + 1] {
        case 0x01...0x06, 0x08: return .known(8)
        case 0x0F, 0x10: return frame.count >= 7 ? .known(9 + Int(frame[b + 6])) : .needsMoreBytes
        case 0x07, 0x0B, 0x0C, 0x11: return .known(4)
        case 0x16: return .known(10)
        case 0x17: return frame.count >= 11 ? .known(13 + Int(frame[b + 10])) : .needsMoreBytes
        case 0x2B: return .known(7)  // MEI read device identification
        default: return .variable
        }
    }

    /// The length of a response whose first bytes are `frame`; exception
    /// responses (function | 0x80) are always 5 bytes.
    static func response(_ frame: ArraySlice<UInt8>) -> RTUFrameLength {
        let b = frame.startIndex
        guard frame.count >= 2 else { return .needsMoreBytes }
        let function = frame[b + 1]
        if function & 0x80 != 0 { return .known(5) }
        switch function {
        case 0x01...0x04, 0x0C, 0x11, 0x17: return frame.count >= 3 ? .known(5 + Int(frame[b + 2])) : .needsMoreBytes
        case 0x05, 0x06, 0x08, 0x0B, 0x0F, 0x10: return .known(8)
        case 0x07: return .known(5)
        case 0x16: return .known(10)
        default: return .variable
        }
    }

    /// The shortest possible RTU frame: unit, function, two CRC bytes.
    static let minimum = 4
    /// The longest: 256 bytes (unit, 253-byte PDU, CRC).
    static let maximum = 256
}
