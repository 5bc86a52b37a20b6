import Foundation
import Modbus

/// `decoder`: how fast ``RTUFrameDecoder`` splits a captured byte stream, on
/// random noise and on valid traffic, against the line rate it must keep up with.
/// Bytes are fed as `sniff` feeds them: chunks stamped with the time they would
/// have arrived at 115200 Bd, the line never silent.
struct DecoderBenchmark {
    var bytes = 1_000_000
    var rounds = 3
    var chunk = 64

    /// 115200 Bd at 10 bits a character: what a busy line carries.
    static let lineRate = 11_520.0
    /// Ten times the line rate: headroom for a loaded machine.
    static let target = 10 * lineRate

    struct Result {
        var name: String
        var bytes: Int
        var frames: Int
        var badFrames: Int
        var bytesPerSecond: Double
        var checksummedPerByte: Double

        var json: JSON {
            .object([("bytes", .int(bytes)), ("frames", .int(frames)), ("bad_or_unknown_frames", .int(badFrames)),
                      ("bytes_per_second", .number(bytesPerSecond, decimals: 0)),
                      ("crc_bytes_per_byte", .number(checksummedPerByte, decimals: 2)),
                      ("meets_target", .bool(bytesPerSecond >= DecoderBenchmark.target))])
        }
    }

    func run() -> (noise: Result, valid: Result) {
        var generator = SplitMix64(seed: 0x9E37_79B9)
        let noise = (0..<bytes).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        return (measure("noise", noise), measure("valid", Self.traffic(bytes: bytes)))
    }

    /// The median of `rounds` timed runs over `stream`.
    private func measure(_ name: String, _ stream: [UInt8]) -> Result {
        var rates: [Double] = []
        var last = Result(name: name, bytes: stream.count, frames: 0, badFrames: 0, bytesPerSecond: 0, checksummedPerByte: 0)
        for _ in 0..<rounds {
            var decoder = RTUFrameDecoder(silentInterval: 0.02)
            var frames = 0, bad = 0
            let byteTime = 1 / Self.lineRate
            let started = ContinuousClock.now
            var offset = 0
            while offset < stream.count {
                let end = min(offset + chunk, stream.count)
                for frame in decoder.feed(stream[offset..<end], at: Double(end) * byteTime) {
                    frames += 1
                    if !frame.crc.isOK || frame.direction == .unknown { bad += 1 }
                }
                offset = end
            }
            for frame in decoder.flush() {
                frames += 1
                if !frame.crc.isOK || frame.direction == .unknown { bad += 1 }
            }
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            rates.append(Double(stream.count) / max(seconds, 1e-9))
            last = Result(name: name, bytes: stream.count, frames: frames, badFrames: bad, bytesPerSecond: 0,
                          checksummedPerByte: Double(decoder.checksummedByteCount) / Double(max(stream.count, 1)))
        }
        last.bytesPerSecond = rates.sorted()[rates.count / 2]
        return last
    }

    /// Back-to-back request/response pairs of the functions the circuit uses, about `bytes` long.
    static func traffic(bytes: Int) -> [UInt8] {
        let pairs: [([UInt8], [UInt8])] = [
            ([1, 0x03, 0x00, 0x00, 0x00, 0x0A], [1, 0x03, 20] + (0..<20).map { UInt8($0) }),
            ([2, 0x04, 0x00, 0x10, 0x00, 0x02], [2, 0x04, 4, 0x01, 0x02, 0x03, 0x04]),
            ([3, 0x06, 0x02, 0x00, 0x00, 0x01], [3, 0x06, 0x02, 0x00, 0x00, 0x01]),
            ([4, 0x10, 0x00, 0x20, 0x00, 0x02, 4, 0, 1, 0, 2], [4, 0x10, 0x00, 0x20, 0x00, 0x02]),
            ([5, 0x01, 0x00, 0x00, 0x00, 0x08], [5, 0x01, 1, 0x5A]),
            ([6, 0x03, 0x01, 0x00, 0x00, 0x01], [6, 0x83, 0x02]),
        ]
        var out: [UInt8] = []
        out.reserveCapacity(bytes + 64)
        var index = 0
        while out.count < bytes {
            let (request, response) = pairs[index % pairs.count]
            out += CRC16.appending(to: request) + CRC16.appending(to: response)
            index += 1
        }
        return out
    }
}

/// A small, fast, seeded generator: the same noise in every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// `decoder` subcommand.
func runDecoder(_ args: ArraySlice<String>) -> Int32 {
    var bench = DecoderBenchmark()
    var jsonOnly = false
    var rest = args
    while let arg = rest.popFirst() {
        switch arg {
        case "--bytes": bench.bytes = positiveInt(rest.popFirst(), "--bytes")
        case "--rounds": bench.rounds = positiveInt(rest.popFirst(), "--rounds")
        case "--chunk": bench.chunk = positiveInt(rest.popFirst(), "--chunk")
        case "--json": jsonOnly = true
        default: usageError("decoder: unknown option \(arg)")
        }
    }
    let (noise, valid) = bench.run()
    if !jsonOnly {
        print("RTU frame decoder, \(bench.bytes) bytes in \(bench.chunk)-byte chunks, median of \(bench.rounds) rounds")
        print("target: \(Int(DecoderBenchmark.target)) B/s (10x the \(Int(DecoderBenchmark.lineRate)) B/s of a busy 115200 Bd line)")
        for r in [noise, valid] {
            print(String(format: "  %-6@ %12.0f B/s  %7d frames (%d bad or unknown)  %.1f CRC bytes a byte  %@",
                         r.name, r.bytesPerSecond, r.frames, r.badFrames, r.checksummedPerByte,
                         r.bytesPerSecond >= DecoderBenchmark.target ? "meets target" : "BELOW TARGET"))
        }
    }
    let json = JSON.object([
        ("benchmark", .string("decoder")),
        ("line_rate_bytes_per_second", .number(DecoderBenchmark.lineRate, decimals: 0)),
        ("target_bytes_per_second", .number(DecoderBenchmark.target, decimals: 0)),
        ("noise", noise.json),
        ("valid", valid.json),
    ])
    print(json.encoded)
    fflush(nil)  // nil: every stream (stdout itself is not concurrency-safe to name)
    // Valid traffic that does not decode into valid frames is a broken run, not a slow one.
    return valid.badFrames == 0 ? 0 : 1
}
