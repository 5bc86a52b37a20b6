public import Serial

/// A circuit as its file describes it: buses, the devices playing each role,
/// the operator's (tighter-only) limits, flow ranges and poll rates.
public struct CircuitConfiguration: Sendable, Equatable {
    /// How a bus is reached.
    public enum BusProtocol: String, Sendable, CaseIterable {
        case modbusRTU = "modbus-rtu"
        case modbusTCP = "modbus-tcp"
        case line
    }

    /// One bus: an RS-485 segment, an RS-232 line, or a Modbus TCP gateway.
    public struct Bus: Sendable, Equatable {
        public var name: String
        public var protocolKind: BusProtocol
        /// The device node (`/dev/hepabus/<udev role>` for ports named by our udev rules).
        public var port: String?
        /// `HOST:PORT` for Modbus TCP.
        public var tcp: String?
        public var settings: SerialSettings
        public var responseTimeout: Duration
        public var line: Int
    }

    /// One device.
    public struct Device: Sendable, Equatable {
        public var role: CircuitRole
        public var family: String
        public var bus: String
        /// Modbus unit id, or the line protocol's address.
        public var unit: UInt8
        /// Tubing calibration for pumps, mL per revolution.
        public var tubingMillilitersPerRevolution: Double?
        public var line: Int
    }

    /// One limit the operator tightened, as written (checked against the interlock's hard bounds).
    public struct LimitSetting: Sendable, Equatable {
        public var name: String
        public var value: Double
        public var line: Int
        public var column: Int

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
        public var patientWeightKilograms: Double
        /// Cells per millilitre of suspension.
        public var cellsPerMilliliter: Double
        /// Allowed infusion rates, mL/min.
        public var rate: ClosedRange<Double>

        /// The volume that delivers the dose.
        public var doseVolumeMilliliters: Double { targetCellsPerKilogram * patientWeightKilograms / cellsPerMilliliter }
    }

    public var name: String
    public var title: String
    public var description: String
    public var buses: [Bus]
    public var devices: [Device]
    public var limits: [LimitSetting]
    /// Allowed set-point ranges per pump role, mL/min.
    public var flows: [CircuitRole: ClosedRange<Double>]
    /// Poll period per signal class.
    public var pollPeriods: [SignalClass: Duration]
    public var infusion: InfusionPlan?
    /// Where it came from, for messages.
    public var source: String

    public func device(_ role: CircuitRole) -> Device? { devices.first { $0.role == role } }
    public func bus(named name: String) -> Bus? { buses.first { $0.name == name } }
    public var roles: [CircuitRole] { devices.map(\.role) }

    /// Default poll periods: pressures and air at 20 Hz (SAFETY.md's reaction-time
    /// budget), pumps at 10 Hz, heater at 4 Hz, temperatures and blood leak at 2 Hz.
    public static let defaultPollPeriods: [SignalClass: Duration] = [
        .pressure: .milliseconds(50), .air: .milliseconds(50), .pump: .milliseconds(100),
        .heater: .milliseconds(250), .temperature: .milliseconds(500), .bloodLeak: .milliseconds(500),
    ]
}
