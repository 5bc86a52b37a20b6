public import FirmwareProtocols
public import Modbus

/// Pressure transmitter firmware (firmware-protocols/pressure-sensor.yaml).
///
/// Behaviour:
/// - The element reads ``truePressure`` (set by the physics), with any measurement
///   fault applied. The register reports element reading − zeroOffset in 0.1 mmHg,
///   clamped to [``rangeMinimum``, ``rangeMaximum``], with overRange / underRange set
///   while the reported value is beyond them.
/// - ``sensorFault``: pressure reads the sentinel 0x8000, only sensorFault is set.
/// - The element may carry an error of its own (``elementOffset``, condition
///   `elementOffset`, mmHg added to what it senses: transducer drift), and its port may
///   be opened to atmosphere (``openToAtmosphere``, condition `openToAtmosphere`: it
///   then senses 0 mmHg gauge instead of the line), which is how a sensor is zeroed.
/// - zeroNow stores the present element reading as zeroOffset if it is within the
///   zeroOffset register's range (±50 mmHg), else illegal data value; it is refused
///   the same way while the element has failed. Any stored zero (zeroNow or a direct
///   zeroOffset write) sets the zeroed bit.
public final class SimulatedPressureSensor: SimulatedDevice {
    private let engine: FirmwareEngine<PressureModel>

    /// A sensor powered up at `time.now` measuring 0 mmHg, with the element range
    /// `rangeMinimum`…`rangeMaximum` mmHg (whole numbers within the specification's ranges).
    public init(time: any SimulationTime, identity: DeviceIdentity = DeviceIdentity(), role: String? = nil,
                rangeMinimum: Int = -500, rangeMaximum: Int = 600) {
        precondition(PressureSensorProtocol.rangeMinimum.range?.contains(Double(rangeMinimum)) ?? true,
                     "rangeMinimum outside the specification")
        precondition(PressureSensorProtocol.rangeMaximum.range?.contains(Double(rangeMaximum)) ?? true,
                     "rangeMaximum outside the specification")
        precondition(rangeMinimum < rangeMaximum, "empty pressure range")
        engine = FirmwareEngine(identity: identity, role: role, time: time) {
            PressureModel(core: $0, rangeMinimum: Double(rangeMinimum), rangeMaximum: Double(rangeMaximum))
        }
    }

    /// The true gauge pressure at the element, mmHg (set by the physics).
    public var truePressure: Double {
        get { engine.inspect(\.truePressure) }
        set { engine.mutate { $0.truePressure = newValue } }
    }

    /// The element's own error, mmHg added to what it senses (transducer drift).
    public var elementOffset: Double {
        get { engine.inspect(\.elementOffset) }
        set { engine.mutate { $0.elementOffset = newValue } }
    }

    /// The element's port is open to atmosphere: it senses 0 mmHg gauge, not the line.
    public var openToAtmosphere: Bool {
        get { engine.inspect(\.openToAtmosphere) }
        set { engine.mutate { $0.openToAtmosphere = newValue } }
    }

    /// The measuring element failed.
    public var sensorFault: Bool {
        get { engine.inspect(\.sensorFault) }
        set { engine.mutate { $0.sensorFault = newValue } }
    }

    /// Lowest pressure the element measures, mmHg.
    public var rangeMinimum: Double { engine.inspect(\.rangeMinimum) }
    /// Highest pressure the element measures, mmHg.
    public var rangeMaximum: Double { engine.inspect(\.rangeMaximum) }
    /// The stored zero offset, mmHg.
    public var zeroOffset: Double { engine.inspect { $0.core.value(PressureSensorProtocol.zeroOffset) } }

    // MARK: SimulatedDevice

    public var family: FamilyProtocol { PressureModel.family }
    public var identity: DeviceIdentity { engine.identity }
    public var roleDescription: String { engine.roleDescription }
    public var time: any SimulationTime { engine.time }
    public var measurementChannels: [String] { PressureModel.measurementChannels }
    public func measurementFault(channel: String) -> MeasurementFault? { engine.measurementFault(channel: channel) }
    public func setMeasurementFault(_ fault: MeasurementFault, channel: String) throws(SimulatedDeviceError) {
        try engine.setMeasurementFault(fault, channel: channel)
    }
    public var forcedStatusBits: UInt16 { engine.forcedStatusBits }
    public func setForcedStatusBits(_ bits: UInt16) { engine.setForcedStatusBits(bits) }
    public var conditionNames: [String] { engine.conditionNames }
    public func condition(_ name: String) -> String? { engine.condition(name) }
    public func setCondition(_ name: String, to value: String) throws(SimulatedDeviceError) {
        try engine.setCondition(name, to: value)
    }
    public func tick() { engine.tick() }

    // MARK: ModbusDataModel

    public func read(_ table: ModbusTable, address: UInt16, count: Int) throws(ModbusExceptionCode) -> [UInt16] {
        try engine.read(table, address: address, count: count)
    }
    public func write(_ table: ModbusTable, address: UInt16, values: [UInt16]) throws(ModbusExceptionCode) {
        try engine.write(table, address: address, values: values)
    }
    public func maskWrite(address: UInt16, andMask: UInt16, orMask: UInt16) throws(ModbusExceptionCode) {
        try engine.maskWrite(address: address, andMask: andMask, orMask: orMask)
    }
    public func serverID() -> [UInt8] { engine.serverID() }
}

struct PressureModel: FirmwareModel {
    typealias Spec = PressureSensorProtocol

    static let family = Spec.description
    static let statusRegister = Spec.status
    static let commandValues = [Spec.command: Set(Spec.CommandValue.allCases.map(\.rawValue))]
    static let measurementChannels = [Spec.pressure.name]
    static let conditions: [FirmwareCondition<PressureModel>] = [
        .number("truePressure", { $0.truePressure }, { $0.truePressure = $1 }),
        .bool("sensorFault", { $0.sensorFault }, { $0.sensorFault = $1 }),
        .number("elementOffset", in: -200...200, { $0.elementOffset }, { $0.elementOffset = $1 }),
        .bool("openToAtmosphere", { $0.openToAtmosphere }, { $0.openToAtmosphere = $1 }),
    ]

    var core: FirmwareCore
    let rangeMinimum: Double
    let rangeMaximum: Double
    var truePressure = 0.0
    var sensorFault = false
    var zeroed = false
    var elementOffset = 0.0
    var openToAtmosphere = false

    init(core: FirmwareCore, rangeMinimum: Double, rangeMaximum: Double) {
        self.core = core
        self.rangeMinimum = rangeMinimum
        self.rangeMaximum = rangeMaximum
    }

    mutating func evolve(to time: Double) {}

    /// What the element senses: the line (or atmosphere, 0 gauge) plus its own error.
    func faultFreeMeasurement(_ channel: String) -> Double { (openToAtmosphere ? 0 : truePressure) + elementOffset }

    /// Element reading minus the zero offset, unclamped.
    var reported: Double { measurement(Spec.pressure.name) - core.value(Spec.zeroOffset) }

    func inputWords(_ register: RegisterDefinition) -> [UInt16] {
        switch register {
        case Spec.pressure:
            if sensorFault { return RegisterWords.unavailable(register) }
            return RegisterWords.measurement(register, min(max(reported, rangeMinimum), rangeMaximum))
        case Spec.status:
            var status: Spec.Status = zeroed ? [.zeroed] : []
            if sensorFault {
                status.insert(.sensorFault)
            } else {
                if reported > rangeMaximum { status.insert(.overRange) }
                if reported < rangeMinimum { status.insert(.underRange) }
            }
            return [status.rawValue]
        case Spec.rangeMinimum:
            return RegisterWords.measurement(register, rangeMinimum)
        case Spec.rangeMaximum:
            return RegisterWords.measurement(register, rangeMaximum)
        default:
            preconditionFailure("pressure sensor firmware has no input register \(register)")
        }
    }

    mutating func apply(_ register: RegisterDefinition, _ words: [UInt16]) throws(ModbusExceptionCode) {
        switch register {
        case Spec.zeroOffset:
            core.store(register, words)
            zeroed = true
        case Spec.command:
            guard Spec.CommandValue(rawValue: words[0]) == .zeroNow, !sensorFault else { throw .illegalDataValue }
            // The offset register's range is the zero command's limit.
            do { core.store(Spec.zeroOffset, try Spec.zeroOffset.encode(measurement(Spec.pressure.name))) } catch {
                throw .illegalDataValue
            }
            zeroed = true
        default:
            core.store(register, words)
        }
    }
}
