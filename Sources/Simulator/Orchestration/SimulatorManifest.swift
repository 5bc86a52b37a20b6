/// What a running simulator publishes so any Modbus master (ours or not) can find
/// its devices: for each role, the endpoint, unit id, family and specification.
public struct SimulatorManifest: Codable, Sendable, Equatable {
    public struct Bus: Codable, Sendable, Equatable {
        public var name: String
        /// The stable path to open (a symlink to the current pty).
        public var endpoint: String
        /// The pty behind it now (changes on replug).
        public var pty: String?
        /// "115200 8E1", or "9600 8N1" for line devices.
        public var settings: String
        /// tcp://HOST:PORT when the segment is also served over Modbus TCP.
        public var tcp: String?
        /// The stable path of the segment's bus tap (`<run dir>/<bus>.tap`, Modbus
        /// RTU segments only): a read-only view of all its traffic, both directions,
        /// for `hepabus sniff`.
        public var tap: String?
        /// "modbus-rtu" or "line".
        public var protocolName: String

        enum CodingKeys: String, CodingKey {
            case name, endpoint, pty, settings, tcp, tap
            case protocolName = "protocol"
        }
    }

    public struct Device: Codable, Sendable, Equatable {
        public var role: String
        public var family: String
        public var familyCode: Int?
        public var bus: String
        public var endpoint: String
        public var unit: Int
        public var tcp: String?
        /// The specification file in firmware-protocols/.
        public var spec: String
    }

    public var circuit: String
    /// The Unix socket of the control interface (see ControlCommand).
    public var control: String
    public var runDirectory: String
    public var processID: Int
    public var buses: [Bus]
    public var devices: [Device]

    public func device(role: String) -> Device? { devices.first { $0.role == role } }
}
