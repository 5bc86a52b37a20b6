public import CircuitConfiguration
public import Serial

/// Which device plays which role, on which simulated bus, at which unit id.
public struct SimulatedCircuitLayout: Sendable, Equatable {
    /// One RS-485 segment (a pseudo-terminal; optionally also a TCP port).
    public struct Bus: Sendable, Equatable {
        public var name: String
        public var settings: SerialSettings
        public init(name: String, settings: SerialSettings) {
            self.name = name
            self.settings = settings
        }
    }

    /// One device.
    public struct Device: Sendable, Equatable {
        public var role: String
        /// The firmware-protocols family (`peristalticPump`, …, or `asciiPump` for the line protocol).
        public var family: String
        public var bus: String
        public var unit: UInt8
        public init(role: String, family: String, bus: String, unit: UInt8) {
            self.role = role
            self.family = family
            self.bus = bus
            self.unit = unit
        }
    }

    public var name: String
    public var buses: [Bus]
    public var devices: [Device]

    public init(name: String, buses: [Bus], devices: [Device]) {
        self.name = name
        self.buses = buses
        self.devices = devices
    }

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
