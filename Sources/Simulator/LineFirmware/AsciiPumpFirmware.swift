public import FirmwareProtocols
import Synchronization

/// The firmware of a simulated line (ASCII) pump, implementing
/// firmware-protocols/line-ascii-pump.yaml exactly: it answers only lines that start
/// with its address; refuses a line whose checksum or framing is wrong with the
/// bad-checksum code and the unverified echo; refuses a request that comes sooner than
/// the minimum command gap as busy; validates every argument; runs the rotor with its
/// ramp, delivered volume and host watchdog (see `AsciiPumpRotor`).
///
/// Pure logic: it reads time from a ``LineFirmwareTime`` and does no I/O, so unit tests
/// drive it line by line with a hand-moved clock; ``AsciiPumpLineServer`` serves it on a
/// pseudo-terminal. Thread-safe.
public final class AsciiPumpFirmware: Sendable {
    typealias Spec = AsciiPumpLineProtocol

    /// Who the pump is and how strict it is.
    public struct Configuration: Sendable, Hashable {
        /// The pump's address (1…8).
        public var address: Int
        /// Model name reported by `ID`.
        public var model: String
        /// Firmware version reported by `ID`.
        public var firmwareVersion: AsciiPumpLineProtocol.Version
        /// Serial number reported by `ID`.
        public var serialNumber: String
        /// Protocol version reported by `ID` (the specification's, unless a test pretends otherwise).
        public var protocolVersion: AsciiPumpLineProtocol.Version
        /// Whether requests sooner than the minimum command gap are refused as busy.
        public var enforcesCommandGap: Bool

        /// A configuration; the defaults are pump 1, an HLP-8 with firmware 2.1.
        public init(address: Int = 1, model: String = "HLP-8",
                    firmwareVersion: AsciiPumpLineProtocol.Version = .init(major: 2, minor: 1),
                    serialNumber: String = "00412345",
                    protocolVersion: AsciiPumpLineProtocol.Version = AsciiPumpLineProtocol.specificationVersion,
                    enforcesCommandGap: Bool = true) {
            self.address = address
            self.model = model
            self.firmwareVersion = firmwareVersion
            self.serialNumber = serialNumber
            self.protocolVersion = protocolVersion
            self.enforcesCommandGap = enforcesCommandGap
        }
    }

    /// The configuration it was made with.
    public let configuration: Configuration
    private let time: any LineFirmwareTime
    private let state: Mutex<(rotor: AsciiPumpRotor, lastReply: Duration?, counters: AsciiPumpFirmwareSnapshot.Counters)>

    /// Firmware with power-on settings, reading time from `time`.
    public init(configuration: Configuration = Configuration(), time: any LineFirmwareTime) {
        precondition(Spec.addresses.contains(configuration.address), "pump address \(configuration.address) is outside \(Spec.addresses)")
        let identity = [configuration.model, configuration.serialNumber]
        precondition(identity.allSatisfy { text in !text.isEmpty && text.utf8.allSatisfy { Self.isTextByte($0) } },
                     "model and serial number take upper-case letters, digits and '-' only")
        self.configuration = configuration
        self.time = time
        var rotor = AsciiPumpRotor()
        rotor.updatedTo = time.now
        rotor.lastFeed = time.now
        state = Mutex((rotor, nil, AsciiPumpFirmwareSnapshot.Counters()))
    }

    /// The address digit that starts every line for this pump.
    var addressByte: UInt8 { UInt8(ascii: "0") + UInt8(configuration.address) }

    /// Whether `line` starts with this pump's address (every other line is another device's: silence).
    public func isAddressed(by line: [UInt8]) -> Bool { line.first == addressByte }

    // MARK: Observation and conditions

    /// The pump's state now.
    public var snapshot: AsciiPumpFirmwareSnapshot {
        let now = time.now
        return state.withLock { s in
            s.rotor.advance(to: now)
            return AsciiPumpFirmwareSnapshot(rotor: s.rotor, counters: s.counters)
        }
    }

    /// Opens or closes the pump-head door. Opening it stops a running rotor (not latched:
    /// closing it again lets the next start through).
    public func setDoorOpen(_ open: Bool) {
        let now = time.now
        state.withLock { s in
            s.rotor.advance(to: now)
            s.rotor.doorOpen = open
            if open { s.rotor.halt() }
        }
    }

    /// Raises fault flags as the motor electronics would (stall, over-current, occlusion):
    /// the rotor stops and the flags latch until a fault reset.
    public func raise(_ faults: AsciiPumpLineProtocol.Faults) {
        let now = time.now
        state.withLock { s in
            s.rotor.advance(to: now)
            s.rotor.halt(latching: faults)
        }
    }

    /// Tells the firmware its last reply actually left now (a server that delays replies
    /// calls this), so the minimum command gap counts from there.
    public func noteReplySent() {
        let now = time.now
        state.withLock { $0.lastReply = now }
    }

    // MARK: Lines

    /// Handles one received line, given without its terminator, and returns the reply
    /// line (terminator included), or nil when the line is not addressed to this pump.
    public func respond(to line: [UInt8]) -> [UInt8]? {
        guard isAddressed(by: line) else { return nil }
        let now = time.now
        return state.withLock { s -> [UInt8] in
            s.rotor.advance(to: now)
            s.counters.lines += 1
            let reply = handle(line, now: now, &s)
            s.lastReply = now
            if reply[1] == Spec.ReplyMarker.refused.rawValue { s.counters.refusals += 1 }
            return reply
        }
    }

    /// Refuses `line` with `code` without handling it (fault injection: a pump that says
    /// no), echoing its command, or the unverified echo when the line fails its checksum;
    /// nil when the line is not addressed to this pump.
    public func refuse(_ line: [UInt8], with code: AsciiPumpLineProtocol.ReplyCode) -> [UInt8]? {
        guard isAddressed(by: line) else { return nil }
        let now = time.now
        return state.withLock { s -> [UInt8] in
            s.rotor.advance(to: now)
            s.counters.lines += 1
            s.counters.refusals += 1
            s.lastReply = now
            let echo = verifiedBody(line).map { Array($0[1...2]) } ?? Spec.unverifiedEcho
            return refusal(echo, code)
        }
    }

    private func handle(_ line: [UInt8], now: Duration, _ s: inout (rotor: AsciiPumpRotor, lastReply: Duration?, counters: AsciiPumpFirmwareSnapshot.Counters)) -> [UInt8] {
        // Framing first: nothing in a line that fails its checksum can be trusted, not even the command to echo.
        guard let body = verifiedBody(line) else {
            s.counters.badChecksums += 1
            return reply(.refused, echo: Spec.unverifiedEcho, payload: Spec.ReplyCode.badChecksum.digits)
        }
        let echo = Array(body[1...2])
        if configuration.enforcesCommandGap, let last = s.lastReply, now - last < Spec.minimumCommandGap {
            return refusal(echo, .busy)
        }
        guard let command = Spec.Command(rawValue: String(decoding: echo, as: UTF8.self)) else {
            return refusal(echo, .unknownCommand)
        }
        let argument = Array(body[3...])
        if command.argument == nil && !argument.isEmpty { return refusal(echo, .badArgument) }
        var rotor = s.rotor
        defer { s.rotor = rotor }
        switch command {
        case .setSpeed:
            guard let raw = decimal(argument, Spec.speedSetpoint) else { return refusal(echo, .badArgument) }
            rotor.setpointRaw = raw
        case .start:
            if rotor.doorOpen { return refusal(echo, .doorOpen) }
            if !rotor.faults.isEmpty { return refusal(echo, .faultLatched) }
            rotor.run(at: now)
        case .stop:
            rotor.halt()
        case .setDirection:
            guard let direction = Spec.Direction(rawValue: String(decoding: argument, as: UTF8.self)) else { return refusal(echo, .badArgument) }
            if rotor.running { return refusal(echo, .notWhileRunning) }
            rotor.direction = direction
        case .readStatus:
            let fields = [rotor.running ? "1" : "0", rotor.direction.rawValue, String(rotor.setpointRaw),
                          String(rotor.actualSpeedRaw), rotor.doorOpen ? "1" : "0", Self.hex(rotor.faults.rawValue)]
            return value(echo, fields)
        case .setCalibration:
            guard let raw = decimal(argument, Spec.tubingCalibration) else { return refusal(echo, .badArgument) }
            if rotor.running { return refusal(echo, .notWhileRunning) }
            rotor.calibrationRaw = raw
        case .readCalibration:
            return value(echo, [String(rotor.calibrationRaw)])
        case .readVolume:
            return value(echo, [String(rotor.volumeRaw)])
        case .resetVolume:
            rotor.volumeMicroliters = 0
        case .heartbeat:
            rotor.lastFeed = now
            s.counters.heartbeats += 1
        case .setWatchdogTimeout:
            guard let raw = decimal(argument, Spec.watchdogTimeout) else { return refusal(echo, .badArgument) }
            rotor.watchdogTimeoutRaw = raw
            // The running watchdog restarts with the new timeout.
            rotor.lastFeed = now
        case .readWatchdogTimeout:
            return value(echo, [String(rotor.watchdogTimeoutRaw)])
        case .resetFaults:
            rotor.faults = []
        case .readIdentity:
            let c = configuration
            return value(echo, [c.model, c.firmwareVersion.description, c.serialNumber, c.protocolVersion.description])
        }
        return reply(.done, echo: echo, payload: [])
    }

    /// The body of a well-framed line whose checksum is right: address, two upper-case
    /// letters, argument; nil for anything else (wrong checksum, no separator, lower-case
    /// digits, too long, a command that is not two letters).
    private func verifiedBody(_ line: [UInt8]) -> [UInt8]? {
        guard line.count + 1 <= Spec.maximumLineLength,
              let separator = line.lastIndex(of: Spec.checksumSeparator),
              line.count - separator - 1 == Spec.checksumDigits else { return nil }
        let body = Array(line[..<separator])
        let digits = line[(separator + 1)...]
        guard body.count >= 3, body[1...2].allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }),
              digits.allSatisfy({ Self.isDigit($0) || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains($0) }),
              let sum = UInt8(String(decoding: digits, as: UTF8.self), radix: 16),
              sum == Spec.checksum(body) else { return nil }
        return body
    }

    /// A decimal argument: 1…maximumDigits digits, inside the field's raw range.
    private func decimal(_ argument: [UInt8], _ field: Spec.DecimalField) -> Int? {
        guard !argument.isEmpty, argument.count <= field.maximumDigits, argument.allSatisfy(Self.isDigit),
              let raw = Int(String(decoding: argument, as: UTF8.self)), field.rawRange.contains(raw) else { return nil }
        return raw
    }

    private func refusal(_ echo: [UInt8], _ code: Spec.ReplyCode) -> [UInt8] {
        reply(.refused, echo: echo, payload: code.digits)
    }

    private func value(_ echo: [UInt8], _ fields: [String]) -> [UInt8] {
        reply(.value, echo: echo, payload: Array(fields.joined(separator: String(UnicodeScalar(Spec.fieldSeparator))).utf8))
    }

    /// `<address><marker><echo><payload>;<checksum>CR`.
    private func reply(_ marker: Spec.ReplyMarker, echo: [UInt8], payload: [UInt8]) -> [UInt8] {
        let body = [addressByte, marker.rawValue] + echo + payload
        return body + [Spec.checksumSeparator] + Array(Self.hex(Spec.checksum(body)).utf8) + [Spec.terminator]
    }

    static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    static func isTextByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || byte == UInt8(ascii: "-")
    }

    /// Two upper-case hexadecimal digits.
    static func hex(_ value: UInt8) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return digits.count == 1 ? "0" + digits : digits
    }
}
