import Serial

/// Splits a byte stream of Modbus RTU traffic, as a passive listener hears it on a
/// bus (requests and responses interleaved, arriving in arbitrary chunks), into
/// decoded frames. Pure: no I/O, no clock; the caller feeds bytes with the time
/// they arrived and says when the line has gone quiet.
///
/// Framing, at the front of the buffer:
///
/// 1. **Readings by length.** The unit and function byte give up to two readings:
///    a request or a response, each with its own length rule (``RTUFrameLength``;
///    exception responses are 5 bytes). The response reading goes first when the
///    previous frame was a request to the same unit and function still waiting
///    for its answer (for echoing functions 5, 6 and 22 only if the bytes repeat
///    the request), the request reading otherwise. The first reading whose bytes
///    have all arrived and whose CRC holds is the frame, unless its header is
///    implausible (reserved unit, unknown function or exception code) and a
///    plausible valid frame starts inside it: a CRC holds by chance 1 time in 65536.
/// 2. **Bad CRCs.** A plausible reading whose CRC fails is still reported as a
///    frame (``SniffedFrame/CRCStatus/bad(expected:received:)``) when something
///    says it ends there: a response that fits the pending request (unit,
///    function, byte count), a silent interval right after it, or a valid frame
///    starting right after it — the last two only when it does not directly
///    follow unrecognised bytes, of which it is more likely the rest.
/// 3. **Silence.** With timestamps, 3.5 characters of silence end a frame: no
///    frame spans one, and a frame of a function with no length rule ends there.
/// 4. **Resynchronisation.** When no reading can hold, the bytes before the next
///    complete, valid frame (or before the next silence) become one
///    ``SniffedFrame/Direction/unknown`` frame; failing both, one byte is set
///    aside and the rest retried. One bad frame never poisons the ones after it.
///
/// Bytes of a frame split across reads wait for the rest; a long frame whose
/// header holds together waits even if its data happen to look like a frame.
/// Waiting is bounded (two maximum frames' worth of bytes).
public struct RTUFrameDecoder: Sendable {
    /// Seconds of silence that end a frame; nil when the bytes carry no useful timing.
    public let silentInterval: Double?

    private var bytes: [UInt8] = []
    private var times: [Double?] = []
    /// Bytes skipped while resynchronising, reported together as one unknown frame.
    private var garbage: [UInt8] = []
    private var garbageStart: Double?
    private var garbageLast: Double?
    /// The last request still waiting for its response.
    private var pending: SniffedFrame?

    /// - Parameter silentInterval: seconds of silence that end a frame (see
    ///   ``silentInterval(for:)``); nil to frame by length and CRC alone.
    public init(silentInterval: Double? = nil) {
        self.silentInterval = silentInterval
    }

    /// The RTU inter-frame silence at `settings`: 3.5 character times, and at
    /// least 1.75 ms (the specification's fixed figure above 19200 baud).
    public static func silentInterval(for settings: SerialSettings) -> Double {
        max(settings.characterTime * 3.5, 0.00175)
    }

    /// Bytes held back: a frame still arriving, or bytes awaiting evidence.
    public var bufferedByteCount: Int { bytes.count + garbage.count }

    /// When the last buffered byte arrived, if known.
    public var lastByteTime: Double? { times.last ?? garbageLast }

    /// Adds bytes that arrived together at `time` (seconds since the epoch; nil if
    /// unknown) and returns the frames they complete.
    public mutating func feed(_ chunk: some Sequence<UInt8>, at time: Double? = nil) -> [SniffedFrame] {
        for byte in chunk {
            bytes.append(byte)
            times.append(time)
        }
        return decode(final: false)
    }

    /// Says the line has been silent for at least the silent interval since the
    /// last byte (or the capture has ended): every buffered byte belongs to frames
    /// already sent. Returns them, complete or not.
    public mutating func flush() -> [SniffedFrame] {
        decode(final: true)
    }

    // MARK: Framing

    private enum Step {
        /// The first `length` bytes are a frame going `direction`.
        case frame(Int, SniffedFrame.Direction)
        /// The first `count` bytes start no frame; when `endsTransmission`, silence follows them.
        case skip(Int, endsTransmission: Bool)
        /// More bytes (or silence) are needed to decide.
        case wait
    }

    private struct Reading {
        var direction: SniffedFrame.Direction
        var length: RTUFrameLength
    }

    private enum Evaluation: Equatable {
        case valid(Int)
        case invalid(Int)
        case incomplete
        /// A variable-length reading that found no valid end within the longest frame.
        case rejected
    }

    private enum Evidence { case yes, no, unknown }

    /// Buffered bytes beyond which waiting stops and resynchronisation begins, so
    /// a byte count that promises a long frame cannot hold the stream hostage.
    private static let patienceLimit = 2 * RTUFrameLength.maximum

    private mutating func decode(final: Bool) -> [SniffedFrame] {
        var out: [SniffedFrame] = []
        loop: while !bytes.isEmpty {
            switch step(final: final) {
            case .frame(let length, let direction):
                flushGarbage(into: &out)
                emit(length: length, direction: direction, into: &out)
            case .skip(let count, let endsTransmission):
                moveToGarbage(count, into: &out)
                if endsTransmission { flushGarbage(into: &out) }
            case .wait:
                break loop
            }
        }
        if final { flushGarbage(into: &out) }
        return out
    }

    private func step(final: Bool) -> Step {
        let n = bytes.count
        // Silence inside the buffer ends a transmission: no frame spans it.
        let gap = firstGap()
        let segmentEnd = gap ?? (final ? n : nil)

        let readings = readings(at: 0)
        var incomplete = false
        var invalid: [(Reading, Int)] = []
        for reading in readings {
            switch evaluate(reading, at: 0) {
            case .valid(let length):
                // A CRC can hold by chance (1 in 65536): an implausible "frame" that
                // overlaps the start of a plausible valid one is garbage before it.
                if !isPlausible(at: 0) {
                    for offset in 1..<length where isPlausible(at: offset) {
                        switch frameStarts(at: offset) {
                        case .yes: return .skip(offset, endsTransmission: false)
                        case .unknown: if !final && n <= Self.patienceLimit { return .wait }
                        case .no: break
                        }
                    }
                }
                return .frame(length, reading.direction)
            case .invalid(let length): invalid.append((reading, length))
            case .incomplete: incomplete = true
            case .rejected: break
            }
        }
        // Not valid, but a frame all the same if it looks like one, no valid frame
        // starts inside it, and something says it ends there. Right after unknown
        // bytes only the pending request vouches for it: more likely it is their rest.
        var undecided = false
        let nextValid = firstFrameStart(from: 1)
        let afterGarbage = followsGarbage
        for (reading, length) in invalid where isPlausible(at: 0) {
            if let gap, gap < length { continue }
            if let nextValid, nextValid < length { continue }
            if reading.direction == .response && answersPending(at: 0, length: length) { return .frame(length, .response) }
            if afterGarbage { continue }
            if let segmentEnd, length == segmentEnd, final || !incomplete { return .frame(length, reading.direction) }
            switch frameStarts(at: length) {
            case .yes: return .frame(length, reading.direction)
            case .unknown: if !final { undecided = true }
            case .no: break
            }
        }
        // A function without a length rule ends at the silence; its CRC did not hold
        // (else it would be a frame by now), so it joins the unknown bytes before it.
        if let segmentEnd, final || gap != nil, readings.contains(where: { $0.length == .variable }) {
            return .skip(segmentEnd, endsTransmission: true)
        }
        // A long frame still arriving whose header holds together (the response the
        // pending request announced, a write whose byte count fits its count) waits
        // for its rest, even if its data happen to contain something frame-like.
        if !final, n <= Self.patienceLimit,
           readings.contains(where: { evaluate($0, at: 0) == .incomplete && promisesFrame($0) }) {
            return .wait
        }
        // Resynchronise on the next frame that holds.
        if let next = nextValid {
            if let gap, gap < next { return .skip(gap, endsTransmission: true) }
            return .skip(next, endsTransmission: false)
        }
        if let segmentEnd, final || (!incomplete && !undecided) {
            return .skip(segmentEnd, endsTransmission: true)
        }
        if incomplete || undecided {
            return n > Self.patienceLimit ? .skip(1, endsTransmission: false) : .wait
        }
        // Every reading of byte 0 failed with all its bytes here: it starts no frame.
        return .skip(1, endsTransmission: false)
    }

    /// The readings of a frame starting at `offset`, most likely first.
    private func readings(at offset: Int) -> [Reading] {
        let frame = bytes[offset...]
        guard frame.count >= 2 else { return [Reading(direction: .unknown, length: .needsMoreBytes)] }
        let unit = frame[offset], function = frame[offset + 1]
        if function & 0x7F == 0 { return [] }  // function 0 does not exist
        if function & 0x80 != 0 {
            // Exception responses; nobody answers a broadcast.
            return unit == 0 ? [] : [Reading(direction: .response, length: .known(5))]
        }
        let request = Reading(direction: .request, length: RTUFrameLength.request(frame))
        if unit == 0 { return [request] }
        let response = Reading(direction: .response, length: RTUFrameLength.response(frame))
        if request.length == .variable && response.length == .variable {
            return [Reading(direction: .unknown, length: .variable)]
        }
        return expectsResponse(at: offset) ? [response, request] : [request, response]
    }

    /// Whether the header at `offset` could be a real frame's: a unit id that exists,
    /// a function we know, a defined exception code. A frame with a bad CRC is only
    /// believed if it passes; garbage rarely does.
    private func isPlausible(at offset: Int) -> Bool {
        guard bytes.count - offset >= 3, bytes[offset] <= 247 else { return false }
        let function = bytes[offset + 1]
        guard Self.knownFunctions.contains(function & 0x7F) else { return false }
        return function & 0x80 == 0 || (0x01...0x0B).contains(bytes[offset + 2])
    }

    private static let knownFunctions: Set<UInt8> = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x0B, 0x0C,
                                                      0x0F, 0x10, 0x11, 0x16, 0x17, 0x2B]

    /// Whether the frame at `offset` is likely the answer to the pending request.
    private func expectsResponse(at offset: Int) -> Bool {
        guard let request = pending?.bytes, request.count >= RTUFrameLength.minimum, bytes.count - offset >= 2, request[0] == bytes[offset], request[1] == bytes[offset + 1]
        else { return false }
        switch request[1] {
        case 0x05, 0x06, 0x16:
            // These answer with an echo of the request: anything else is a new request.
            let body = request.count - 2
            let available = min(bytes.count - offset, body)
            return bytes[offset..<(offset + available)].elementsEqual(request[0..<available])
        default:
            return true
        }
    }

    /// Whether the header at the front, read as `reading`, announces a frame
    /// consistently: byte count and count agree, or the pending request asked for it.
    private func promisesFrame(_ reading: Reading) -> Bool {
        guard isPlausible(at: 0) else { return false }
        func word(_ index: Int) -> Int? { index + 1 < bytes.count ? Int(bytes[index]) << 8 | Int(bytes[index + 1]) : nil }
        func byte(_ index: Int) -> Int? { index < bytes.count ? Int(bytes[index]) : nil }
        switch reading.direction {
        case .response:
            guard let pending, pending.unit == bytes[0], pending.function?.rawValue == bytes[1],
                  let count = pending.count, let byteCount = byte(2)
            else { return false }
            switch bytes[1] {
            case 0x01, 0x02: return byteCount == (count + 7) / 8
            case 0x03, 0x04, 0x17: return byteCount == 2 * count
            default: return false
            }
        case .request:
            switch bytes[1] {
            case 0x0F:
                guard let count = word(4), let byteCount = byte(6) else { return false }
                return (1...1968).contains(count) && byteCount == (count + 7) / 8
            case 0x10:
                guard let count = word(4), let byteCount = byte(6) else { return false }
                return (1...123).contains(count) && byteCount == 2 * count
            case 0x17:
                guard let count = word(8), let byteCount = byte(10) else { return false }
                return (1...121).contains(count) && byteCount == 2 * count
            default:
                return false
            }
        case .unknown:
            return false
        }
    }

    /// Whether a response of `length` bytes at `offset` fits the pending request:
    /// the same unit and function and the byte count the request asked for.
    private func answersPending(at offset: Int, length: Int) -> Bool {
        guard let pending, let unit = pending.unit, let function = pending.function,
              bytes.count - offset >= length, length >= RTUFrameLength.minimum,
              bytes[offset] == unit, bytes[offset + 1] & 0x7F == function.rawValue
        else { return false }
        if bytes[offset + 1] & 0x80 != 0 { return length == 5 }
        let byteCount = Int(bytes[offset + 2])
        switch function.rawValue {
        case 0x01, 0x02:
            return pending.count.map { byteCount == ($0 + 7) / 8 && length == 5 + byteCount } ?? false
        case 0x03, 0x04, 0x17:
            return pending.count.map { byteCount == 2 * $0 && length == 5 + byteCount } ?? false
        case 0x05, 0x06, 0x16:
            return bytes[offset..<(offset + length - 2)].elementsEqual(pending.bytes.dropLast(2))
        case 0x0F, 0x10:
            return length == 8 && bytes[(offset + 2)..<(offset + 6)].elementsEqual(pending.bytes[2..<6])
        case 0x11:
            return length == 5 + byteCount
        default:
            return false
        }
    }

    private func evaluate(_ reading: Reading, at offset: Int) -> Evaluation {
        let available = bytes.count - offset
        switch reading.length {
        case .known(let length):
            guard available >= length else { return .incomplete }
            return CRC16.isValid(bytes[offset..<(offset + length)]) ? .valid(length) : .invalid(length)
        case .needsMoreBytes:
            return .incomplete
        case .variable:
            // No length rule: the CRC says where it may end, if what follows agrees.
            let limit = min(available, RTUFrameLength.maximum)
            if limit >= RTUFrameLength.minimum {
                for length in RTUFrameLength.minimum...limit where CRC16.isValid(bytes[offset..<(offset + length)]) {
                    if length == available || frameStarts(at: offset + length) == .yes { return .valid(length) }
                }
            }
            return available >= RTUFrameLength.maximum ? .rejected : .incomplete
        }
    }

    /// Whether a complete, valid frame of a known length starts at `offset`.
    private func frameStarts(at offset: Int) -> Evidence {
        guard offset < bytes.count else { return .unknown }
        var result = Evidence.no
        for reading in readings(at: offset) where reading.length != .variable {
            switch evaluate(reading, at: offset) {
            case .valid: return .yes
            case .incomplete: result = .unknown
            case .invalid, .rejected: break
            }
        }
        return result
    }

    /// The first offset from `start` where a complete, valid frame of a known length starts.
    private func firstFrameStart(from start: Int) -> Int? {
        var offset = start
        while offset + RTUFrameLength.minimum <= bytes.count {
            if frameStarts(at: offset) == .yes { return offset }
            offset += 1
        }
        return nil
    }

    /// Whether the front byte continues unknown bytes set aside (no silence between them).
    private var followsGarbage: Bool {
        guard !garbage.isEmpty else { return false }
        guard let silentInterval, let last = garbageLast, let first = times.first ?? nil else { return true }
        return first - last < silentInterval
    }

    /// The index of the first buffered byte that came after a silent interval.
    private func firstGap() -> Int? {
        guard let silentInterval, bytes.count >= 2 else { return nil }
        for index in 1..<bytes.count {
            if let before = times[index - 1], let after = times[index], after - before >= silentInterval { return index }
        }
        return nil
    }

    // MARK: Output

    private mutating func emit(length: Int, direction: SniffedFrame.Direction, into out: inout [SniffedFrame]) {
        let frame = SniffedFrame(decoding: Array(bytes[0..<length]), direction: direction, time: times[0],
                                 answering: direction == .response ? pending : nil)
        bytes.removeFirst(length)
        times.removeFirst(length)
        switch direction {
        case .request:
            // Broadcasts and damaged requests get no answer.
            pending = frame.unit == 0 || !frame.crc.isOK ? nil : frame
        case .response:
            pending = nil
        case .unknown:
            break
        }
        out.append(frame)
    }

    private mutating func moveToGarbage(_ count: Int, into out: inout [SniffedFrame]) {
        for index in 0..<count {
            // Silence between skipped bytes separates two transmissions.
            if let last = garbageLast, let now = times[index], let silentInterval, now - last >= silentInterval {
                flushGarbage(into: &out)
            }
            if garbage.isEmpty { garbageStart = times[index] }
            garbage.append(bytes[index])
            garbageLast = times[index]
        }
        bytes.removeFirst(count)
        times.removeFirst(count)
    }

    private mutating func flushGarbage(into out: inout [SniffedFrame]) {
        guard !garbage.isEmpty else { return }
        out.append(SniffedFrame(decoding: garbage, direction: .unknown, time: garbageStart))
        garbage.removeAll()
        garbageStart = nil
        garbageLast = nil
    }
}
