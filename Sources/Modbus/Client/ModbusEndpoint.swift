public import Serial

/// Where a Modbus peer is: a serial line (RTU) or a TCP address.
public enum ModbusEndpoint: Hashable, Sendable, CustomStringConvertible {
    /// Modbus RTU on the serial port at `path`, with `settings`.
    case rtu(path: String, settings: SerialSettings)
    /// Modbus TCP at `host`:`port`.
    case tcp(host: String, port: UInt16)

    /// Parses what a technician types: `tcp://HOST:PORT` (IPv6 as `tcp://[::1]:502`)
    /// or a device path, which takes `serialSettings`.
    public static func parse(_ text: String, serialSettings: SerialSettings = SerialSettings()) throws(ModbusError) -> ModbusEndpoint {
        if text.hasPrefix("tcp://") {
            let rest = String(text.dropFirst("tcp://".count))
            let host: String
            let portText: Substring
            if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]") else {
                    throw .invalidRequest("endpoint '\(text)': unterminated IPv6 address")
                }
                host = String(rest[rest.index(after: rest.startIndex)..<close])
                let after = rest[rest.index(after: close)...]
                guard after.hasPrefix(":") else { throw .invalidRequest("endpoint '\(text)': missing :PORT") }
                portText = after.dropFirst()
            } else {
                guard let colon = rest.lastIndex(of: ":") else {
                    throw .invalidRequest("endpoint '\(text)': expected tcp://HOST:PORT")
                }
                host = String(rest[..<colon])
                portText = rest[rest.index(after: colon)...]
            }
            guard !host.isEmpty else { throw .invalidRequest("endpoint '\(text)': empty host") }
            guard let port = UInt16(portText), port > 0 else {
                throw .invalidRequest("endpoint '\(text)': port '\(portText)' is not a number from 1 to 65535")
            }
            return .tcp(host: host, port: port)
        }
        if text.contains("://") {
            throw .invalidRequest("endpoint '\(text)': only tcp:// URLs or serial device paths are understood")
        }
        guard text.hasPrefix("/") else {
            throw .invalidRequest("endpoint '\(text)': a serial device path must be absolute (e.g. /dev/ttyUSB0)")
        }
        return .rtu(path: text, settings: serialSettings)
    }

    public var description: String {
        switch self {
        case .rtu(let path, let settings): "\(path) (\(settings))"
        case .tcp(let host, let port): host.contains(":") ? "tcp://[\(host)]:\(port)" : "tcp://\(host):\(port)"
        }
    }

    /// Whether this is a serial line (where unit 0 broadcasts and CRCs exist).
    public var isSerial: Bool {
        if case .rtu = self { return true }
        return false
    }
}
