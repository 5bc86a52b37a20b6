public import CircuitConfiguration
public import Serial

/// Which device plays which role, on which simulated bus, at which unit id.
public struct SimulatedCircuitLayout: Sendable, Equatable {
    /// One RS-485 segment (a pseudo-terminal; optionally also a TCP port).
    public struct Bus: Sendable, Equatable {
        /// The bus's name (as the circuit file names it).
        public var name: String
        /// The line settings the simulated devices answer at.
        public var settings: SerialSettings
        /// A segment `name` at `settings`.
        public init(name: String, settings: SerialSettings) {
            self.name = name
            self.settings = settings
        }
    }

    /// One device.
    public struct Device: Sendable, Equatable {
        /// The role it plays (`bloodPump`).
        public var role: String
        /// The firmware-protocols family (`peristalticPump`, …, or `asciiPump` for the line protocol).
        public var family: String
        /// The name of its bus.
        public var bus: String
        /// Its Modbus unit id, or the line protocol's address.
        public var unit: UInt8
        /// A `family` device playing `role` at `unit` on `bus`.
        public init(role: String, family: String, bus: String, unit: UInt8) {
            self.role = role
            self.family = family
            self.bus = bus
            self.unit = unit
        }
    }

    /// The circuit's name.
    public var name: String
    /// The segments.
    public var buses: [Bus]
    /// The devices.
    public var devices: [Device]

    /// A layout of `devices` on `buses`.
    public init(name: String, buses: [Bus], devices: [Device]) {
        self.name = name
        self.buses = buses
        self.devices = devices
    }

    /// The device playing `role`, if any.
    public func device(role: String) -> Device? { devices.first { $0.role == role } }

    /// The simulated counterpart of a circuit file: the same roles, families, buses
    /// and unit ids (the buses' ports are replaced by the simulator's ptys).
    public init(configuration: CircuitConfiguration) {
        self.init(
            name: configuration.name,
            buses: configuration.buses.map { Bus(name: $0.name, settings: $0.settings) },
            devices: configuration.devices.map { Device(role: $0.role.rawValue, family: $0.family, bus: $0.bus, unit: $0.unit) })
    }

    /// A shipped circuit (see CircuitConfigurationLoader.presetNames), simulated.
    public static func preset(_ name: String) throws -> SimulatedCircuitLayout {
        SimulatedCircuitLayout(configuration: try CircuitConfigurationLoader.preset(name))
    }
}
