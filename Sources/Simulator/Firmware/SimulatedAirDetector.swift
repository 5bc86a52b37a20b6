public import FirmwareProtocols
public import Modbus

/// Air detector and return-line clamp firmware (firmware-protocols/air-detector.yaml).
///
/// Behaviour:
/// - The detector sees air when ``airPresent`` (set by the physics) and the bubble
///   (``bubbleVolume``, µL) is at least the sensitivity register. The moment it starts
///   seeing air (rising edge) it latches airAlarm, counts the event (airEventCount,
///   wrapping), records lastBubbleVolume, clears clampOpen in the control word and
///   starts closing the clamp.
/// - The clamp travels between its end positions in `clampTravelTime` (50 ms by
///   default) at a constant rate; during travel neither clampIsOpen nor clampIsClosed
///   is set. It is closed at power-up.
/// - While airAlarm or watchdogExpired is latched the clamp cannot be opened: a
///   control word with clampOpen is refused with illegal data value (nothing changes).
///   A fault reset clears airAlarm only when the detector sees no air, and the watchdog
///   latch only when the heartbeat is fresh; the clamp then stays closed until the host
///   sets clampOpen again.
/// - Watchdog expiry clears clampOpen: the clamp closes (the specification's safe state).
/// - ``clampJammed`` stops the clamp where it is; clampFault is set whenever the
///   position feedback disagrees with the command for longer than the travel time.
/// - ``sensorFault`` sets the sensorFault bit only (detection as such goes on);
///   the "airPresent" measurement channel takes ``MeasurementFault/stuck`` (the
///   detector output freezes, so new air goes unseen), not drift.
public final class SimulatedAirDetector: SimulatedDevice {
    /// The default clamp travel time, seconds.
    public static let defaultClampTravelTime = 0.05

    private let engine: FirmwareEngine<AirDetectorModel>

    /// A detector powered up at `time.now`: liquid in the line, clamp closed, watchdog armed.
    public init(time: any SimulationTime, identity: DeviceIdentity = DeviceIdentity(), role: String? = nil,
                clampTravelTime: Double = SimulatedAirDetector.defaultClampTravelTime) {
        precondition(clampTravelTime > 0, "the clamp travel time must be positive")
        engine = FirmwareEngine(identity: identity, role: role, time: time) {
            AirDetectorModel(core: $0, travelTime: clampTravelTime)
        }
    }

    // MARK: Physical conditions

    /// Air is in the detector (set by the physics).
    public var airPresent: Bool {
        get { engine.inspect(\.airPresent) }
        set { engine.mutate { $0.airPresent = newValue } }
    }

    /// The volume of the air in the detector, µL (50 by default).
    public var bubbleVolume: Double {
        get { engine.inspect(\.bubbleVolume) }
        set { engine.mutate { $0.bubbleVolume = max(0, newValue) } }
    }

    /// Air arrives: sets ``bubbleVolume`` and ``airPresent`` in one step.
    public func injectAir(bubbleVolume: Double) {
        engine.mutate {
            $0.bubbleVolume = max(0, bubbleVolume)
            $0.airPresent = true
        }
    }

    /// The ultrasonic sensor fails its self-check.
    public var sensorFault: Bool {
        get { engine.inspect(\.sensorFault) }
        set { engine.mutate { $0.sensorFault = newValue } }
    }

    /// The clamp mechanism is stuck where it is.
    public var clampJammed: Bool {
        get { engine.inspect(\.clampJammed) }
        set { engine.mutate { $0.clampJammed = newValue } }
    }

    // MARK: What the physics reads

    /// Where the clamp is: 0 closed … 1 open.
    public var clampPosition: Double { engine.inspect(\.clampPosition) }
    /// The clamp is fully closed (the line is shut).
    public var isClampClosed: Bool { engine.inspect { $0.clampPosition <= 0 } }

    // MARK: SimulatedDevice

    public var family: FamilyProtocol { AirDetectorModel.family }
    public var identity: DeviceIdentity { engine.identity }
    public var roleDescription: String { engine.roleDescription }
    public var time: any SimulationTime { engine.time }
    public var measurementChannels: [String] { AirDetectorModel.measurementChannels }
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

struct AirDetectorModel: FirmwareModel {
    typealias Spec = AirDetectorProtocol

    static let family = Spec.description
    static let statusRegister = Spec.status
    static let definedBits = [Spec.controlWord: ~Spec.ControlWord.undefined.rawValue]
    static let commandValues = [Spec.command: Set(Spec.CommandValue.allCases.map(\.rawValue))]
    /// The detector's output (1 air, 0 liquid), as seen through a measurement fault.
    static let measurementChannels = ["airPresent"]
    static let conditions: [FirmwareCondition<AirDetectorModel>] = [
        .bool("airPresent", { $0.airPresent }, { $0.airPresent = $1 }),
        .number("bubbleVolume", in: 0...60000, { $0.bubbleVolume }, { $0.bubbleVolume = $1 }),
        .bool("sensorFault", { $0.sensorFault }, { $0.sensorFault = $1 }),
        .bool("clampJammed", { $0.clampJammed }, { $0.clampJammed = $1 }),
    ]

    static func supports(_ fault: MeasurementFault, on channel: String) -> Bool {
        if case .drift = fault { return false }
        return true
    }

    var core: FirmwareCore
    let travelTime: Double

    var airPresent = false
    var bubbleVolume = 50.0
    var sensorFault = false
    var clampJammed = false

    /// What the detector saw at the last update (for the rising edge).
    var detecting = false
    var airAlarm = false
    var airEventCount: UInt16 = 0
    var lastBubbleVolume = 0.0
    /// 0 closed … 1 open.
    var clampPosition = 0.0
    var commandChangedAt: Double

    init(core: FirmwareCore, travelTime: Double) {
        self.core = core
        self.travelTime = travelTime
        commandChangedAt = core.time
    }

    var commandedOpen: Bool { Spec.ControlWord(rawValue: core.word(Spec.controlWord)).contains(.clampOpen) }
    var watchdogLatched: Bool { core.watchdog?.latched ?? false }
    var seesAir: Bool { measurement(Self.measurementChannels[0]) >= 0.5 }

    func faultFreeMeasurement(_ channel: String) -> Double {
        airPresent && bubbleVolume >= core.value(Spec.sensitivity) ? 1 : 0
    }

    mutating func evolve(to time: Double) {
        let dt = time - core.time
        guard dt > 0, !clampJammed else { return }
        let step = dt / travelTime, snap = timeTolerance / travelTime
        if commandedOpen {
            clampPosition = clampPosition + step >= 1 - snap ? 1 : clampPosition + step
        } else {
            clampPosition = clampPosition - step <= snap ? 0 : clampPosition - step
        }
    }

    mutating func update() {
        let air = seesAir
        if air && !detecting {
            airAlarm = true
            airEventCount &+= 1
            lastBubbleVolume = bubbleVolume
            closeClamp()
        }
        detecting = air
    }

    private mutating func closeClamp() {
        guard commandedOpen else { return }
        core.store(Spec.controlWord, [Spec.ControlWord(rawValue: core.word(Spec.controlWord)).subtracting(.clampOpen).rawValue])
        commandChangedAt = core.time
    }

    mutating func enterSafeState() { closeClamp() }

    var isActive: Bool { commandedOpen }

    func inputWords(_ register: RegisterDefinition) -> [UInt16] {
        switch register {
        case Spec.status:
            var status: Spec.Status = []
            if seesAir { status.insert(.airPresent) }
            if airAlarm { status.insert(.airAlarm) }
            if clampPosition >= 1 { status.insert(.clampIsOpen) }
            if clampPosition <= 0 { status.insert(.clampIsClosed) }
            let agrees = commandedOpen ? clampPosition >= 1 : clampPosition <= 0
            if !agrees, core.time - commandChangedAt > travelTime + timeTolerance { status.insert(.clampFault) }
            if sensorFault { status.insert(.sensorFault) }
            if watchdogLatched { status.insert(.watchdogExpired) }
            return [status.rawValue]
        case Spec.airEventCount:
            return [airEventCount]
        case Spec.lastBubbleVolume:
            return RegisterWords.measurement(register, min(lastBubbleVolume, Spec.lastBubbleVolume.range?.upperBound ?? 60000))
        default:
            preconditionFailure("air detector firmware has no input register \(register)")
        }
    }

    mutating func apply(_ register: RegisterDefinition, _ words: [UInt16]) throws(ModbusExceptionCode) {
        switch register {
        case Spec.controlWord:
            let open = Spec.ControlWord(rawValue: words[0]).contains(.clampOpen)
            if open && (airAlarm || watchdogLatched) { throw .illegalDataValue }
            if open != commandedOpen { commandChangedAt = core.time }
            core.store(register, words)
        case Spec.command:
            switch Spec.CommandValue(rawValue: words[0]) {
            case .faultReset:
                if !seesAir { airAlarm = false }
                core.resetWatchdog()
            case nil:
                throw .illegalDataValue
            }
        default:
            core.store(register, words)
        }
    }
}
