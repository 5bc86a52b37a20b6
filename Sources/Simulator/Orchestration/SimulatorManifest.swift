/// What a running simulator publishes so any Modbus master (ours or not) can find
/// its devices: for each role, the endpoint, unit id, family and specification.
public struct SimulatorManifest: Codable, Sendable, Equatable {
    /// One simulated bus.
    public struct Bus: Codable, Sendable, Equatable {
        /// The bus's name.
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

    /// One simulated device.
    public struct Device: Codable, Sendable, Equatable {
        /// The role it plays.
        public var role: String
        /// Its firmware-protocols family.
        public var family: String
        /// The code its familyCode register reads (nil for the line-protocol pump).
        public var familyCode: Int?
        /// The name of its bus.
        public var bus: String
        /// The stable path of its bus.
        public var endpoint: String
        /// Its unit id (or line address).
        public var unit: Int
        /// tcp://HOST:PORT when its bus is also served over Modbus TCP.
        public var tcp: String?
        /// The specification file in firmware-protocols/.
        public var spec: String
    }

    /// The circuit's name.
    public var circuit: String
    /// The Unix socket of the control interface (see ControlCommand).
    public var control: String
    /// The run directory.
    public var runDirectory: String
    /// The simulator's process id.
    public var processID: Int
    /// Every bus.
    public var buses: [Bus]
    /// Every device.
    public var devices: [Device]

    /// The device playing `role`, if any.
    public func device(role: String) -> Device? { devices.first { $0.role == role } }
}
