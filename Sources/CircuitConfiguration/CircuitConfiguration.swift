public import Serial

/// A circuit as its file describes it: buses, the devices playing each role,
/// the operator's (tighter-only) limits, flow ranges and poll rates.
public struct CircuitConfiguration: Sendable, Equatable {
    /// How a bus is reached.
    public enum BusProtocol: String, Sendable, CaseIterable {
        /// Modbus RTU on a serial port (RS-485 multi-drop).
        case modbusRTU = "modbus-rtu"
        /// Modbus TCP (a bench gateway or the simulator).
        case modbusTCP = "modbus-tcp"
        /// A line (ASCII) protocol on RS-232: the line-protocol pump.
        case line
    }

    /// One bus: an RS-485 segment, an RS-232 line, or a Modbus TCP gateway.
    public struct Bus: Sendable, Equatable {
        /// The bus's name, which devices refer to (`blood`, `plasma`).
        public var name: String
        /// How the bus is reached (the file's `protocol`).
        public var protocolKind: BusProtocol
        /// The device node (`/dev/hepabus/<udev role>` for ports named by our udev rules).
        public var port: String?
        /// `HOST:PORT` for Modbus TCP.
        public var tcp: String?
        /// Baud rate, parity, data and stop bits (serial buses).
        public var settings: SerialSettings
        /// How long to wait for a reply (`responseTimeoutMs`, 10-2000 ms, default 100).
        public var responseTimeout: Duration
        /// The line of the circuit file where the bus is declared, for messages.
        public var line: Int
    }

    /// One device.
    public struct Device: Sendable, Equatable {
        /// The role the device plays.
        public var role: CircuitRole
        /// Its device family, as firmware-protocols/ names it (`pressureSensor`); must be one that can play ``role``.
        public var family: String
        /// The name of the bus it is on.
        public var bus: String
        /// Modbus unit id, or the line protocol's address.
        public var unit: UInt8
        /// Tubing calibration for pumps, mL per revolution.
        public var tubingMillilitersPerRevolution: Double?
        /// The line of the circuit file where the device is declared, for messages.
        public var line: Int
    }

    /// One limit the operator tightened, as written (checked against the interlock's hard bounds).
    public struct LimitSetting: Sendable, Equatable {
        /// The limit's name (`venousPressureHigh`).
        public var name: String
        /// The value written, in the limit's unit.
        public var value: Double
        /// Where it is written in the circuit file: line.
        public var line: Int
        /// Where it is written in the circuit file: column.
        public var column: Int

        /// A limit `name` set to `value` at `line`:`column` of the circuit file.
        public init(name: String, value: Double, line: Int, column: Int) {
            self.name = name
            self.value = value
            self.line = line
            self.column = column
        }
    }

    /// Cell-infusion dosing (the cell-infusion circuit).
    public struct InfusionPlan: Sendable, Equatable {
        /// Cells per kilogram of body weight to deliver.
        public var targetCellsPerKilogram: Double
        /// The patient's body weight, kg.
        public var patientWeightKilograms: Double
        /// Cells per millilitre of suspension.
        public var cellsPerMilliliter: Double
        /// Allowed infusion rates, mL/min.
        public var rate: ClosedRange<Double>

        /// The volume that delivers the dose.
        public var doseVolumeMilliliters: Double { targetCellsPerKilogram * patientWeightKilograms / cellsPerMilliliter }
    }

    /// The circuit's name (`bal`), from the file's `circuit`.
    public var name: String
    /// A title for people.
    public var title: String
    /// What the circuit is for.
    public var description: String
    /// The buses, in the file's order.
    public var buses: [Bus]
    /// The devices, one per role.
    public var devices: [Device]
    /// The limits the file tightens; the others keep SAFETY.md's defaults.
    public var limits: [LimitSetting]
    /// Allowed set-point ranges per pump role, mL/min.
    public var flows: [CircuitRole: ClosedRange<Double>]
    /// Poll period per signal class.
    public var pollPeriods: [SignalClass: Duration]
    /// The cell-infusion dose plan, if the circuit has one.
    public var infusion: InfusionPlan?
    /// Where it came from, for messages.
    public var source: String

    /// The device playing `role`, if any.
    public func device(_ role: CircuitRole) -> Device? { devices.first { $0.role == role } }
    /// The bus called `name`, if any.
    public func bus(named name: String) -> Bus? { buses.first { $0.name == name } }
    /// The roles the circuit has.
    public var roles: [CircuitRole] { devices.map(\.role) }

    /// Default poll periods: pressures and air at 20 Hz (SAFETY.md's reaction-time
    /// budget), pumps at 10 Hz, heater at 4 Hz, temperatures and blood leak at 2 Hz.
    public static let defaultPollPeriods: [SignalClass: Duration] = [
        .pressure: .milliseconds(50), .air: .milliseconds(50), .pump: .milliseconds(100),
        .heater: .milliseconds(250), .temperature: .milliseconds(500), .bloodLeak: .milliseconds(500),
    ]
}
