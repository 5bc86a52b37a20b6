public import FirmwareProtocols
public import Modbus

/// Blood-leak detector firmware (firmware-protocols/blood-leak-detector.yaml).
///
/// Behaviour: the optical path measures ``haemoglobin`` (ppm, set by the physics,
/// kept within the detector's 0…5000 ppm scale; a drifting reading saturates there
/// too) and reports it in whole ppm; leakDetected is set while the reported value is
/// above alarmThreshold. The threshold accepts 50…500 ppm in steps of 10 ppm (the
/// specification's description); anything else is refused with illegal data value.
/// ``sensorFault``: the reading is the sentinel 0xFFFF, only sensorFault is set.
public final class SimulatedBloodLeakDetector: SimulatedDevice {
    /// The threshold's step, ppm (firmware-protocols: "10 ppm steps").
    public static let thresholdStep: UInt16 = 10

    private let engine: FirmwareEngine<BloodLeakModel>

    /// A detector powered up at `time.now` reading 0 ppm, threshold at its default.
    public init(time: any SimulationTime, identity: DeviceIdentity = DeviceIdentity(), role: String? = nil) {
        engine = FirmwareEngine(identity: identity, role: role, time: time) { BloodLeakModel(core: $0) }
    }

    /// The haemoglobin-equivalent concentration in the plasma, ppm (clamped to 0…5000).
    public var haemoglobin: Double {
        get { engine.inspect(\.haemoglobin) }
        set { engine.mutate { $0.haemoglobin = BloodLeakModel.scale(newValue) } }
    }

    /// The optical path failed its self-check.
    public var sensorFault: Bool {
        get { engine.inspect(\.sensorFault) }
        set { engine.mutate { $0.sensorFault = newValue } }
    }

    // MARK: SimulatedDevice

    public var family: FamilyProtocol { BloodLeakModel.family }
    public var identity: DeviceIdentity { engine.identity }
    public var roleDescription: String { engine.roleDescription }
    public var time: any SimulationTime { engine.time }
    public var measurementChannels: [String] { BloodLeakModel.measurementChannels }
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

struct BloodLeakModel: FirmwareModel {
    typealias Spec = BloodLeakDetectorProtocol

    static let family = Spec.description
    static let statusRegister = Spec.status
    static let measurementChannels = [Spec.haemoglobin.name]
    static let conditions: [FirmwareCondition<BloodLeakModel>] = [
        .number("haemoglobin", in: Spec.haemoglobin.range ?? 0...5000, { $0.haemoglobin }, { $0.haemoglobin = $1 }),
        .bool("sensorFault", { $0.sensorFault }, { $0.sensorFault = $1 }),
    ]

    /// The detector's scale (the register's plausible range).
    static func scale(_ ppm: Double) -> Double {
        guard let range = Spec.haemoglobin.range else { return max(0, ppm) }
        return min(max(ppm, range.lowerBound), range.upperBound)
    }

    var core: FirmwareCore
    var haemoglobin = 0.0
    var sensorFault = false

    init(core: FirmwareCore) { self.core = core }

    mutating func evolve(to time: Double) {}

    func faultFreeMeasurement(_ channel: String) -> Double { haemoglobin }

    var readingWords: [UInt16] { RegisterWords.measurement(Spec.haemoglobin, Self.scale(measurement(Spec.haemoglobin.name))) }

    func inputWords(_ register: RegisterDefinition) -> [UInt16] {
        switch register {
        case Spec.haemoglobin:
            return sensorFault ? RegisterWords.unavailable(register) : readingWords
        case Spec.status:
            if sensorFault { return [Spec.Status.sensorFault.rawValue] }
            return [readingWords[0] > core.word(Spec.alarmThreshold) ? Spec.Status.leakDetected.rawValue : 0]
        default:
            preconditionFailure("blood-leak detector firmware has no input register \(register)")
        }
    }

    mutating func apply(_ register: RegisterDefinition, _ words: [UInt16]) throws(ModbusExceptionCode) {
        if register == Spec.alarmThreshold, words[0] % SimulatedBloodLeakDetector.thresholdStep != 0 {
            throw .illegalDataValue
        }
        core.store(register, words)
    }
}
