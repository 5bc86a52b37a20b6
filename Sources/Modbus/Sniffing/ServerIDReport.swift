/// A device's answer to FC17 (report server id): the server id byte, the run
/// indicator and device-specific data, which HepaBus devices fill with text.
public struct ServerIDReport: Sendable, Equatable, CustomStringConvertible {
    /// The data as the device sent it (after the byte count).
    public var bytes: [UInt8]

    /// Wraps FC17 data: server id, run indicator, device data.
    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// The first byte: the server id (device-specific).
    public var serverID: UInt8? { bytes.first }

    /// The second byte: 0xFF running, 0x00 not running; nil if absent or neither.
    public var isRunning: Bool? {
        guard bytes.count >= 2 else { return nil }
        switch bytes[1] {
        case 0xFF: return true
        case 0x00: return false
        default: return nil
        }
    }

    /// What follows the run indicator.
    public var deviceData: [UInt8] { Array(bytes.dropFirst(2)) }

    /// The device data as text when it is printable ASCII (HepaBus devices put
    /// their name there), nil otherwise.
    public var text: String? {
        let data = deviceData
        guard !data.isEmpty, data.allSatisfy({ (0x20...0x7E).contains($0) }) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// `server id 0x01, run indicator on, "HepaBus peristalticPump sim"`.
    public var description: String {
        guard let serverID else { return "empty server id report" }
        var parts = ["server id 0x\(hex2(serverID))"]
        if bytes.count >= 2 {
            switch isRunning {
            case true?: parts.append("run indicator on")
            case false?: parts.append("run indicator off")
            case nil: parts.append("run indicator 0x\(hex2(bytes[1]))")
            }
        }
        if let text {
            parts.append("\"\(text)\"")
        } else if !deviceData.isEmpty {
            parts.append("data [\(hexString(deviceData))]")
        }
        return parts.joined(separator: ", ")
    }
}
