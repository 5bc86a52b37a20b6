public import FirmwareProtocols

/// Every device family HepaBus drives, declared once. Each property is an exhaustive
/// `switch` with no `default:`: a new family does not compile until it says what its
/// spec, bus, capabilities, watchdog and latch are, and every module that builds
/// something per family (the runtime's drivers, the simulator's firmware) has a
/// `switch` of its own over this enum, so a family cannot be half added.
public enum DeviceFamily: String, Sendable, CaseIterable, Codable {
    /// A Modbus peristaltic pump (firmware-protocols/peristaltic-pump.yaml).
    case peristalticPump
    /// A pump on an ASCII line protocol (line-ascii-pump.yaml), e.g. the heparin syringe.
    case asciiPump
    /// A Modbus pressure sensor (pressure-sensor.yaml).
    case pressureSensor
    /// A Modbus temperature sensor (temperature-sensor.yaml).
    case temperatureSensor
    /// A Modbus plasma heater with its own two probes (heater.yaml).
    case heater
    /// The Modbus air detector with the return-line clamp (air-detector.yaml).
    case airDetector
    /// The Modbus blood-leak detector (blood-leak-detector.yaml).
    case bloodLeakDetector

    /// How a family is reached on the wire.
    public enum BusKind: Sendable {
        /// Modbus RTU or TCP, through libmodbus.
        case modbus
        /// A line protocol on a serial port (ASCII commands and replies).
        case line
    }

    /// The circuit file's name for the family (as `family:` says it).
    public var name: String { rawValue }

    /// The family's specification in firmware-protocols/.
    public var specFile: String {
        switch self {
        case .peristalticPump: "peristaltic-pump.yaml"
        case .asciiPump: "line-ascii-pump.yaml"
        case .pressureSensor: "pressure-sensor.yaml"
        case .temperatureSensor: "temperature-sensor.yaml"
        case .heater: "heater.yaml"
        case .airDetector: "air-detector.yaml"
        case .bloodLeakDetector: "blood-leak-detector.yaml"
        }
    }

    /// The generated register protocol of a Modbus family (nil for a line protocol).
    public var registerProtocol: FamilyProtocol? {
        switch self {
        case .peristalticPump: PeristalticPumpProtocol.description
        case .asciiPump: nil
        case .pressureSensor: PressureSensorProtocol.description
        case .temperatureSensor: TemperatureSensorProtocol.description
        case .heater: HeaterProtocol.description
        case .airDetector: AirDetectorProtocol.description
        case .bloodLeakDetector: BloodLeakDetectorProtocol.description
        }
    }

    /// The named bits of the family's status word (mask and name); none for a line family.
    public var statusBits: [(mask: UInt16, name: String)] {
        switch self {
        case .peristalticPump: PeristalticPumpProtocol.Status.named.map { ($0.bit.rawValue, $0.name) }
        case .asciiPump: []
        case .pressureSensor: PressureSensorProtocol.Status.named.map { ($0.bit.rawValue, $0.name) }
        case .temperatureSensor: TemperatureSensorProtocol.Status.named.map { ($0.bit.rawValue, $0.name) }
        case .heater: HeaterProtocol.Status.named.map { ($0.bit.rawValue, $0.name) }
        case .airDetector: AirDetectorProtocol.Status.named.map { ($0.bit.rawValue, $0.name) }
        case .bloodLeakDetector: BloodLeakDetectorProtocol.Status.named.map { ($0.bit.rawValue, $0.name) }
        }
    }

    /// The named bits of the family's control word (mask and name); none for a family without one.
    public var controlBits: [(mask: UInt16, name: String)] {
        switch self {
        case .peristalticPump: PeristalticPumpProtocol.ControlWord.named.map { ($0.bit.rawValue, $0.name) }
        case .heater: HeaterProtocol.ControlWord.named.map { ($0.bit.rawValue, $0.name) }
        case .airDetector: AirDetectorProtocol.ControlWord.named.map { ($0.bit.rawValue, $0.name) }
        case .asciiPump, .pressureSensor, .temperatureSensor, .bloodLeakDetector: []
        }
    }

    /// The Modbus family whose identity block carries `familyCode`.
    public static func family(code familyCode: UInt16) -> DeviceFamily? {
        allCases.first { $0.registerProtocol?.familyCode == familyCode }
    }

    /// The bus the family sits on.
    public var busKind: BusKind {
        switch self {
        case .asciiPump: .line
        case .peristalticPump, .pressureSensor, .temperatureSensor, .heater, .airDetector, .bloodLeakDetector: .modbus
        }
    }

    /// The unit ids (Modbus) or addresses (line protocol) a device of the family can have.
    public var unitRange: ClosedRange<Int> {
        switch busKind {
        case .line: 1...8
        case .modbus: 1...247
        }
    }

    /// What a device of the family does for the circuit.
    public var capabilities: Set<DeviceCapability> {
        switch self {
        case .peristalticPump, .asciiPump: [.pump]
        case .pressureSensor: [.pressureSource]
        case .temperatureSensor: [.temperatureSource]
        case .heater: [.heater]
        case .airDetector: [.detector, .clamp]
        case .bloodLeakDetector: [.detector]
        }
    }

    /// The family carries a host watchdog: it stops itself (its own safe state) unless the
    /// host feeds it, so the runtime must feed it and the self-test must see it armed.
    public var hasHostWatchdog: Bool {
        switch self {
        case .peristalticPump, .asciiPump, .heater, .airDetector: true
        case .pressureSensor, .temperatureSensor, .bloodLeakDetector: false
        }
    }

    /// The family latches faults in the device that only a fault reset clears: the
    /// operator's acknowledgement must reach them.
    public var hasDeviceLatch: Bool {
        switch self {
        case .peristalticPump, .asciiPump, .heater, .airDetector: true
        case .pressureSensor, .temperatureSensor, .bloodLeakDetector: false
        }
    }

    /// The known families' names, sorted, for messages.
    public static var names: [String] { allCases.map(\.rawValue).sorted() }
}

extension CircuitConfiguration.Device {
    /// The registered family the circuit file names (the loader refuses any other, so
    /// nil only for a device built by hand with a name no family has).
    public var deviceFamily: DeviceFamily? { DeviceFamily(rawValue: family) }
}

/// What a device does for the circuit, whichever family it is.
public enum DeviceCapability: String, Sendable, CaseIterable {
    /// Moves fluid at a commanded flow.
    case pump
    /// Reads a pressure.
    case pressureSource
    /// Reads a temperature.
    case temperatureSource
    /// Heats to a setpoint.
    case heater
    /// Closes a line (the return clamp).
    case clamp
    /// Detects a hazard (air, blood leak).
    case detector
}
