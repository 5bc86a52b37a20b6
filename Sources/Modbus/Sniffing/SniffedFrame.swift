/// One frame heard on an RTU bus by a passive listener, decoded as far as its
/// bytes allow: who sent it (master request or device response), to or from which
/// unit, which function, the addresses, counts and values it carries, and whether
/// its CRC holds.
///
/// Frames whose bytes made no sense (garbage, a truncated frame, a frame of an
/// unknown function ended by silence) have direction ``Direction/unknown`` and
/// keep their raw bytes for the technician to read.
public struct SniffedFrame: Sendable, Equatable {
    /// Which way a frame went on the bus.
    public enum Direction: String, Sendable, CaseIterable {
        /// From the master to a unit (or to every unit: unit 0).
        case request
        /// From a unit back to the master.
        case response
        /// Not a frame we could place (garbage, truncated, unknown function).
        case unknown
    }

    /// Whether the frame's last two bytes are the CRC of the rest.
    public enum CRCStatus: Sendable, Equatable {
        /// The CRC matches.
        case ok
        /// `expected` is the CRC of the bytes before it, `received` what the frame carried;
        /// both as 16-bit values (the wire carries the low byte first).
        case bad(expected: UInt16, received: UInt16)
        /// Fewer than four bytes: too short to carry a unit, a function and a CRC.
        case missing

        /// The CRC status of `bytes` taken as one whole frame.
        public init(of bytes: some Collection<UInt8>) {
            guard bytes.count >= 4 else {
                self = .missing
                return
            }
            let body = Array(bytes.dropLast(2))
            let tail = Array(bytes.suffix(2))
            let expected = CRC16.compute(body)
            let received = UInt16(tail[0]) | UInt16(tail[1]) << 8
            self = expected == received ? .ok : .bad(expected: expected, received: received)
        }

        /// Whether the CRC matches.
        public var isOK: Bool { self == .ok }
    }

    /// What a frame's data carries.
    public enum Values: Sendable, Equatable {
        /// 16-bit registers (FC03, FC04, FC06, FC16, FC23).
        case registers([UInt16])
        /// Coils or discrete inputs (FC01, FC02, FC05, FC15).
        case bits([Bool])
    }

    /// When the frame's first byte arrived, in seconds since the epoch (nil if the
    /// bytes came without timestamps).
    public var time: Double?
    /// Request, response, or bytes that are neither.
    public var direction: Direction
    /// The unit addressed (request) or answering (response); nil for unknown bytes.
    public var unit: UInt8?
    /// The function, with the exception bit cleared for exception responses; nil for unknown bytes.
    public var function: ModbusFunction?
    /// The exception code of an exception response.
    public var exception: ModbusExceptionCode?
    /// The first address (FC23: the read address). For a response, the address of the request it answers.
    public var address: UInt16?
    /// How many coils or registers (FC23: read count). For a response, taken from the request it answers.
    public var count: Int?
    /// FC23's write address.
    public var writeAddress: UInt16?
    /// FC23's write count.
    public var writeCount: Int?
    /// FC22's AND mask.
    public var andMask: UInt16?
    /// FC22's OR mask.
    public var orMask: UInt16?
    /// Registers or bits carried (read responses, write requests, FC05/06 values).
    public var values: Values?
    /// FC17's report (responses).
    public var serverID: ServerIDReport?
    /// Set when the frame's fields contradict each other (e.g. a byte count that
    /// does not match the count), saying how.
    public var malformed: String?
    /// Whether the frame's CRC matched.
    public var crc: CRCStatus
    /// The whole frame as it was on the wire, CRC included.
    public var bytes: [UInt8]

    /// A frame with what the decoder found in it.
    public init(time: Double?, direction: Direction, unit: UInt8?, function: ModbusFunction?, crc: CRCStatus, bytes: [UInt8]) {
        self.time = time
        self.direction = direction
        self.unit = unit
        self.function = function
        self.crc = crc
        self.bytes = bytes
    }

    /// Whether this is an exception response.
    public var isException: Bool { exception != nil }
}
