public import Serial

/// Splits a byte stream of Modbus RTU traffic, as a passive listener hears it on a
/// bus (requests and responses interleaved, arriving in arbitrary chunks), into
/// decoded frames. Pure: no I/O, no clock; the caller feeds bytes with the time
/// they arrived and says when the line has gone quiet.
///
/// Framing, at the front of the buffer:
///
/// 1. **Readings by length.** The unit and function byte give up to two readings:
///    a request or a response, each with its own length rule (`RTUFrameLength`;
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
///
/// Work is linear in the bytes fed: whether a valid frame starts at a buffered
/// byte is worked out once and remembered (the bytes there never change), the
/// searches for the next frame start and the next silence resume where the last
/// one left off, a CRC with no length rule is extended byte by byte, and consumed
/// bytes are passed over, not shifted out. (Rescanning the whole buffer at every
/// byte held it to ~600 bytes/s of noise, issue 9; `hepabus-bench decoder` measures it.)
public struct RTUFrameDecoder: Sendable {
    /// Seconds of silence that end a frame; nil when the bytes carry no useful timing.
    public let silentInterval: Double?

    /// The buffered bytes are `storage[head...]`, with the time each arrived in
    /// `times`: consuming moves `head`, and the consumed prefix is dropped in bulk.
    private var storage: [UInt8] = []
    private var times: [Double?] = []
    private var head = 0
    /// Whether a complete, valid frame of a known length starts at each stored
    /// byte, once that is known for good (parallel to `storage`).
    private var startCache: [Evidence?] = []
    /// For a position whose answer is not known yet: the stored byte count
    /// below which asking again is pointless (the frame it may start is still arriving).
    private var recheckAt: [Int] = []
    /// Every stored position from `head + 1` up to this one is known to start no frame.
    private var noFrameStartBefore = 0
    /// The last search for a frame start found none up to this position; of
    /// the positions it left undecided, the first may change at `scanRecheckAt` bytes stored.
    private var scanResumeAt = 0
    private var scanRecheckAt = Int.max
    /// No silent interval precedes any stored byte from `head + 1` up to this one.
    private var noGapBefore = 0
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
    public var bufferedByteCount: Int { count + garbage.count }

    /// When the last buffered byte arrived, if known.
    public var lastByteTime: Double? { count > 0 ? times[storage.count - 1] : garbageLast }

    /// Bytes run through the CRC so far: a measure of the decoder's work, which
    /// stays proportional to the bytes fed (at most a few hundred per byte).
    public private(set) var checksummedByteCount = 0

    /// Adds bytes that arrived together at `time` (seconds since the epoch; nil if
    /// unknown) and returns the frames they complete.
    public mutating func feed(_ chunk: some Sequence<UInt8>, at time: Double? = nil) -> [SniffedFrame] {
        for byte in chunk {
            storage.append(byte)
            times.append(time)
            startCache.append(nil)
            recheckAt.append(0)
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

    // MARK: The buffer

    /// How many bytes are buffered.
    private var count: Int { storage.count - head }

    /// The buffered byte at `offset` from the front.
    private func byte(at offset: Int) -> UInt8 { storage[head + offset] }

    /// The buffered bytes from `start` up to `end` (offsets from the front).
    private func slice(_ start: Int, _ end: Int) -> ArraySlice<UInt8> { storage[(head + start)..<(head + end)] }

    /// Drops the first `n` buffered bytes.
    private mutating func consume(_ n: Int) {
        head += n
    }

    /// Frees the consumed prefix once it is worth the copy (amortised O(1) a byte).
    private mutating func compact() {
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            times.removeAll(keepingCapacity: true)
            startCache.removeAll(keepingCapacity: true)
            recheckAt.removeAll(keepingCapacity: true)
        } else if head >= 4096 && head * 2 >= storage.count {
            storage.removeFirst(head)
            times.removeFirst(head)
            startCache.removeFirst(head)
            recheckAt.removeFirst(head)
            for index in recheckAt.indices where recheckAt[index] > 0 { recheckAt[index] -= head }
        } else {
            return
        }
        noFrameStartBefore = max(0, noFrameStartBefore - head)
        noGapBefore = max(0, noGapBefore - head)
        scanResumeAt = max(0, scanResumeAt - head)
        if scanRecheckAt != Int.max { scanRecheckAt = max(0, scanRecheckAt - head) }
        head = 0
    }

    /// Buffered bytes beyond which waiting stops and resynchronisation begins, so
    /// a byte count that promises a long frame cannot hold the stream hostage.
    private static let patienceLimit = 2 * RTUFrameLength.maximum

    private mutating func decode(final: Bool) -> [SniffedFrame] {
        var out: [SniffedFrame] = []
        loop: while count > 0 {
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
        compact()
        return out
    }

    private mutating func step(final: Bool) -> Step {
        let n = count
        // Silence inside the buffer ends a transmission: no frame spans it.
        let gap = firstGap()
        let segmentEnd = gap ?? (final ? n : nil)

        let readings = readings(at: 0)
        var incomplete = false
        var invalid: [(Reading, Int)] = []
        var evaluations: [Evaluation] = []
        for reading in readings {
            let evaluation = evaluate(reading, at: 0)
            evaluations.append(evaluation)
            switch evaluation {
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
           zip(readings, evaluations).contains(where: { $1 == .incomplete && promisesFrame($0) }) {
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
        let frame = slice(offset, count)
        guard frame.count >= 2 else { return [Reading(direction: .unknown, length: .needsMoreBytes)] }
        let unit = byte(at: offset), function = byte(at: offset + 1)
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
        guard count - offset >= 3, byte(at: offset) <= 247 else { return false }
        let function = byte(at: offset + 1)
        guard Self.knownFunctions.contains(function & 0x7F) else { return false }
        return function & 0x80 == 0 || (0x01...0x0B).contains(byte(at: offset + 2))
    }

    private static let knownFunctions: Set<UInt8> = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x0B, 0x0C,
                                                      0x0F, 0x10, 0x11, 0x16, 0x17, 0x2B]

    /// Whether the frame at `offset` is likely the answer to the pending request.
    private func expectsResponse(at offset: Int) -> Bool {
        guard let request = pending?.bytes, request.count >= RTUFrameLength.minimum, count - offset >= 2,
              request[0] == byte(at: offset), request[1] == byte(at: offset + 1)
        else { return false }
        switch request[1] {
        case 0x05, 0x06, 0x16:
            // These answer with an echo of the request: anything else is a new request.
            let body = request.count - 2
            let available = min(count - offset, body)
            return slice(offset, offset + available).elementsEqual(request[0..<available])
        default:
            return true
        }
    }

    /// Whether the header at the front, read as `reading`, announces a frame
    /// consistently: byte count and count agree, or the pending request asked for it.
    private func promisesFrame(_ reading: Reading) -> Bool {
        guard isPlausible(at: 0) else { return false }
        let n = count
        func word(_ index: Int) -> Int? { index + 1 < n ? Int(byte(at: index)) << 8 | Int(byte(at: index + 1)) : nil }
        func byteValue(_ index: Int) -> Int? { index < n ? Int(byte(at: index)) : nil }
        switch reading.direction {
        case .response:
            guard let pending, pending.unit == byte(at: 0), pending.function?.rawValue == byte(at: 1),
                  let count = pending.count, let byteCount = byteValue(2)
            else { return false }
            switch byte(at: 1) {
            case 0x01, 0x02: return byteCount == (count + 7) / 8
            case 0x03, 0x04, 0x17: return byteCount == 2 * count
            default: return false
            }
        case .request:
            switch byte(at: 1) {
            case 0x0F:
                guard let count = word(4), let byteCount = byteValue(6) else { return false }
                return (1...1968).contains(count) && byteCount == (count + 7) / 8
            case 0x10:
                guard let count = word(4), let byteCount = byteValue(6) else { return false }
                return (1...123).contains(count) && byteCount == 2 * count
            case 0x17:
                guard let count = word(8), let byteCount = byteValue(10) else { return false }
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
              count - offset >= length, length >= RTUFrameLength.minimum,
              byte(at: offset) == unit, byte(at: offset + 1) & 0x7F == function.rawValue
        else { return false }
        if byte(at: offset + 1) & 0x80 != 0 { return length == 5 }
        let byteCount = Int(byte(at: offset + 2))
        switch function.rawValue {
        case 0x01, 0x02:
            return pending.count.map { byteCount == ($0 + 7) / 8 && length == 5 + byteCount } ?? false
        case 0x03, 0x04, 0x17:
            return pending.count.map { byteCount == 2 * $0 && length == 5 + byteCount } ?? false
        case 0x05, 0x06, 0x16:
            return slice(offset, offset + length - 2).elementsEqual(pending.bytes.dropLast(2))
        case 0x0F, 0x10:
            return length == 8 && slice(offset + 2, offset + 6).elementsEqual(pending.bytes[2..<6])
        case 0x11:
            return length == 5 + byteCount
        default:
            return false
        }
    }

    private mutating func evaluate(_ reading: Reading, at offset: Int) -> Evaluation {
        let available = count - offset
        switch reading.length {
        case .known(let length):
            guard available >= length else { return .incomplete }
            return crcHolds(at: offset, length: length) ? .valid(length) : .invalid(length)
        case .needsMoreBytes:
            return .incomplete
        case .variable:
            // No length rule: the CRC says where it may end, if what follows agrees.
            // One running CRC serves every candidate length.
            let limit = min(available, RTUFrameLength.maximum)
            if limit >= RTUFrameLength.minimum {
                var crc = CRC16.initial
                var covered = 0
                var length = RTUFrameLength.minimum
                while length <= limit {
                    // The next length whose last two bytes match the CRC of the ones before.
                    let start = head + offset
                    let candidate: Int? = storage.withUnsafeBufferPointer { frame in
                        while length <= limit {
                            while covered < length - 2 {
                                crc = CRC16.updated(crc, with: frame[start + covered])
                                covered += 1
                            }
                            if frame[start + length - 2] == UInt8(crc & 0xFF) && frame[start + length - 1] == UInt8(crc >> 8) {
                                return length
                            }
                            length += 1
                        }
                        return nil
                    }
                    guard let candidate else { break }
                    if candidate == available || frameStarts(at: offset + candidate) == .yes {
                        checksummedByteCount += covered
                        return .valid(candidate)
                    }
                    length = candidate + 1
                }
                checksummedByteCount += covered
            }
            return available >= RTUFrameLength.maximum ? .rejected : .incomplete
        }
    }

    /// Whether the `length` bytes at `offset` end in their own CRC.
    private mutating func crcHolds(at offset: Int, length: Int) -> Bool {
        checksummedByteCount += length - 2
        let start = head + offset
        return storage.withUnsafeBufferPointer { frame in
            var crc = CRC16.initial
            for index in start..<(start + length - 2) { crc = CRC16.updated(crc, with: frame[index]) }
            return frame[start + length - 2] == UInt8(crc & 0xFF) && frame[start + length - 1] == UInt8(crc >> 8)
        }
    }

    /// Whether a complete, valid frame of a known length starts at `offset`.
    /// A yes or no is for good (the bytes there never change) and is remembered.
    private mutating func frameStarts(at offset: Int) -> Evidence {
        guard offset < count else { return .unknown }
        let position = head + offset
        if let known = startCache[position] { return known }
        if recheckAt[position] > storage.count { return .unknown }
        var result = Evidence.no
        var recheck = Int.max
        search: for reading in readings(at: offset) where reading.length != .variable {
            switch evaluate(reading, at: offset) {
            case .valid: result = .yes; break search
            case .incomplete:
                result = .unknown
                if case .known(let length) = reading.length {
                    recheck = min(recheck, position + length)
                } else {
                    recheck = storage.count + 1
                }
            case .invalid, .rejected: break
            }
        }
        if result == .unknown { recheckAt[position] = recheck } else { startCache[position] = result }
        return result
    }

    /// The first offset from `start` where a complete, valid frame of a known
    /// length starts. Resumes after the positions already known to start none,
    /// and after the last fruitless search while none of the positions it left
    /// undecided can have changed.
    private mutating func firstFrameStart(from start: Int) -> Int? {
        noFrameStartBefore = max(noFrameStartBefore, head + 1)
        var position = max(head + start, noFrameStartBefore)
        var extending = position == noFrameStartBefore
        var recheck = Int.max
        if start == 1, storage.count < scanRecheckAt, scanResumeAt > position {
            // Nothing before scanResumeAt can have become a frame start since.
            position = scanResumeAt
            extending = false
            recheck = scanRecheckAt
        }
        while position - head + RTUFrameLength.minimum <= count {
            switch frameStarts(at: position - head) {
            case .yes: return position - head
            case .no: if extending { noFrameStartBefore = position + 1 }
            case .unknown:
                extending = false
                recheck = min(recheck, recheckAt[position])
            }
            position += 1
        }
        if start == 1 {
            scanResumeAt = position
            scanRecheckAt = recheck
        }
        return nil
    }

    /// Whether the front byte continues unknown bytes set aside (no silence between them).
    private var followsGarbage: Bool {
        guard !garbage.isEmpty else { return false }
        guard let silentInterval, let last = garbageLast, count > 0, let first = times[head] else { return true }
        return first - last < silentInterval
    }

    /// The offset of the first buffered byte that came after a silent interval.
    /// Resumes where the last search found none (arrival times never change).
    private mutating func firstGap() -> Int? {
        guard let silentInterval, count >= 2 else { return nil }
        var index = max(head + 1, noGapBefore)
        while index < storage.count {
            if let before = times[index - 1], let after = times[index], after - before >= silentInterval {
                noGapBefore = index
                return index - head
            }
            index += 1
        }
        noGapBefore = index
        return nil
    }

    // MARK: Output

    private mutating func emit(length: Int, direction: SniffedFrame.Direction, into out: inout [SniffedFrame]) {
        let frame = SniffedFrame(decoding: Array(slice(0, length)), direction: direction, time: times[head],
                                 answering: direction == .response ? pending : nil)
        consume(length)
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
        for index in head..<(head + count) {
            // Silence between skipped bytes separates two transmissions.
            if let last = garbageLast, let now = times[index], let silentInterval, now - last >= silentInterval {
                flushGarbage(into: &out)
            }
            if garbage.isEmpty { garbageStart = times[index] }
            garbage.append(storage[index])
            garbageLast = times[index]
        }
        consume(count)
    }

    private mutating func flushGarbage(into out: inout [SniffedFrame]) {
        guard !garbage.isEmpty else { return }
        out.append(SniffedFrame(decoding: garbage, direction: .unknown, time: garbageStart))
        garbage.removeAll()
        garbageStart = nil
        garbageLast = nil
    }
}
