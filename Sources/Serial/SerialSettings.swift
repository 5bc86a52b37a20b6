import Glibc

/// A line speed in bits per second. Standard rates map to termios `Bxxx`
/// constants; any other rate is set through `TCSETS2`/`BOTHER` where the driver allows.
public struct BaudRate: RawRepresentable, Hashable, Sendable, CustomStringConvertible,
    ExpressibleByIntegerLiteral
{
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(integerLiteral value: UInt32) { self.rawValue = value }
    public var description: String { "\(rawValue)" }

    /// The rates termios names with a `Bxxx` constant (the set `cfsetospeed` accepts), in bits per second.
    public static let standardRates: Set<UInt32> = Set(termiosSpeeds.keys)

    /// Each standard rate's termios `Bxxx` value: C's `speed_t`, kept out of the public API.
    static let termiosSpeeds: [UInt32: speed_t] = [
        50: speed_t(B50), 75: speed_t(B75), 110: speed_t(B110), 134: speed_t(B134),
        150: speed_t(B150), 200: speed_t(B200), 300: speed_t(B300), 600: speed_t(B600),
        1200: speed_t(B1200), 1800: speed_t(B1800), 2400: speed_t(B2400), 4800: speed_t(B4800),
        9600: speed_t(B9600), 19200: speed_t(B19200), 38400: speed_t(B38400),
        57600: speed_t(B57600), 115200: speed_t(B115200), 230400: speed_t(B230400),
        460800: speed_t(B460800), 500000: speed_t(B500000), 576000: speed_t(B576000),
        921600: speed_t(B921600), 1000000: speed_t(B1000000), 1152000: speed_t(B1152000),
        1500000: speed_t(B1500000), 2000000: speed_t(B2000000), 2500000: speed_t(B2500000),
        3000000: speed_t(B3000000), 3500000: speed_t(B3500000), 4000000: speed_t(B4000000),
    ]

    /// Whether termios has a constant for this rate.
    public var isStandard: Bool { Self.standardRates.contains(rawValue) }
}

/// Parity bit. Modbus RTU's default is even.
public enum Parity: String, Sendable, CaseIterable, CustomStringConvertible {
    /// No parity bit, even parity (`PARENB`), odd parity (`PARENB | PARODD`).
    case none, even, odd
    /// libmodbus's letter for it ('N', 'E', 'O').
    public var letter: Character {
        switch self {
        case .none: "N"
        case .even: "E"
        case .odd: "O"
        }
    }
    public var description: String { rawValue }
}

/// Data bits per character (termios CSIZE).
public enum DataBits: Int, Sendable, CaseIterable {
    /// 5 to 8 data bits (`CS5` … `CS8`); Modbus RTU uses 8.
    case five = 5, six = 6, seven = 7, eight = 8
}

/// Stop bits per character (termios CSTOPB).
public enum StopBits: Int, Sendable, CaseIterable {
    /// One stop bit, or two (`CSTOPB`).
    case one = 1, two = 2
}

/// A complete, typed line configuration: always raw mode, no flow control.
public struct SerialSettings: Hashable, Sendable, CustomStringConvertible {
    /// Bits per second.
    public var baudRate: BaudRate
    /// The parity bit.
    public var parity: Parity
    /// Data bits per character.
    public var dataBits: DataBits
    /// Stop bits per character.
    public var stopBits: StopBits

    /// Settings, by default 115200 8N1.
    public init(baudRate: BaudRate = 115200, parity: Parity = .none, dataBits: DataBits = .eight, stopBits: StopBits = .one) {
        self.baudRate = baudRate
        self.parity = parity
        self.dataBits = dataBits
        self.stopBits = stopBits
    }

    /// "115200 8E1" — the way technicians write it.
    public var description: String {
        "\(baudRate.rawValue) \(dataBits.rawValue)\(parity.letter)\(stopBits.rawValue)"
    }

    /// Bits on the wire per character: start + data + parity + stop.
    public var bitsPerCharacter: Int {
        1 + dataBits.rawValue + (parity == .none ? 0 : 1) + stopBits.rawValue
    }

    /// Time one character occupies on the wire, in seconds.
    public var characterTime: Double { Double(bitsPerCharacter) / Double(baudRate.rawValue) }

    /// Writes these settings into `t`: raw mode, receiver on, modem lines ignored,
    /// no hardware or software flow control, non-blocking reads (VMIN = VTIME = 0;
    /// deadlines are ours, built on poll()).
    func encode(into t: inout termios) {
        cfmakeraw(&t)
        t.c_cflag |= tcflag_t(CLOCAL | CREAD)
        t.c_cflag &= ~(tcflag_t(CSIZE | PARENB | PARODD | CSTOPB) | tcflag_t(CRTSCTS))
        switch dataBits {
        case .five: t.c_cflag |= tcflag_t(CS5)
        case .six: t.c_cflag |= tcflag_t(CS6)
        case .seven: t.c_cflag |= tcflag_t(CS7)
        case .eight: t.c_cflag |= tcflag_t(CS8)
        }
        switch parity {
        case .none: t.c_iflag &= ~tcflag_t(INPCK)
        case .even: t.c_cflag |= tcflag_t(PARENB); t.c_iflag |= tcflag_t(INPCK)
        case .odd: t.c_cflag |= tcflag_t(PARENB | PARODD); t.c_iflag |= tcflag_t(INPCK)
        }
        if stopBits == .two { t.c_cflag |= tcflag_t(CSTOPB) }
        t.c_iflag &= ~tcflag_t(IXON | IXOFF | IXANY)
        withUnsafeMutableBytes(of: &t.c_cc) { cc in
            cc[Int(VMIN)] = 0
            cc[Int(VTIME)] = 0
        }
    }

    /// Reads settings back from a termios and the driver's numeric baud rate.
    static func decode(_ t: termios, baud: UInt32) -> SerialSettings {
        let size = t.c_cflag & tcflag_t(CSIZE)
        let dataBits: DataBits =
            size == tcflag_t(CS5) ? .five : size == tcflag_t(CS6) ? .six : size == tcflag_t(CS7) ? .seven : .eight
        let parity: Parity =
            (t.c_cflag & tcflag_t(PARENB)) == 0 ? .none : (t.c_cflag & tcflag_t(PARODD)) != 0 ? .odd : .even
        let stop: StopBits = (t.c_cflag & tcflag_t(CSTOPB)) != 0 ? .two : .one
        return SerialSettings(baudRate: BaudRate(rawValue: baud), parity: parity, dataBits: dataBits, stopBits: stop)
    }

    /// Whether a termios is in the raw, flow-control-free mode `encode` produces.
    static func isRawWithoutFlowControl(_ t: termios) -> Bool {
        let noCanon = (t.c_lflag & tcflag_t(ICANON | ECHO | ISIG | IEXTEN)) == 0
        let noOutputProcessing = (t.c_oflag & tcflag_t(OPOST)) == 0
        let noFlow = (t.c_cflag & tcflag_t(CRTSCTS)) == 0 && (t.c_iflag & tcflag_t(IXON | IXOFF)) == 0
        return noCanon && noOutputProcessing && noFlow
    }
}
