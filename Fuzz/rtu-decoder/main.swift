// libFuzzer target: the passive RTU frame decoder on bytes as a sniffer hears them.
//
// Input: byte 0 chooses timing (bit 0) and chunk size (bits 1-5); byte 1 says which of the
// first eight chunks end in a silence; the rest is the bus traffic. Checked beyond "no
// crash": every byte fed comes back in exactly one frame, in order, nothing stays buffered
// after the final flush, and every frame's summary renders.
import FuzzSupport
import Modbus

fuzzMain { input in
    guard input.count >= 2 else { return }
    let timed = input[0] & 1 == 1
    let chunkSize = Int(input[0] >> 1) % 32 + 1
    let silences = input[1]
    let traffic = input[2...]

    var decoder = RTUFrameDecoder(silentInterval: timed ? 0.00175 : nil)
    var heard: [UInt8] = []
    func take(_ frames: [SniffedFrame]) {
        for frame in frames {
            heard += frame.bytes
            _ = frame.summary
        }
    }
    var time = 1_000.0
    var start = traffic.startIndex
    var chunk = 0
    while start < traffic.endIndex {
        let end = min(start + chunkSize, traffic.endIndex)
        take(decoder.feed(traffic[start..<end], at: timed ? time : nil))
        if chunk < 8, silences & (1 << chunk) != 0 {
            time += 0.01
            if timed { take(decoder.flush()) }
        } else {
            time += 0.0001
        }
        start = end
        chunk += 1
    }
    take(decoder.flush())
    precondition(heard == Array(traffic), "the decoder lost, added or reordered bytes")
    precondition(decoder.bufferedByteCount == 0, "bytes still buffered after a flush")
}
