public import FirmwareProtocols
public import Modbus

/// The electrical state of a PT100 probe.
public enum ProbeCondition: String, Sendable, Hashable, CaseIterable {
    /// Intact; open circuit or shorted: the probe reads the rail value 0x7FFF and sets its
    /// open or short status bit.
    case ok, open, shorted
}

/// Redundant PT100 pair firmware (firmware-protocols/temperature-sensor.yaml).
///
/// Behaviour: each probe reads its true temperature (set by the physics) in
/// 0.01 °C with its own measurement fault ("probeA" is the primary channel,
/// "probeB" the other); an open or shorted probe reads the rail value 0x7FFF and
/// sets its open / short bit. Readings outside the specification's plausible range
/// are reported as measured (saturated to the register, never the sentinel), so a
/// driver's plausibility check can be tested.
public final class SimulatedTemperatureSensor: SimulatedDevice {
    private let engine: FirmwareEngine<TemperatureModel>

    /// A probe pair powered up at `time.now`, both probes at `initialTemperature` °C.
    public init(time: any SimulationTime, identity: DeviceIdentity = DeviceIdentity(), role: String? = nil,
                initialTemperature: Double = 37.0) {
        engine = FirmwareEngine(identity: identity, role: role, time: time) {
            TemperatureModel(core: $0, probeA: initialTemperature, probeB: initialTemperature)
        }
    }

    /// The true temperature at probe A, °C.
    public var probeATemperature: Double {
        get { engine.inspect(\.probeATemperature) }
        set { engine.mutate { $0.probeATemperature = newValue } }
    }

    /// The true temperature at probe B, °C.
    public var probeBTemperature: Double {
        get { engine.inspect(\.probeBTemperature) }
        set { engine.mutate { $0.probeBTemperature = newValue } }
    }

    /// Sets both probes' true temperature (the same plasma), °C.
    public func setTemperature(_ celsius: Double) {
        engine.mutate {
            $0.probeATemperature = celsius
            $0.probeBTemperature = celsius
        }
    }

    /// Probe A's wiring.
    public var probeACondition: ProbeCondition {
        get { engine.inspect(\.probeACondition) }
        set { engine.mutate { $0.probeACondition = newValue } }
    }

    /// Probe B's wiring.
    public var probeBCondition: ProbeCondition {
        get { engine.inspect(\.probeBCondition) }
        set { engine.mutate { $0.probeBCondition = newValue } }
    }

    // MARK: SimulatedDevice

    public var family: FamilyProtocol { TemperatureModel.family }
    public var identity: DeviceIdentity { engine.identity }
    public var roleDescription: String { engine.roleDescription }
    public var time: any SimulationTime { engine.time }
    public var measurementChannels: [String] { TemperatureModel.measurementChannels }
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

struct TemperatureModel: FirmwareModel {
    typealias Spec = TemperatureSensorProtocol

    static let family = Spec.description
    static let statusRegister = Spec.status
    static let measurementChannels = [Spec.probeA.name, Spec.probeB.name]
    static let conditions: [FirmwareCondition<TemperatureModel>] = [
        .number("probeATemperature", { $0.probeATemperature }, { $0.probeATemperature = $1 }),
        .number("probeBTemperature", { $0.probeBTemperature }, { $0.probeBTemperature = $1 }),
        .number("temperature", { $0.probeATemperature }, {
            $0.probeATemperature = $1
            $0.probeBTemperature = $1
        }),
        probe("probeACondition", { $0.probeACondition }, { $0.probeACondition = $1 }),
        probe("probeBCondition", { $0.probeBCondition }, { $0.probeBCondition = $1 }),
    ]

    private static func probe(_ name: String, _ get: @escaping @Sendable (TemperatureModel) -> ProbeCondition,
                              _ set: @escaping @Sendable (inout TemperatureModel, ProbeCondition) -> Void)
        -> FirmwareCondition<TemperatureModel> {
        FirmwareCondition(
            name: name, expected: ProbeCondition.allCases.map(\.rawValue).joined(separator: ", "),
            get: { get($0).rawValue },
            set: { model, text in
                guard let condition = ProbeCondition(rawValue: text) else { return false }
                set(&model, condition)
                return true
            })
    }

    var core: FirmwareCore
    var probeATemperature: Double
    var probeBTemperature: Double
    var probeACondition = ProbeCondition.ok
    var probeBCondition = ProbeCondition.ok

    init(core: FirmwareCore, probeA: Double, probeB: Double) {
        self.core = core
        probeATemperature = probeA
        probeBTemperature = probeB
    }

    mutating func evolve(to time: Double) {}

    func faultFreeMeasurement(_ channel: String) -> Double {
        channel == Spec.probeA.name ? probeATemperature : probeBTemperature
    }

    func inputWords(_ register: RegisterDefinition) -> [UInt16] {
        switch register {
        case Spec.probeA:
            return probeACondition == .ok ? RegisterWords.measurement(register, measurement(register.name))
                : RegisterWords.unavailable(register)
        case Spec.probeB:
            return probeBCondition == .ok ? RegisterWords.measurement(register, measurement(register.name))
                : RegisterWords.unavailable(register)
        case Spec.status:
            var status: Spec.Status = []
            if probeACondition == .open { status.insert(.probeAOpen) }
            if probeACondition == .shorted { status.insert(.probeAShort) }
            if probeBCondition == .open { status.insert(.probeBOpen) }
            if probeBCondition == .shorted { status.insert(.probeBShort) }
            return [status.rawValue]
        default:
            preconditionFailure("temperature sensor firmware has no input register \(register)")
        }
    }
}
