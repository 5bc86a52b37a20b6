import ArgumentParser
import Foundation
import Modbus
import Serial

/// `hepabus sniff`: listen to a Modbus RTU bus without taking part, and decode every frame.
struct SniffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sniff",
        abstract: "Listen to a Modbus RTU bus (read-only) and decode every frame going by.",
        discussion: """
            ENDPOINT is a serial adapter clipped onto the bus, or a simulator's bus tap \
            (<run dir>/<bus>.tap, named "tap" in its manifest). The port is opened read-only and \
            never locked (no flock, no TIOCEXCL) and nothing is ever sent, so technicians' tools and \
            the treatment keep the bus. Listen on a second adapter: bytes read from a port another \
            program uses are taken from that program.

            One line per frame: time, REQ/RSP (??? for bytes that form no frame), unit, function, \
            addresses, counts, values or exception, CRC status, raw bytes. --json prints one object \
            per frame, then {"summary": {...}}. The summary (also on standard error) counts the \
            frames and the bytes left unread at the end (frames past --count, bytes the decoder \
            still held, bytes still queued on the line) and the stale bytes dropped at opening. \
            Stops after --duration seconds, after --count frames, or on Ctrl-C (exit 0); exit 1 if \
            the port cannot be opened or goes away.
            """)

    @Argument(help: "The serial device to listen on (e.g. /dev/ttyUSB1, or a simulator's <run dir>/<bus>.tap).")
    var endpoint: String

    @Option(help: "Baud rate.")
    var baud: UInt32 = 115200

    /// Even by default: Modbus over serial line specifies 8E1, and every circuit bus is 8E1.
    @Option(help: "Parity: none, even or odd (even is Modbus's default, --parity none for 8N1 buses).")
    var parity: ParityArgument = .even

    @Option(name: .customLong("data-bits"), help: "Data bits: 7 or 8.")
    var dataBits: Int = 8

    @Option(name: .customLong("stop-bits"), help: "Stop bits: 1 or 2.")
    var stopBits: Int = 1

    @Option(name: .customLong("gap"),
            help: "Silence in milliseconds that ends a frame (default: 3.5 characters, at least 20: adapters and ptys deliver bytes in bursts).")
    var gapMilliseconds: Double?

    @Option(help: "Stop after this many seconds.")
    var duration: Double?

    @Option(help: "Stop after this many frames.")
    var count: Int?

    @Flag(help: "Print one JSON object per frame.")
    var json = false

    func validate() throws {
        if endpoint.contains("://") {
            throw ValidationError("endpoint '\(endpoint)': sniff listens on a serial line (a device path); a tcp:// endpoint has no bus to listen to")
        }
        guard endpoint.hasPrefix("/") else {
            throw ValidationError("endpoint '\(endpoint)': a serial device path must be absolute (e.g. /dev/ttyUSB1)")
        }
        guard baud >= 50 && baud <= 4_000_000 else { throw ValidationError("--baud \(baud) is out of range 50-4000000") }
        guard dataBits == 7 || dataBits == 8 else { throw ValidationError("--data-bits must be 7 or 8 for Modbus RTU, not \(dataBits)") }
        guard stopBits == 1 || stopBits == 2 else { throw ValidationError("--stop-bits must be 1 or 2, not \(stopBits)") }
        if let gapMilliseconds, !(gapMilliseconds >= 1 && gapMilliseconds <= 10_000) {
            throw ValidationError("--gap \(gapMilliseconds) is out of range 1-10000 ms")
        }
        if let duration, !(duration > 0 && duration <= 86_400 * 7) {
            throw ValidationError("--duration \(duration) is out of range (0, 604800] seconds")
        }
        if let count, count < 1 { throw ValidationError("--count \(count) must be at least 1") }
    }

    var settings: SerialSettings {
        SerialSettings(baudRate: BaudRate(rawValue: baud), parity: parity.parity,
                       dataBits: dataBits == 7 ? .seven : .eight, stopBits: stopBits == 2 ? .two : .one)
    }

    /// Seconds of silence that end a frame. The wire's 3.5 characters are far
    /// shorter than the bursts in which USB adapters and ptys hand bytes over.
    var gap: Double {
        gapMilliseconds.map { $0 / 1000 } ?? max(RTUFrameDecoder.silentInterval(for: settings), 0.02)
    }

    func run() async throws {
        let listener: PassiveLineListener
        do {
            listener = try PassiveLineListener(path: endpoint, settings: settings)
        } catch {
            throw CommandFailure.device("cannot open \(endpoint) to listen: \(error)")
        }
        if let holder = listener.otherHolder {
            Terminal.writeStderr("hepabus: warning: \(endpoint) is \(holder): its line settings are left as they are, and "
                + "every byte read here is taken from that program; listen on a second adapter on the bus instead\n")
        }
        let stops = [duration.map { "after \(String(format: "%g", $0)) s" }, count.map { "after \($0) frames" }, "on Ctrl-C"]
            .compactMap { $0 }
        Terminal.writeStderr("sniffing \(endpoint) at \(settings), read-only and unlocked; a frame ends after "
            + "\(String(format: "%g", gap * 1000)) ms of silence; stops \(stops.dropLast().joined(separator: ", "))"
            + (stops.count > 1 ? " or " : "") + stops.last! + "\n")
        InterruptFlag.install()
        var printer = FramePrinter(json: json, limit: count)
        var decoder = RTUFrameDecoder(silentInterval: gap)
        let deadline = duration.map { ContinuousClock.now + .milliseconds(Int64($0 * 1000)) }
        while !InterruptFlag.isRaised && !printer.isDone {
            if let deadline, ContinuousClock.now >= deadline { break }
            // Short waits keep Ctrl-C, the deadline and the end-of-frame silence prompt.
            var wait = Duration.milliseconds(100)
            if let last = decoder.lastByteTime {
                let quietFor = PassiveLineListener.wallClock() - last
                wait = min(wait, .milliseconds(Int64(max(0, gap - quietFor) * 1000) + 1))
            }
            if let deadline { wait = min(wait, max(.zero, deadline - ContinuousClock.now)) }
            let chunk: (bytes: [UInt8], time: Double)?
            do {
                chunk = try listener.read(timeout: wait)
            } catch {
                printer.print(decoder.flush())
                printer.finish(queued: nil, staleDropped: listener.staleBytesDiscarded)
                throw CommandFailure.device("lost \(endpoint) while listening: \(error)")
            }
            if let chunk {
                printer.print(decoder.feed(chunk.bytes, at: chunk.time))
            } else if let last = decoder.lastByteTime, PassiveLineListener.wallClock() - last >= gap {
                printer.print(decoder.flush())
            }
        }
        // Whatever was on its way when we stopped; past --count it is unread, and said so.
        if printer.isDone { printer.heldByDecoder = decoder.bufferedByteCount } else { printer.print(decoder.flush()) }
        printer.finish(queued: listener.queuedByteCount(), staleDropped: listener.staleBytesDiscarded)
    }
}

/// Prints sniffed frames, one line (or JSON object) each, up to a limit, and counts them.
private struct FramePrinter {
    let json: Bool
    let limit: Int?
    private(set) var printed = 0
    private var badCRC = 0
    private var unknown = 0
    /// Bytes of frames decoded after --count was reached: heard, never shown.
    private var pastLimit = 0
    /// Bytes the decoder still held when listening stopped at --count.
    var heldByDecoder = 0

    init(json: Bool, limit: Int?) {
        self.json = json
        self.limit = limit
    }

    var isDone: Bool { limit.map { printed >= $0 } ?? false }

    /// "12 frames: 1 with a bad CRC, 0 unrecognised; 0 bytes unread at the end; …".
    func tally(queued: Int?, staleDropped: Int) -> String {
        let unread = pastLimit + heldByDecoder + (queued ?? 0)
        return "\(printed) frame\(printed == 1 ? "" : "s"): \(badCRC) with a bad CRC, \(unknown) unrecognised; "
            + "\(unread) byte\(unread == 1 ? "" : "s") unread at the end (\(pastLimit) in frames past the count, "
            + "\(heldByDecoder) held by the decoder, \(queued.map(String.init) ?? "unknown") queued on the line); "
            + "\(staleDropped) stale byte\(staleDropped == 1 ? "" : "s") dropped at opening"
    }

    /// Prints the summary: on standard error, and with --json also as the last object on standard output.
    func finish(queued: Int?, staleDropped: Int) {
        if json {
            let unread = pastLimit + heldByDecoder + (queued ?? 0)
            Terminal.line("{\"summary\":{\"frames\":\(printed),\"bad_crc\":\(badCRC),\"unrecognised\":\(unknown),"
                + "\"unread_bytes\":\(unread),\"unread_past_count\":\(pastLimit),\"unread_in_decoder\":\(heldByDecoder),"
                + "\"unread_queued\":\(queued.map(String.init) ?? "null"),\"stale_bytes_dropped\":\(staleDropped)}}")
        }
        Terminal.writeStderr(tally(queued: queued, staleDropped: staleDropped) + "\n")
    }

    mutating func print(_ frames: [SniffedFrame]) {
        for frame in frames {
            if isDone {
                pastLimit += frame.bytes.count
                continue
            }
            printed += 1
            if !frame.crc.isOK { badCRC += 1 }
            if frame.direction == .unknown { unknown += 1 }
            let time = frame.time.map(Terminal.timestamp) ?? "-"
            Terminal.line(json ? Self.json(frame, time: time) : "\(time)  \(frame.summary)")
        }
    }

    /// `{"time":"…","direction":"request","unit":4,"function":4,"function_name":"read input registers",
    /// "address":512,"count":2,"crc":"ok","raw":"04 04 02 00 00 02 70 26"}`.
    static func json(_ frame: SniffedFrame, time: String) -> String {
        var fields = ["\"time\":\"\(time)\"", "\"direction\":\"\(frame.direction.rawValue)\"",
                      "\"unit\":\(frame.unit.map(String.init) ?? "null")",
                      "\"function\":\(frame.function.map { String($0.rawValue) } ?? "null")"]
        if let function = frame.function { fields.append("\"function_name\":\"\(jsonEscaped(function.name))\"") }
        if let exception = frame.exception {
            fields.append("\"exception\":\(exception.rawValue)")
            fields.append("\"exception_name\":\"\(jsonEscaped(exception.name))\"")
        }
        if let address = frame.address { fields.append("\"address\":\(address)") }
        if let count = frame.count { fields.append("\"count\":\(count)") }
        if let writeAddress = frame.writeAddress { fields.append("\"write_address\":\(writeAddress)") }
        if let writeCount = frame.writeCount { fields.append("\"write_count\":\(writeCount)") }
        if let andMask = frame.andMask { fields.append("\"and_mask\":\(andMask)") }
        if let orMask = frame.orMask { fields.append("\"or_mask\":\(orMask)") }
        switch frame.values {
        case .registers(let registers)?:
            fields.append("\"value_type\":\"registers\"")
            fields.append("\"values\":[\(registers.map(String.init).joined(separator: ","))]")
        case .bits(let bits)?:
            fields.append("\"value_type\":\"bits\"")
            fields.append("\"values\":[\(bits.map { $0 ? "1" : "0" }.joined(separator: ","))]")
        case nil:
            break
        }
        if let report = frame.serverID {
            var id = ["\"id\":\(report.serverID.map(String.init) ?? "null")",
                      "\"running\":\(report.isRunning.map { $0 ? "true" : "false" } ?? "null")"]
            if let text = report.text { id.append("\"text\":\"\(jsonEscaped(text))\"") }
            fields.append("\"server_id\":{\(id.joined(separator: ","))}")
        }
        if let malformed = frame.malformed { fields.append("\"malformed\":\"\(jsonEscaped(malformed))\"") }
        switch frame.crc {
        case .ok:
            fields.append("\"crc\":\"ok\"")
        case .bad(let expected, let received):
            fields.append("\"crc\":\"bad\"")
            fields.append("\"crc_expected\":\"\(hex16(expected))\"")
            fields.append("\"crc_received\":\"\(hex16(received))\"")
        case .missing:
            fields.append("\"crc\":\"missing\"")
        }
        fields.append("\"raw\":\"\(hexString(frame.bytes))\"")
        return "{\(fields.joined(separator: ","))}"
    }

    private static func hex16(_ value: UInt16) -> String {
        "0x" + String(value, radix: 16, uppercase: true).leftPadded(to: 4)
    }
}
