import Foundation
public import FirmwareProtocols
public import Modbus

/// Peristaltic pump firmware (firmware-protocols/peristaltic-pump.yaml).
///
/// Behaviour:
/// - The rotor is driven only while the run bit is set, the door is closed, no
///   fault is latched, the motor is not over current and the rotor is not jammed.
///   While driven, its signed speed (negative = reverse) follows the set-point with
///   a first-order lag (`rampTimeConstant`, 0.2 s by default), so a direction
///   change passes through zero; whenever it is not driven it is at 0 at once (the
///   occluded tubing brakes the rotor).
/// - actualSpeed is the tachometer's magnitude; actualFlow = actualSpeed ×
///   tubingCalibration (µL/rev → mL/min); deliveredVolume integrates actualFlow,
///   in either direction, exactly (closed form of the lag), from the last volume reset.
/// - The tubing fitted may deliver more or less per revolution than the pump's
///   calibration says (``tubingVolume``, condition `tubingVolume`): the true flow
///   (``trueFlowRate``, what the physics sees) follows the tubing, while actualFlow and
///   deliveredVolume follow the calibration, as on a real pump; a tubing calibration
///   run (`hepabus calibrate pump`) brings them together. By default the tubing
///   delivers exactly what the calibration says.
/// - A set-point above maxSpeed is refused with illegal data value, judged on the
///   state the whole write leaves (so set-point and maxSpeed can be raised in one
///   FC16); maxSpeed cannot be lowered below the present set-point either.
/// - Latching faults: over-current (``overCurrent`` set by the physics), stall
///   (``rotorJammed`` while the run bit commands a non-zero speed) and the host
///   watchdog. Any of them stops the rotor and sets faultLatched; running needs a
///   fault reset once the cause has gone. The watchdog also clears the run bit (the
///   specification's safe state), so the host must command run again; over-current
///   and stall leave the run bit as the host wrote it.
/// - doorOpen, occlusion and reversedRotation are live (not latched) status bits.
///   An open door stops the rotor; closing it lets a still-set run bit drive it again,
///   as the specification says ("runs only while the run bit is set, the door is closed…").
/// - running = the tachometer reads a non-zero speed; reversing = running counter-clockwise.
/// - ``rotorDrag`` (a worn gearbox, a motor labouring against a tight tubing segment)
///   makes the driven rotor settle at (1 − drag) × the set-point; the tachometer reports
///   the true speed and no status bit says why (the host's tachometer check must see it).
public final class SimulatedPump: SimulatedDevice {
    /// The default speed lag, seconds.
    public static let defaultRampTimeConstant = 0.2

    private let engine: FirmwareEngine<PumpModel>

    /// A pump powered up at `time.now`, holding registers at their defaults, watchdog armed.
    public init(time: any SimulationTime, identity: DeviceIdentity = DeviceIdentity(), role: String? = nil,
                rampTimeConstant: Double = SimulatedPump.defaultRampTimeConstant) {
        precondition(rampTimeConstant > 0, "the speed lag must be positive")
        engine = FirmwareEngine(identity: identity, role: role, time: time) {
            PumpModel(core: $0, rampTimeConstant: rampTimeConstant)
        }
    }

    // MARK: Physical conditions (physics and tests)

    /// The pump-head door is open: the rotor stops; doorOpen status.
    public var doorOpen: Bool {
        get { engine.inspect(\.doorOpen) }
        set { engine.mutate { $0.doorOpen = newValue } }
    }

    /// The pump senses an occlusion downstream (a flag only: the physics decides pressures).
    public var occlusion: Bool {
        get { engine.inspect(\.occlusion) }
        set { engine.mutate { $0.occlusion = newValue } }
    }

    /// The tachometer sees rotation against the commanded direction (a flag only).
    public var reversedRotation: Bool {
        get { engine.inspect(\.reversedRotation) }
        set { engine.mutate { $0.reversedRotation = newValue } }
    }

    /// The rotor is mechanically jammed: it does not turn, and a run command with a
    /// non-zero set-point latches the stall fault.
    public var rotorJammed: Bool {
        get { engine.inspect(\.rotorJammed) }
        set { engine.mutate { $0.rotorJammed = newValue } }
    }

    /// The motor current is above its limit: the motor stops and overCurrent latches.
    public var overCurrent: Bool {
        get { engine.inspect(\.overCurrent) }
        set { engine.mutate { $0.overCurrent = newValue } }
    }

    /// The fraction of speed the rotor loses to drag, 0 (none) to 0.9.
    public var rotorDrag: Double {
        get { engine.inspect(\.rotorDrag) }
        set { engine.mutate { $0.rotorDrag = min(max(newValue, 0), PumpModel.maximumRotorDrag) } }
    }

    // MARK: What the physics reads (true values, not the reported ones)

    /// The rotor's true speed in rpm, negative when turning counter-clockwise.
    public var rotorSpeed: Double { engine.inspect(\.rotorVelocity) }

    /// The true flow in mL/min (rotor speed × the fitted tubing's true volume per
    /// revolution), negative in reverse.
    public var trueFlowRate: Double { engine.inspect { $0.rotorVelocity * $0.trueVolumePerRevolution / 1000 } }

    /// What the fitted tubing truly delivers per revolution, mL (by default what the
    /// pump's calibration says). Setting it models tubing that differs from the calibration.
    public var tubingVolume: Double {
        get { engine.inspect(\.trueVolumePerRevolution) / 1000 }
        set { engine.mutate { $0.trueTubingMicroliters = newValue * 1000 } }
    }

    // MARK: SimulatedDevice

    public var family: FamilyProtocol { PumpModel.family }
    public var identity: DeviceIdentity { engine.identity }
    public var roleDescription: String { engine.roleDescription }
    public var time: any SimulationTime { engine.time }
    public var measurementChannels: [String] { PumpModel.measurementChannels }
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

struct PumpModel: FirmwareModel {
    typealias Spec = PeristalticPumpProtocol

    static let family = Spec.description
    static let statusRegister = Spec.status
    static let definedBits = [Spec.controlWord: ~Spec.ControlWord.undefined.rawValue]
    static let commandValues = [Spec.command: Set(Spec.CommandValue.allCases.map(\.rawValue))]
    static let measurementChannels = [Spec.actualSpeed.name]
    static let conditions: [FirmwareCondition<PumpModel>] = [
        .bool("doorOpen", { $0.doorOpen }, { $0.doorOpen = $1 }),
        .bool("occlusion", { $0.occlusion }, { $0.occlusion = $1 }),
        .bool("reversedRotation", { $0.reversedRotation }, { $0.reversedRotation = $1 }),
        .bool("rotorJammed", { $0.rotorJammed }, { $0.rotorJammed = $1 }),
        .bool("overCurrent", { $0.overCurrent }, { $0.overCurrent = $1 }),
        .number("rotorDrag", in: 0...maximumRotorDrag, { $0.rotorDrag }, { $0.rotorDrag = $1 }),
        // mL per revolution the fitted tubing truly delivers (the calibration register's range).
        .number("tubingVolume", in: 0.1...20, { $0.trueVolumePerRevolution / 1000 }, { $0.trueTubingMicroliters = $1 * 1000 }),
    ]
    /// Beyond this the rotor would be jammed, which ``rotorJammed`` models.
    static let maximumRotorDrag = 0.9

    var core: FirmwareCore
    let rampTimeConstant: Double

    /// True rotor speed, rpm, negative in reverse.
    var rotorVelocity = 0.0
    /// Integral of the reported flow since the last volume reset, mL.
    var deliveredMilliliters = 0.0

    var doorOpen = false
    var occlusion = false
    var reversedRotation = false
    var rotorJammed = false
    var overCurrent = false
    var rotorDrag = 0.0

    var overCurrentLatched = false
    var stallLatched = false
    /// µL the fitted tubing truly delivers per revolution; nil: exactly the calibration.
    var trueTubingMicroliters: Double?

    init(core: FirmwareCore, rampTimeConstant: Double) {
        self.core = core
        self.rampTimeConstant = rampTimeConstant
    }

    var control: Spec.ControlWord { Spec.ControlWord(rawValue: core.word(Spec.controlWord)) }
    var setpoint: Double { core.value(Spec.speedSetpoint) }
    /// µL per revolution.
    var calibration: Double { core.value(Spec.tubingCalibration) }
    var watchdogLatched: Bool { core.watchdog?.latched ?? false }
    /// µL per revolution the tubing truly delivers.
    var trueVolumePerRevolution: Double { trueTubingMicroliters ?? calibration }
    var anyFaultLatched: Bool { overCurrentLatched || stallLatched || watchdogLatched }

    /// The motor is energised.
    var driven: Bool {
        control.contains(.run) && !doorOpen && !anyFaultLatched && !overCurrent && !rotorJammed
    }

    var targetVelocity: Double {
        guard driven else { return 0 }
        let speed = setpoint * (1 - rotorDrag)
        return control.contains(.reverse) ? -speed : speed
    }

    mutating func evolve(to time: Double) {
        let dt = time - core.time
        guard dt > 0 else { return }
        let start = core.time
        let v0 = rotorVelocity, target = targetVelocity, tau = rampTimeConstant
        // v(s) = target + (v0 - target)·e^(-s/τ), exactly.
        func velocity(_ s: Double) -> Double { target + (v0 - target) * exp(-s / tau) }
        func integral(_ a: Double, _ b: Double) -> Double {
            target * (b - a) + (v0 - target) * tau * (exp(-a / tau) - exp(-b / tau))
        }
        let revolutions: Double  // of the tachometer's reading, over the segment
        switch core.measurementFaults[Spec.actualSpeed.name] {
        case nil:
            // |v| integrated exactly, split where the lag crosses zero.
            var cuts = [0.0]
            if v0 != 0, target != 0, (v0 > 0) != (target > 0) {
                let crossing = tau * log((v0 - target) / -target)
                if crossing > 0, crossing < dt { cuts.append(crossing) }
            }
            cuts.append(dt)
            revolutions = zip(cuts, cuts.dropFirst()).reduce(0) { $0 + abs(integral($1.0, $1.1)) } / 60
        case .stuck(let frozen)?:
            revolutions = max(0, frozen) * dt / 60
        case .drift?:
            // Simpson's rule on the drifting reading, in steps of at most 10 ms.
            let steps = max(2, Int((dt / 0.01).rounded(.up)) * 2)
            let h = dt / Double(steps)
            var sum = 0.0
            for i in 0...steps {
                let s = Double(i) * h
                let reading = max(0, core.measurementFaults[Spec.actualSpeed.name]!.apply(to: abs(velocity(s)), at: start + s))
                sum += reading * (i == 0 || i == steps ? 1 : (i % 2 == 1 ? 4 : 2))
            }
            revolutions = sum * h / 3 / 60
        }
        deliveredMilliliters += revolutions * calibration / 1000
        rotorVelocity = velocity(dt)
    }

    mutating func update() {
        if overCurrent { overCurrentLatched = true }
        if rotorJammed, control.contains(.run), setpoint > 0, !doorOpen, !overCurrentLatched, !watchdogLatched {
            stallLatched = true
        }
        if !driven { rotorVelocity = 0 }
    }

    var isActive: Bool { control.contains(.run) }

    mutating func enterSafeState() {
        core.store(Spec.controlWord, [control.subtracting(.run).rawValue])
        rotorVelocity = 0
    }

    /// What the tachometer reports, rpm.
    var measuredSpeed: Double { max(0, measurement(Spec.actualSpeed.name)) }

    func faultFreeMeasurement(_ channel: String) -> Double { abs(rotorVelocity) }

    func inputWords(_ register: RegisterDefinition) -> [UInt16] {
        switch register {
        case Spec.status:
            var status: Spec.Status = []
            let speedWords = RegisterWords.measurement(Spec.actualSpeed, measuredSpeed)
            if speedWords[0] != 0 {
                status.insert(.running)
                if rotorVelocity < 0 || (rotorVelocity == 0 && control.contains(.reverse)) { status.insert(.reversing) }
            }
            if doorOpen { status.insert(.doorOpen) }
            if occlusion { status.insert(.occlusion) }
            if reversedRotation { status.insert(.reversedRotation) }
            if stallLatched { status.insert(.stall) }
            if overCurrentLatched || overCurrent { status.insert(.overCurrent) }
            if watchdogLatched { status.insert(.watchdogExpired) }
            if anyFaultLatched { status.insert(.faultLatched) }
            return [status.rawValue]
        case Spec.actualSpeed:
            return RegisterWords.measurement(register, measuredSpeed)
        case Spec.actualFlow:
            return RegisterWords.measurement(register, measuredSpeed * calibration / 1000)
        case Spec.deliveredVolume:
            return RegisterWords.measurement(register, deliveredMilliliters)
        default:
            preconditionFailure("pump firmware has no input register \(register)")
        }
    }

    mutating func apply(_ register: RegisterDefinition, _ words: [UInt16]) throws(ModbusExceptionCode) {
        guard register == Spec.command else {
            core.store(register, words)
            return
        }
        switch Spec.CommandValue(rawValue: words[0]) {
        case .faultReset:
            if !overCurrent { overCurrentLatched = false }
            if !rotorJammed { stallLatched = false }
            core.resetWatchdog()
        case .volumeReset:
            deliveredMilliliters = 0
        case nil:
            throw .illegalDataValue
        }
    }

    func validate() throws(ModbusExceptionCode) {
        // Same scale: compare raw words, not rounded engineering values.
        if core.word(Spec.speedSetpoint) > core.word(Spec.maxSpeed) { throw .illegalDataValue }
    }
}
