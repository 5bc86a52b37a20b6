import Foundation
import Glibc
import Modbus
import Serial
import Testing

/// A frame as a device or master would put it on the wire: our CRC16 appended.
private func adu(_ bytes: [UInt8]) -> [UInt8] { CRC16.appending(to: bytes) }

/// Captured bus traffic: a request and its response for every function code HepaBus speaks.
private enum Capture {
    static let pairs: [(request: [UInt8], response: [UInt8])] = [
        // FC01: 10 coils from 0x0010 → bits 0, 2 and 9 set.
        (adu([1, 0x01, 0x00, 0x10, 0x00, 0x0A]), adu([1, 0x01, 0x02, 0b0000_0101, 0b0000_0010])),
        // FC02: 3 discrete inputs.
        (adu([2, 0x02, 0x00, 0x00, 0x00, 0x03]), adu([2, 0x02, 0x01, 0b0000_0101])),
        // FC03: 2 holding registers at 100.
        (adu([3, 0x03, 0x00, 0x64, 0x00, 0x02]), adu([3, 0x03, 0x04, 0x04, 0xD2, 0xFF, 0xFE])),
        // FC04: 2 input registers at 0x0200 (the example in the sniff documentation).
        (adu([4, 0x04, 0x02, 0x00, 0x00, 0x02]), adu([4, 0x04, 0x04, 0x00, 0x64, 0x00, 0x00])),
        // FC05: coil 3 on, echoed.
        (adu([5, 0x05, 0x00, 0x03, 0xFF, 0x00]), adu([5, 0x05, 0x00, 0x03, 0xFF, 0x00])),
        // FC06: register 0 = 1205, echoed.
        (adu([6, 0x06, 0x00, 0x00, 0x04, 0xB5]), adu([6, 0x06, 0x00, 0x00, 0x04, 0xB5])),
        // FC15: 9 coils from 8.
        (adu([7, 0x0F, 0x00, 0x08, 0x00, 0x09, 0x02, 0b0000_1101, 0b0000_0001]), adu([7, 0x0F, 0x00, 0x08, 0x00, 0x09])),
        // FC16: 3 registers from 1.
        (adu([8, 0x10, 0x00, 0x01, 0x00, 0x03, 0x06, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03]), adu([8, 0x10, 0x00, 0x01, 0x00, 0x03])),
        // FC22: mask write register 0, echoed.
        (adu([9, 0x16, 0x00, 0x00, 0xFF, 0x00, 0x00, 0x12]), adu([9, 0x16, 0x00, 0x00, 0xFF, 0x00, 0x00, 0x12])),
        // FC23: write 2 at 5, read 3 at 4.
        (adu([10, 0x17, 0x00, 0x04, 0x00, 0x03, 0x00, 0x05, 0x00, 0x02, 0x04, 0x00, 55, 0x00, 56]),
         adu([10, 0x17, 0x06, 0x00, 0x00, 0x00, 55, 0x00, 56])),
        // FC17: report server id.
        (adu([11, 0x11]), adu([11, 0x11, 14, 11, 0xFF] + Array("HEPABUS-TEST".utf8))),
    ]

    static var stream: [UInt8] { pairs.flatMap { $0.request + $0.response } }
}

/// Feeds `stream` in chunks of `chunk` bytes (a frame split across reads when smaller than a frame), then flushes.
private func decodeAll(_ stream: [UInt8], chunk: Int = .max, silentInterval: Double? = nil) -> [SniffedFrame] {
    var decoder = RTUFrameDecoder(silentInterval: silentInterval)
    var frames: [SniffedFrame] = []
    var offset = 0
    while offset < stream.count {
        let end = min(stream.count, offset + chunk)
        frames += decoder.feed(stream[offset..<end])
        offset = end
    }
    return frames + decoder.flush()
}

@Suite struct SniffDecoderTests {
    @Test(arguments: [Int.max, 1, 3, 7])
    func everyFunctionCodeDecodesAsRequestThenResponse(chunk: Int) throws {
        let frames = decodeAll(Capture.stream, chunk: chunk)
        try #require(frames.count == Capture.pairs.count * 2, "\(frames.map(\.summary))")
        for (index, pair) in Capture.pairs.enumerated() {
            let request = frames[2 * index], response = frames[2 * index + 1]
            #expect(request.direction == .request, "\(request.summary)")
            #expect(response.direction == .response, "\(response.summary)")
            #expect(request.bytes == pair.request)
            #expect(response.bytes == pair.response)
            #expect(request.crc == .ok && response.crc == .ok)
            #expect(request.unit == pair.request[0] && response.unit == pair.request[0])
            #expect(request.function?.rawValue == pair.request[1] && response.function == request.function)
            #expect(request.malformed == nil && response.malformed == nil, "\(request.summary) / \(response.summary)")
        }
        let f = { (i: Int) in frames[i] }
        // FC01: the response's bit count comes from the request.
        #expect(f(0).address == 0x10 && f(0).count == 10)
        #expect(f(1).values == .bits([true, false, true, false, false, false, false, false, false, true]))
        #expect(f(1).address == 0x10)
        #expect(f(3).values == .bits([true, false, true]))
        #expect(f(4).address == 100 && f(4).count == 2)
        #expect(f(5).values == .registers([1234, 65534]))
        #expect(f(7).values == .registers([100, 0]) && f(7).address == 0x0200)
        #expect(f(8).values == .bits([true]) && f(8).address == 3)
        #expect(f(11).values == .registers([1205]))
        #expect(f(12).address == 8 && f(12).count == 9)
        #expect(f(12).values == .bits([true, false, true, true, false, false, false, false, true]))
        #expect(f(13).address == 8 && f(13).count == 9 && f(13).values == nil)
        #expect(f(14).values == .registers([1, 2, 3]) && f(14).count == 3)
        #expect(f(15).address == 1 && f(15).count == 3)
        #expect(f(16).andMask == 0xFF00 && f(16).orMask == 0x0012)
        #expect(f(17).andMask == 0xFF00)
        #expect(f(18).address == 4 && f(18).count == 3 && f(18).writeAddress == 5 && f(18).writeCount == 2)
        #expect(f(18).values == .registers([55, 56]))
        #expect(f(19).values == .registers([0, 55, 56]) && f(19).address == 4)
        #expect(f(21).serverID?.serverID == 11 && f(21).serverID?.isRunning == true)
        #expect(f(21).serverID?.text == "HEPABUS-TEST")
    }

    @Test func summaryLinesReadAsDocumented() {
        let frames = decodeAll(Capture.pairs[3].request + Capture.pairs[3].response)
        #expect(frames.map(\.summary) == [
            "REQ  unit 4  FC04 read input registers  addr 0x0200 count 2  CRC ok  [04 04 02 00 00 02 70 26]",
            "RSP  unit 4  FC04 read input registers  values [100, 0]  CRC ok  [\(hexString(Capture.pairs[3].response))]",
        ])
        let id = decodeAll(Capture.pairs[10].request + Capture.pairs[10].response)
        #expect(id[1].summary.contains("FC17 report server id  server id 0x0B, run indicator on, \"HEPABUS-TEST\""))
    }

    @Test func exceptionResponsesAreNamed() throws {
        let stream = adu([4, 0x03, 0x01, 0x00, 0x00, 0x05]) + adu([4, 0x83, 0x02])
            + adu([4, 0x10, 0x00, 0x00, 0x00, 0x01, 0x02, 0x12, 0x34]) + adu([4, 0x90, 0x04])
        let frames = decodeAll(stream, chunk: 2)
        try #require(frames.count == 4, "\(frames.map(\.summary))")
        #expect(frames[1].direction == .response)
        #expect(frames[1].exception == .illegalDataAddress)
        #expect(frames[1].function == .readHoldingRegisters)
        #expect(frames[1].address == 0x100)
        #expect(frames[1].summary.contains("exception 0x02 illegal data address"))
        #expect(frames[3].exception == .serverDeviceFailure && frames[3].function == .writeMultipleRegisters)
    }

    @Test func aCorruptedCRCIsReportedWithExpectedAndReceivedAndTheNextFramesSurvive() throws {
        var badResponse = Capture.pairs[2].response
        badResponse[badResponse.count - 1] ^= 0xA5
        var badRequest = Capture.pairs[3].request
        badRequest[badRequest.count - 2] ^= 0x01
        let stream = Capture.pairs[2].request + badResponse + badRequest + Capture.pairs[3].request + Capture.pairs[3].response
        for chunk in [Int.max, 1, 5] {
            let frames = decodeAll(stream, chunk: chunk)
            try #require(frames.count == 5, "chunk \(chunk): \(frames.map(\.summary))")
            // The damaged response: still recognised as the answer, values and all.
            #expect(frames[1].direction == .response)
            #expect(frames[1].values == .registers([1234, 65534]))
            let good = CRC16.compute(badResponse.dropLast(2))
            let received = UInt16(badResponse[badResponse.count - 2]) | UInt16(badResponse[badResponse.count - 1]) << 8
            #expect(frames[1].crc == .bad(expected: good, received: received))
            #expect(frames[1].summary.contains("CRC BAD (expected 0x"))
            // The damaged request: recognised because a valid frame follows it.
            #expect(frames[2].direction == .request && !frames[2].crc.isOK)
            #expect(frames[3].crc == .ok && frames[3].direction == .request)
            #expect(frames[4].crc == .ok && frames[4].direction == .response && frames[4].values == .registers([100, 0]))
        }
    }

    @Test func garbageBetweenFramesIsSetAsideAndTheRestDecodes() throws {
        let garbage: [UInt8] = [0xDE, 0xAD, 0xBE, 0xEF, 0x00]
        let stream = Capture.pairs[2].request + Capture.pairs[2].response + garbage
            + Capture.pairs[5].request + Capture.pairs[5].response + [0x55]
            + Capture.pairs[7].request + Capture.pairs[7].response
        for chunk in [Int.max, 1, 4] {
            let frames = decodeAll(stream, chunk: chunk)
            #expect(frames.map(\.direction) == [.request, .response, .unknown, .request, .response, .unknown, .request, .response],
                    "chunk \(chunk): \(frames.map(\.summary))")
            guard frames.count == 8 else { continue }
            #expect(frames[2].bytes == garbage)
            #expect(frames[2].unit == nil && frames[2].function == nil)
            #expect(frames[2].summary.hasPrefix("???  unknown bytes (5)"))
            #expect(frames[5].bytes == [0x55] && frames[5].crc == .missing)
            #expect(frames[7].function == .writeMultipleRegisters && frames[7].crc == .ok)
        }
    }

    @Test func aListenerStartingMidFrameResynchronises() throws {
        // The tail of a response the listener missed the start of, then normal traffic.
        let stream = Array(Capture.pairs[2].response.suffix(5)) + Capture.stream
        let frames = decodeAll(stream, chunk: 3)
        #expect(frames.first?.direction == .unknown)
        #expect(frames.dropFirst().count == Capture.pairs.count * 2, "\(frames.map(\.summary))")
        #expect(frames.dropFirst().allSatisfy { $0.crc == .ok && $0.direction != .unknown })
    }

    // Seed 961 holds garbage that forms a CRC-valid (implausible) frame by chance.
    @Test(arguments: Array(UInt64(1)...UInt64(50)) + [961])
    func randomGarbageNeverCostsAValidFrame(seed: UInt64) {
        var random = SplitMix(seed: seed)
        var transmissions: [[UInt8]] = []
        var expected: [[UInt8]] = []
        for _ in 0..<40 {
            let pair = Capture.pairs[Int(random.next() % UInt64(Capture.pairs.count))]
            transmissions += [pair.request, pair.response]
            expected += [pair.request, pair.response]
            if random.next() % 2 == 0 {
                transmissions.append((0..<(1 + random.next() % 6)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
            }
        }
        let stream = transmissions.flatMap { $0 }
        // Without timing, in arbitrary pieces.
        let frames = decodeAll(stream, chunk: Int(1 + random.next() % 16))
        let valid = frames.filter { $0.crc == .ok && $0.direction != .unknown }
        #expect(valid.map(\.bytes) == expected, "seed \(seed): \(frames.map(\.summary).joined(separator: "\n"))")
        #expect(valid.map(\.direction) == Array(repeating: [.request, .response], count: 40).flatMap { $0 })
        #expect(frames.reduce(0) { $0 + $1.bytes.count } == stream.count)  // every byte accounted for
        // With timing: each transmission its own burst, 10 ms apart.
        var timed = RTUFrameDecoder(silentInterval: 0.005)
        var timedFrames: [SniffedFrame] = []
        for (index, transmission) in transmissions.enumerated() {
            timedFrames += timed.feed(transmission, at: 1000 + Double(index) * 0.01)
        }
        timedFrames += timed.flush()
        #expect(timedFrames.filter { $0.crc == .ok && $0.direction != .unknown }.map(\.bytes) == expected,
                "seed \(seed) (timed): \(timedFrames.map(\.summary).joined(separator: "\n"))")
        #expect(timedFrames.count == transmissions.count, "\(timedFrames.map(\.summary).joined(separator: "\n"))")
    }

    @Test func aResponseWithoutItsRequestStillDecodes() throws {
        let frames = decodeAll(Capture.pairs[2].response + Capture.pairs[3].request + Capture.pairs[3].response)
        try #require(frames.count == 3, "\(frames.map(\.summary))")
        #expect(frames[0].direction == .response && frames[0].values == .registers([1234, 65534]))
        #expect(frames[0].address == nil)
    }

    @Test func aRepeatedWriteIsANewRequestNotAnEcho() throws {
        // The first write went unanswered; the master wrote another value to the same register.
        let first = adu([6, 0x06, 0x00, 0x00, 0x00, 0x01]), second = adu([6, 0x06, 0x00, 0x00, 0x00, 0x02])
        let frames = decodeAll(first + second + second)
        #expect(frames.map(\.direction) == [.request, .request, .response])
        // A broadcast is never answered: the frame after it is a request.
        let broadcast = decodeAll(adu([0, 0x06, 0x00, 0x04, 0x55, 0x55]) + adu([0, 0x06, 0x00, 0x04, 0x55, 0x55]))
        #expect(broadcast.map(\.direction) == [.request, .request])
        #expect(broadcast[0].summary.contains("unit 0 (broadcast)"))
    }

    @Test func aFrameSplitAcrossReadsWaitsForItsRest() {
        var decoder = RTUFrameDecoder()
        let request = Capture.pairs[7].request
        #expect(decoder.feed(request.prefix(5)).isEmpty)
        #expect(decoder.bufferedByteCount == 5)
        #expect(decoder.feed(request.dropFirst(5).prefix(4)).isEmpty)
        let frames = decoder.feed(request.dropFirst(9))
        #expect(frames.count == 1 && frames.first?.bytes == request)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func aLongFrameArrivingInPiecesIsNotCutAtFrameLikeData() throws {
        // 125 registers whose data happen to spell a whole valid frame, read in 10-byte pieces.
        let embedded = adu([1, 0x03, 0x00, 0x00, 0x00, 0x01])
        var data = [UInt8](repeating: 0, count: 250)
        data.replaceSubrange(40..<48, with: embedded)
        let request = adu([1, 0x03, 0x00, 0x00, 0x00, 125]), response = adu([1, 0x03, 250] + data)
        let writes = adu([1, 0x10, 0x00, 0x00, 0x00, 125 / 2, 124] + data.prefix(124))
        let frames = decodeAll(request + response + writes, chunk: 10)
        #expect(frames.map(\.bytes) == [request, response, writes], "\(frames.map(\.summary))")
    }

    @Test func silenceEndsFramesWhenTimestampsAreKnown() throws {
        var decoder = RTUFrameDecoder(silentInterval: 0.005)
        var frames: [SniffedFrame] = []
        // A truncated request, 10 ms of silence, then a whole one.
        frames += decoder.feed([3, 0x03, 0x00], at: 100.000)
        frames += decoder.feed(Capture.pairs[2].request, at: 100.010)
        // A function without a length rule (0x41), valid CRC, ended by silence.
        let custom = adu([3, 0x41, 0x01, 0x02, 0x03])
        frames += decoder.feed(custom, at: 100.020)
        frames += decoder.feed(Capture.pairs[3].request, at: 100.030)
        frames += decoder.flush()
        try #require(frames.count == 4, "\(frames.map(\.summary))")
        #expect(frames[0].direction == .unknown && frames[0].bytes == [3, 0x03, 0x00] && frames[0].time == 100.000)
        #expect(frames[1].direction == .request && frames[1].time == 100.010)
        #expect(frames[2].bytes == custom && frames[2].crc == .ok && frames[2].function?.rawValue == 0x41)
        #expect(frames[3].function == .readInputRegisters && frames[3].time == 100.030)
        // A damaged frame followed by silence is a frame with a bad CRC, not garbage.
        var damaged = Capture.pairs[5].request
        damaged[2] ^= 0xFF
        var quiet = RTUFrameDecoder(silentInterval: 0.005)
        #expect(quiet.feed(damaged, at: 1).isEmpty)
        let flushed = quiet.flush()
        #expect(flushed.count == 1 && flushed.first?.direction == .request && flushed.first?.crc.isOK == false)
    }

    @Test func theSilentIntervalFollowsTheBaudRate() {
        #expect(abs(RTUFrameDecoder.silentInterval(for: SerialSettings(baudRate: 9600, parity: .even)) - 3.5 * 11 / 9600) < 1e-9)
        #expect(RTUFrameDecoder.silentInterval(for: SerialSettings(baudRate: 115200)) == 0.00175)
    }
}

/// The bus tap: a second adapter's view of a served line.
@Suite(.serialized) struct SniffTapTests {
    final class TappedLine {
        let units = Rig.makeUnits([1, 2])
        let line: PseudoTerminal
        let tap: PseudoTerminal
        let server: ModbusRTUServer

        init() throws {
            line = try PseudoTerminal()
            tap = try PseudoTerminal()
            server = ModbusRTUServer(pty: line, units: units, settings: SerialSettings(baudRate: 115200, parity: .even), tap: tap)
            server.start()
        }

        func client() throws -> ModbusClient {
            try ModbusClient(endpoint: .rtu(path: line.secondaryPath, settings: SerialSettings(baudRate: 115200, parity: .even)),
                             options: Rig.fastOptions)
        }

        deinit { server.stop() }
    }

    /// Reads the tap until `count` frames decode or `within` passes.
    func listen(_ listener: PassiveLineListener, for count: Int, within: Duration = .seconds(3)) throws -> [SniffedFrame] {
        var decoder = RTUFrameDecoder(silentInterval: 0.02)
        var frames: [SniffedFrame] = []
        let deadline = ContinuousClock.now + within
        while frames.count < count && ContinuousClock.now < deadline {
            if let chunk = try listener.read(timeout: .milliseconds(50)) {
                frames += decoder.feed(chunk.bytes, at: chunk.time)
            } else if decoder.bufferedByteCount > 0 {
                frames += decoder.flush()
            }
        }
        return frames
    }

    @Test func aTransactionAppearsOnTheTapRequestThenResponse() throws {
        let rig = try TappedLine()
        try rig.units.model(for: 2).map { try ($0 as! RegisterMap).store(.input, address: 5, values: [321, 654]) }
        let listener = try PassiveLineListener(path: rig.tap.secondaryPath, settings: SerialSettings(baudRate: 115200, parity: .even))
        #expect(listener.otherHolder == nil)
        let client = try rig.client()
        #expect(try client.readInputRegisters(unit: 2, address: 5, count: 2) == [321, 654])
        try client.writeRegister(unit: 1, address: 7, value: 99)
        let frames = try listen(listener, for: 4)
        try #require(frames.count == 4, "\(frames.map(\.summary))")
        #expect(frames[0].bytes == adu([2, 0x04, 0x00, 0x05, 0x00, 0x02]))
        #expect(frames[0].direction == .request)
        #expect(frames[1].direction == .response && frames[1].values == .registers([321, 654]) && frames[1].unit == 2)
        #expect(frames[2].direction == .request && frames[2].function == .writeSingleRegister)
        #expect(frames[3].direction == .response && frames[3].values == .registers([99]))
        #expect(frames.allSatisfy { $0.crc == .ok })
        // The counter moves just after the bytes do: allow it a moment.
        let heard = frames.reduce(0) { $0 + $1.bytes.count }
        let deadline = ContinuousClock.now + .seconds(1)
        while rig.server.tapBytesWritten < heard && ContinuousClock.now < deadline { usleep(1000) }
        #expect(rig.server.tapBytesWritten == heard)
        #expect(rig.server.tapBytesDropped == 0)
    }

    /// The decoder's work on noise grows linearly with the bytes fed (issue 9,
    /// item 6): rescanning the whole buffer for a frame start at every byte, with
    /// a CRC from scratch for every candidate length, made it tens of thousands of
    /// CRC bytes a byte by estimate, and a noisy 115200 Bd line outran it.
    @Test func decodingNoiseIsLinearWork() {
        func crcBytesPerByte(_ n: Int, timed: Bool) -> Double {
            var state: UInt64 = 0x2545_F491_4F6C_DD1D
            var decoder = RTUFrameDecoder(silentInterval: timed ? 0.02 : nil)
            var fed = 0
            while fed < n {
                let chunk = (0..<64).map { _ in
                    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    return UInt8(truncatingIfNeeded: state >> 56)
                }
                // Stamped at 115200 Bd, never silent: one long burst of noise.
                _ = decoder.feed(chunk, at: timed ? Double(fed) / 11_520 : nil)
                fed += chunk.count
            }
            let frames = decoder.flush()
            #expect(frames.allSatisfy { $0.direction == .unknown || $0.crc.isOK }, "noise decodes into unknown bytes and chance frames")
            return Double(decoder.checksummedByteCount) / Double(n)
        }
        for timed in [false, true] {
            let small = crcBytesPerByte(2048, timed: timed)
            let large = crcBytesPerByte(16384, timed: timed)
            // At most about a longest frame (256 bytes) a byte, the same for a long capture as for a short one.
            #expect(large <= 320, "\(large) CRC bytes a byte")
            #expect(large <= small * 1.25 + 8, "work a byte grew from \(small) to \(large) with 8x the bytes")
        }
    }

    /// `sniff` worked once per tap: the next open failed with `tcsetattr failed:
    /// Invalid argument` (a pty holds no parity), and the first listener's
    /// settings stayed on the tap for the next one (issue 9, item 5).
    @Test func aTapOpensForEveryListenerAndIsLeftAsFound() throws {
        let tap = try PseudoTerminal()
        let observer = open(tap.secondaryPath, O_RDONLY | O_NOCTTY | O_NONBLOCK)
        try #require(observer >= 0)
        defer { Glibc.close(observer) }
        let found = try SerialLine.captureState(fd: observer)
        for _ in 0..<3 {
            let listener = try PassiveLineListener(path: tap.secondaryPath, settings: SerialSettings(baudRate: 19200, parity: .even))
            #expect(try SerialLine.readSettings(fd: observer).baudRate == 19200)
            listener.close()
            #expect(try SerialLine.captureState(fd: observer) == found)
        }
    }

    /// A program that took the port after the listener opened it keeps its settings.
    @Test func aListenerLeavesAloneTheSettingsOfAProgramThatTookThePortSince() throws {
        let line = try PseudoTerminal()
        let listener = try PassiveLineListener(path: line.secondaryPath, settings: SerialSettings(baudRate: 19200))
        let port = try SerialPort(path: line.secondaryPath, settings: SerialSettings(baudRate: 57600))
        listener.close()
        #expect(try port.currentSettings().baudRate == 57600)
    }

    @Test func aTapNobodyReadsNeverStallsTheLine() throws {
        let rig = try TappedLine()
        let client = try rig.client()
        // ~1 MB of replies: far more than a pty buffers, with nobody reading the tap.
        let started = ContinuousClock.now
        for _ in 0..<4000 {
            _ = try client.readHoldingRegisters(unit: 1, address: 0, count: 125)
        }
        #expect(ContinuousClock.now - started < .seconds(60))
        #expect(rig.server.tapBytesDropped > 0)
        #expect(rig.server.tapBytesWritten > 0)
        // A listener arriving now hears live traffic, not the stale backlog.
        let listener = try PassiveLineListener(path: rig.tap.secondaryPath, settings: SerialSettings())
        #expect(try client.readCoils(unit: 2, address: 1, count: 3) == [false, false, false])
        let frames = try listen(listener, for: 2)
        #expect(frames.map(\.function) == [.readCoils, .readCoils], "\(frames.map(\.summary))")
    }

    @Test func theServerWithoutATapBehavesAsBefore() throws {
        let units = Rig.makeUnits([1])
        let pty = try PseudoTerminal()
        let server = ModbusRTUServer(pty: pty, units: units)
        server.start()
        defer { server.stop() }
        let client = try ModbusClient(endpoint: .rtu(path: pty.secondaryPath, settings: SerialSettings()), options: Rig.fastOptions)
        try client.writeRegister(unit: 1, address: 3, value: 42)
        #expect(try client.readHoldingRegisters(unit: 1, address: 3, count: 1) == [42])
        #expect(server.tapBytesWritten == 0 && server.tapBytesDropped == 0)
    }
}

/// A small deterministic generator, so a failing fuzz case can be replayed.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
