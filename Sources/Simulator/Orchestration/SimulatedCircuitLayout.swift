import Serial

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

    /// The shipped circuits, by name.
    public static let presets: [String: SimulatedCircuitLayout] = [
        "bal": bioartificialLiver,
        "plasma-adsorption": plasmaAdsorption,
        "cell-infusion": cellInfusion,
    ]

    static let modbusLine = SerialSettings(baudRate: 115200, parity: .even, dataBits: .eight, stopBits: .one)

    /// A bioartificial liver circuit of the HepAssis2 kind: blood side and plasma
    /// side on separate RS-485 segments, and a heparin (anticoagulant) pump speaking
    /// the line protocol on its own RS-232 line.
    public static let bioartificialLiver = SimulatedCircuitLayout(
        name: "bal",
        buses: [Bus(name: "blood", settings: modbusLine), Bus(name: "plasma", settings: modbusLine),
                Bus(name: "heparin", settings: SerialSettings(baudRate: 9600))],
        devices: [
            Device(role: "bloodPump", family: "peristalticPump", bus: "blood", unit: 1),
            Device(role: "arterialPressure", family: "pressureSensor", bus: "blood", unit: 2),
            Device(role: "preFilterPressure", family: "pressureSensor", bus: "blood", unit: 3),
            Device(role: "venousPressure", family: "pressureSensor", bus: "blood", unit: 4),
            Device(role: "airDetector", family: "airDetector", bus: "blood", unit: 5),
            Device(role: "heparinPump", family: "asciiPump", bus: "heparin", unit: 1),
            Device(role: "plasmaPump", family: "peristalticPump", bus: "plasma", unit: 1),
            Device(role: "recirculationPump", family: "peristalticPump", bus: "plasma", unit: 2),
            Device(role: "filtratePressure", family: "pressureSensor", bus: "plasma", unit: 3),
            Device(role: "plasmaTemperature", family: "temperatureSensor", bus: "plasma", unit: 4),
            Device(role: "bioreactorTemperature", family: "temperatureSensor", bus: "plasma", unit: 5),
            Device(role: "plasmaHeater", family: "heater", bus: "plasma", unit: 6),
            Device(role: "bloodLeakDetector", family: "bloodLeakDetector", bus: "plasma", unit: 7),
        ])

    /// Plasma separation through an adsorption column, no bioreactor.
    public static let plasmaAdsorption = SimulatedCircuitLayout(
        name: "plasma-adsorption",
        buses: [Bus(name: "blood", settings: modbusLine), Bus(name: "plasma", settings: modbusLine)],
        devices: [
            Device(role: "bloodPump", family: "peristalticPump", bus: "blood", unit: 1),
            Device(role: "arterialPressure", family: "pressureSensor", bus: "blood", unit: 2),
            Device(role: "preFilterPressure", family: "pressureSensor", bus: "blood", unit: 3),
            Device(role: "venousPressure", family: "pressureSensor", bus: "blood", unit: 4),
            Device(role: "airDetector", family: "airDetector", bus: "blood", unit: 5),
            Device(role: "plasmaPump", family: "peristalticPump", bus: "plasma", unit: 1),
            Device(role: "filtratePressure", family: "pressureSensor", bus: "plasma", unit: 3),
            Device(role: "plasmaTemperature", family: "temperatureSensor", bus: "plasma", unit: 4),
            Device(role: "plasmaHeater", family: "heater", bus: "plasma", unit: 6),
            Device(role: "bloodLeakDetector", family: "bloodLeakDetector", bus: "plasma", unit: 7),
        ])

    /// One pump delivering a cell suspension into a venous line, with its pressure and air safety.
    public static let cellInfusion = SimulatedCircuitLayout(
        name: "cell-infusion",
        buses: [Bus(name: "infusion", settings: modbusLine)],
        devices: [
            Device(role: "infusionPump", family: "peristalticPump", bus: "infusion", unit: 1),
            Device(role: "venousPressure", family: "pressureSensor", bus: "infusion", unit: 4),
            Device(role: "airDetector", family: "airDetector", bus: "infusion", unit: 5),
        ])
}
