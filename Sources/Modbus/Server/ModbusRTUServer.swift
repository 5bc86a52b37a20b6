import Glibc
public import Logging
public import Serial

/// A Modbus RTU server on one serial line (a pty primary for the simulator, or
/// a real port), answering for every unit in ``ServedUnits``: frames for other
/// units are skipped, as on a multi-drop RS-485 bus; frames with a bad CRC are
/// dropped unanswered and the line resynchronised; broadcasts (unit 0) are
/// applied by every unit and answered by none.
///
/// Framing is by length (each function's request size is known), with the
/// silent interval as the fallback for unknown functions and for resynchronising.
///
/// With a `tap`, every byte received from the line and every byte sent is also
/// copied, as it happens and in order, onto the tap pty's primary side: a program
/// reading the tap's secondary path hears the bus as a passive listener on a real
/// RS-485 line would (see ``RTUFrameDecoder``). The copy never blocks the server.
public final class ModbusRTUServer: Sendable {
    /// The units answered, each with its data model and any injected fault.
    public let units: ServedUnits
    private let fd: Int32
    private let owner: any Sendable
    private let settings: SerialSettings
    private let thread = ServerThread()
    /// Where the line's traffic is copied, if anywhere.
    private let tap: BusTapWriter?
    /// The host's logger: frames dropped as damaged and faults injected, at `.debug`.
    private let logger: Logger
    /// When true, each reply is held back for the time the request and the reply
    /// would occupy the wire at `settings` (a pty moves bytes instantly), so bus
    /// timing can be studied as on a real RS-485 line.
    public let emulatesWireTime: Bool

    /// Serves on the primary side of `pty`; clients open `pty.secondaryPath`.
    ///
    /// - Parameters:
    ///   - pty: the pseudo-terminal to serve on; the server keeps it alive.
    ///   - units: the unit addresses answered, each with its data model; others are ignored.
    ///   - settings: the line's settings, for wire-time emulation and inter-frame gaps.
    ///   - emulatesWireTime: hold each reply back for its time on the wire (``emulatesWireTime``).
    ///   - tap: a pty onto whose primary side the line's traffic (both
    ///     directions) is copied; listeners open `tap.secondaryPath`. The server
    ///     keeps it alive; close it only after ``stop()``.
    ///   - logger: where damaged requests and injected faults are logged (`.debug`); by
    ///     default nowhere.
    public convenience init(pty: PseudoTerminal, units: ServedUnits, settings: SerialSettings = SerialSettings(),
                            emulatesWireTime: Bool = false, tap: PseudoTerminal? = nil,
                            logger: Logger = Logger(label: "hepabus.modbus-server", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.init(fileDescriptor: pty.primaryDescriptor, owner: pty, units: units, settings: settings,
                  emulatesWireTime: emulatesWireTime, tap: tap, logger: logger)
    }

    /// Serves on an open, non-blocking descriptor that `owner` keeps alive.
    ///
    /// - Parameters:
    ///   - fileDescriptor: an open, non-blocking descriptor of the line (not closed by the server).
    ///   - owner: whatever owns `fileDescriptor`; held as long as the server, so the descriptor stays open.
    ///   - units: the unit addresses answered, each with its data model; others are ignored.
    ///   - settings: the line's settings, for wire-time emulation and inter-frame gaps.
    ///   - emulatesWireTime: hold each reply back for its time on the wire (``emulatesWireTime``).
    ///   - tap: a pty onto whose primary side the line's traffic (both
    ///     directions) is copied; listeners open `tap.secondaryPath`. The server
    ///     keeps it alive; close it only after ``stop()``.
    ///   - logger: where damaged requests and injected faults are logged (`.debug`); by
    ///     default nowhere.
    public init(fileDescriptor: Int32, owner: any Sendable, units: ServedUnits, settings: SerialSettings,
                emulatesWireTime: Bool = false, tap: PseudoTerminal? = nil,
                logger: Logger = Logger(label: "hepabus.modbus-server", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.logger = logger
        self.fd = fileDescriptor
        self.owner = owner
        self.units = units
        self.settings = settings
        self.emulatesWireTime = emulatesWireTime
        self.tap = tap.map(BusTapWriter.init)
    }

    /// Bytes copied onto the tap so far (0 without a tap).
    public var tapBytesWritten: Int { tap?.bytesWritten ?? 0 }

    /// Bytes the tap could not take because its buffer was full (nobody reading it,
    /// or a reader too slow) and that were dropped rather than stall the line.
    public var tapBytesDropped: Int { tap?.bytesDropped ?? 0 }

    /// How long `characters` take on the wire at the line's settings.
    public func wireTime(characters: Int) -> Duration {
        .seconds(settings.characterTime * Double(characters))
    }

    deinit { thread.stop() }

    /// The silent interval that ends a frame: 3.5 characters, at least 1.75 ms
    /// (the specification's figure above 19200 baud), and at least 20 ms on a pty
    /// where scheduling, not the wire, decides the gaps.
    var frameGap: Duration {
        let chars = Duration.seconds(settings.characterTime * 3.5)
        return max(chars, .milliseconds(20))
    }

    /// Starts serving on the server's own thread.
    public func start() {
        thread.start(name: "modbus-rtu-server") { [self] in serve() }
    }

    /// Stops serving; returns once the thread has ended.
    public func stop() { thread.stop() }

    private func serve() {
        var buffer: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: 512)
        while true {
            // Wait without limit for the first byte, then at most one frame gap for the next.
            let timeout: Int32 = buffer.isEmpty ? -1 : Int32(frameGap.components.attoseconds / 1_000_000_000_000_000 + frameGap.components.seconds * 1000)
            var pfds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
                        pollfd(fd: thread.stopDescriptor, events: Int16(POLLIN), revents: 0)]
            let rc = poll(&pfds, 2, timeout)
            if rc < 0 {
                if errno == EINTR { continue }
                return
            }
            if pfds[1].revents != 0 { return }
            if rc == 0 {
                // Silence mid-frame: whatever we hold is either an unknown-function
                // frame complete by silence, or a fragment.
                handleSilence(&buffer)
                continue
            }
            if pfds[0].revents & Int16(POLLNVAL) != 0 { return }
            let n = scratch.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n <= 0 {
                if n < 0 && (errno == EAGAIN || errno == EINTR) { continue }
                // Hang-up with no client on a pty, or the line went away: wait and retry.
                usleep(10_000)
                continue
            }
            tap?.copy(scratch[0..<n])
            buffer += scratch[0..<n]
            drainFrames(&buffer)
        }
    }

    /// Processes every complete frame at the front of `buffer`.
    private func drainFrames(_ buffer: inout [UInt8]) {
        while let length = Self.expectedRequestLength(buffer) {
            guard buffer.count >= length else { return }
            let frame = Array(buffer[0..<length])
            buffer.removeFirst(length)
            guard CRC16.isValid(frame) else {
                // Damaged or misaligned: drop everything until the line is quiet.
                logger.debug("dropped a request with a bad CRC: \(hexString(frame))")
                units.noteDropped()
                buffer.removeAll()
                discardUntilQuiet()
                return
            }
            handle(frame)
        }
    }

    private func handleSilence(_ buffer: inout [UInt8]) {
        defer { buffer.removeAll() }
        guard buffer.count >= 4, CRC16.isValid(buffer) else {
            if !buffer.isEmpty {
                logger.debug("dropped \(buffer.count) bytes that are no whole request: \(hexString(buffer))")
                units.noteDropped()
            }
            return
        }
        handle(buffer)
    }

    private func discardUntilQuiet() {
        var scratch = [UInt8](repeating: 0, count: 256)
        let gap = Int32(frameGap.components.seconds * 1000 + frameGap.components.attoseconds / 1_000_000_000_000_000)
        while true {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, gap) > 0, pfd.revents & Int16(POLLIN) != 0 else { return }
            let n = read(fd, &scratch, scratch.count)
            if n <= 0 { return }
            // Discarded here, but it was on the bus: a listener hears it too.
            tap?.copy(scratch[0..<n])
        }
    }

    private func handle(_ frame: [UInt8]) {
        let unit = frame[0]
        let pdu = Array(frame[1..<(frame.count - 2)])
        if unit == 0 {
            // Broadcast: every unit applies writes; nobody answers.
            if ModbusRequestProcessor.isWrite(pdu) {
                for model in units.allModels { _ = ModbusRequestProcessor.respond(to: pdu, model: model) }
            }
            return
        }
        guard let model = units.model(for: unit) else { return }  // another device's frame
        let fault = units.takeFault(unit: unit)
        if let fault { logger.debug("unit \(unit): injecting \(fault)", metadata: ["unit": "\(unit)"]) }
        var reply: [UInt8]
        switch fault {
        case .silent: return
        case .exception(let code): reply = CRC16.appending(to: [unit] + ModbusRequestProcessor.exception(pdu[0], code))
        case .garbage(let bytes): reply = bytes
        case .corruptCRC, .delay, nil:
            reply = CRC16.appending(to: [unit] + ModbusRequestProcessor.respond(to: pdu, model: model))
        }
        if fault == .corruptCRC { reply[reply.count - 1] ^= 0xA5 }
        if case .delay(let d) = fault { sleepFor(d) }
        if emulatesWireTime {
            // The request's last byte arrived only now on a real line, and the
            // reply takes its own time to leave: hold the reply for both, plus
            // the 3.5-character silence that separates frames.
            sleepFor(wireTime(characters: frame.count) + wireTime(characters: reply.count) + .seconds(settings.characterTime * 3.5))
        }
        send(reply)
    }

    private func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n > 0 {
                // Only what actually went out, once it has: the tap hears the line, not our intentions.
                tap?.copy(bytes[offset..<offset + n])
                offset += n
                continue
            }
            if n < 0 && (errno == EAGAIN || errno == EINTR) {
                var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                if poll(&pfd, 1, 1000) <= 0 { return }
                continue
            }
            return
        }
    }

    /// How long the request at the front of `buffer` is, once enough of it has
    /// arrived to tell; nil while it cannot be told yet or for unknown functions
    /// (those end by silence).
    static func expectedRequestLength(_ buffer: [UInt8]) -> Int? {
        guard buffer.count >= 2 else { return nil }
        switch buffer[1] {
        case 0x01...0x06: return 8
        case 0x0F, 0x10: return buffer.count >= 7 ? 9 + Int(buffer[6]) : nil
        case 0x11: return 4
        case 0x16: return 10
        case 0x17: return buffer.count >= 11 ? 13 + Int(buffer[10]) : nil
        case 0x2B: return 7
        case 0x07, 0x0B, 0x0C: return 4
        case 0x08: return 8
        default: return nil
        }
    }
}

func sleepFor(_ duration: Duration) {
    let (s, a) = duration.components
    var request = timespec(tv_sec: Int(s), tv_nsec: Int(a / 1_000_000_000))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
}
