import Foundation
public import FirmwareProtocols
public import Modbus

/// Plasma heater controller firmware (firmware-protocols/heater.yaml).
///
/// The plant is deliberately simple, two first-order lags driven by the output u (0…1):
///
///     τe·dTe/dt = Tin + G·u − Te          element (G = ``Dynamics/elementRise``, or
///                                          ``Dynamics/elementRiseWithoutFlow`` when plasma is not flowing)
///     τo·dTo/dt = Tin + k·(Te − Tin) − To  outlet (k = ``Dynamics/outletCoupling``, 0 without flow)
///
/// with Tin = ``inletTemperature`` set by the physics, integrated in closed form
/// between controller samples (u is held). The physics may instead impose the
/// outlet temperature (``externalOutletTemperature``); the element model keeps
/// running either way.
///
/// Firmware, every ``Dynamics/controlPeriod`` (0.1 s) on a fixed grid from power-up:
/// 1. the cut-out: measured element temperature > cutoutTemperature latches
///    cutoutTripped (output off) until a fault reset with the element below it
///    (and its sensor working);
/// 2. while enabled, not tripped, watchdog not latched and the element sensor
///    working, a PI controller (anti-windup by conditional integration) sets the
///    output from setpoint − measured outlet; otherwise output 0.
/// The controller acts on the *measured* temperatures, so measurement faults on
/// "outletTemperature" (primary) or "elementTemperature" mislead it as they would a real one.
/// Watchdog expiry clears the enable bit and the output (the specification's safe state).
///
/// Hardware faults, as physical conditions (none sets a status bit: the firmware cannot know):
/// - ``airLock``: an air pocket round the element; the heat is not carried away, as if
///   plasma did not flow, so the element overheats while the pumps run (SR-11).
/// - ``elementOpen``: the heating element is burnt out (open circuit): the controller
///   drives its output but nothing heats, so the plasma cools toward ambient (SR-9).
/// - ``outletSensorOffset``: the controller's own outlet sensor reads this far off
///   (°C, negative = low), so it regulates the plasma that far the other way (SR-8).
public final class SimulatedHeater: SimulatedDevice {
    /// Plant and controller constants.
    public struct Dynamics: Sendable, Hashable {
        /// Element lag, seconds.
        public var elementTimeConstant = 8.0
        /// Element temperature above the inlet at full output with plasma flowing, °C.
        public var elementRise = 15.0
        /// The same without flow (heat is not carried away): what trips the cut-out.
        public var elementRiseWithoutFlow = 40.0
        /// Outlet lag, seconds (must differ from the element's).
        public var outletTimeConstant = 10.0
        /// Fraction of the element's excess over the inlet the outlet settles at.
        public var outletCoupling = 0.5
        /// Output per °C of error.
        public var proportionalGain = 0.15
        /// Output per °C·s of accumulated error.
        public var integralGain = 0.006
        /// Controller and cut-out sample period, seconds.
        public var controlPeriod = 0.1

        /// The default dynamics above.
        public init() {}
    }

    private let engine: FirmwareEngine<HeaterModel>

    /// A heater powered up at `time.now`, disabled, element and outlet at `inletTemperature` °C.
    public init(time: any SimulationTime, identity: DeviceIdentity = DeviceIdentity(), role: String? = nil,
                inletTemperature: Double = 35.0, dynamics: Dynamics = Dynamics()) {
        precondition(dynamics.elementTimeConstant > 0 && dynamics.outletTimeConstant > 0 && dynamics.controlPeriod > 0)
        precondition(dynamics.elementTimeConstant != dynamics.outletTimeConstant, "the closed form needs distinct lags")
        engine = FirmwareEngine(identity: identity, role: role, time: time) {
            HeaterModel(core: $0, dynamics: dynamics, inletTemperature: inletTemperature)
        }
    }

    // MARK: Physical conditions

    /// Plasma temperature entering the heater, °C (set by the physics).
    public var inletTemperature: Double {
        get { engine.inspect(\.inletTemperature) }
        set { engine.mutate { $0.inletTemperature = newValue } }
    }

    /// The outlet temperature imposed by the physics, °C; nil lets the built-in plant compute it.
    public var externalOutletTemperature: Double? {
        get { engine.inspect(\.externalOutletTemperature) }
        set { engine.mutate { $0.setExternalOutlet(newValue) } }
    }

    /// Plasma flows past the element (false: dry running, the element overheats).
    public var plasmaFlowing: Bool {
        get { engine.inspect(\.plasmaFlowing) }
        set { engine.mutate { $0.plasmaFlowing = newValue } }
    }

    /// An air pocket round the element: heat is not carried away (the element overheats).
    public var airLock: Bool {
        get { engine.inspect(\.airLock) }
        set { engine.mutate { $0.airLock = newValue } }
    }

    /// The heating element is burnt out: no heat whatever the output.
    public var elementOpen: Bool {
        get { engine.inspect(\.elementOpen) }
        set { engine.mutate { $0.elementOpen = newValue } }
    }

    /// How far the controller's outlet sensor reads off the true outlet temperature, °C.
    public var outletSensorOffset: Double {
        get { engine.inspect(\.outletSensorOffset) }
        set { engine.mutate { $0.outletSensorOffset = newValue } }
    }

    /// The element sensor failed: output off, elementTemperature reads 0x7FFF.
    public var elementSensorFault: Bool {
        get { engine.inspect(\.elementSensorFault) }
        set { engine.mutate { $0.elementSensorFault = newValue } }
    }

    // MARK: What the physics reads (true values)

    /// The output, 0…1.
    public var output: Double { engine.inspect(\.output) }
    /// The true element temperature, °C.
    public var elementTemperature: Double { engine.inspect(\.elementTemperature) }
    /// The true outlet temperature, °C (imposed or computed).
    public var outletTemperature: Double { engine.inspect(\.outletTemperature) }
    /// The set-point register, °C.
    public var setpoint: Double { engine.inspect { $0.core.value(HeaterProtocol.setpoint) } }
    /// The enable bit of the control word.
    public var isEnabled: Bool { engine.inspect(\.enabled) }

    // MARK: SimulatedDevice

    public var family: FamilyProtocol { HeaterModel.family }
    public var identity: DeviceIdentity { engine.identity }
    public var roleDescription: String { engine.roleDescription }
    public var time: any SimulationTime { engine.time }
    public var measurementChannels: [String] { HeaterModel.measurementChannels }
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

struct HeaterModel: FirmwareModel {
    typealias Spec = HeaterProtocol

    static let family = Spec.description
    static let statusRegister = Spec.status
    static let definedBits = [Spec.controlWord: ~Spec.ControlWord.undefined.rawValue]
    static let commandValues = [Spec.command: Set(Spec.CommandValue.allCases.map(\.rawValue))]
    static let measurementChannels = [Spec.outletTemperature.name, Spec.elementTemperature.name]
    static let conditions: [FirmwareCondition<HeaterModel>] = [
        .number("inletTemperature", { $0.inletTemperature }, { $0.inletTemperature = $1 }),
        FirmwareCondition(
            name: "externalOutletTemperature", expected: "a number, or none to let the plant compute it",
            get: { $0.externalOutletTemperature.map { String($0) } ?? "none" },
            set: { model, text in
                if text.lowercased() == "none" {
                    model.setExternalOutlet(nil)
                    return true
                }
                guard let value = Double(text), value.isFinite else { return false }
                model.setExternalOutlet(value)
                return true
            }),
        .bool("plasmaFlowing", { $0.plasmaFlowing }, { $0.plasmaFlowing = $1 }),
        .bool("elementSensorFault", { $0.elementSensorFault }, { $0.elementSensorFault = $1 }),
        .bool("airLock", { $0.airLock }, { $0.airLock = $1 }),
        .bool("elementOpen", { $0.elementOpen }, { $0.elementOpen = $1 }),
        .number("outletSensorOffset", in: -20...20, { $0.outletSensorOffset }, { $0.outletSensorOffset = $1 }),
    ]

    var core: FirmwareCore
    let dynamics: SimulatedHeater.Dynamics

    var inletTemperature: Double
    private(set) var externalOutletTemperature: Double?
    var plasmaFlowing = true
    var elementSensorFault = false
    var airLock = false
    var elementOpen = false
    var outletSensorOffset = 0.0

    var elementTemperature: Double
    var computedOutletTemperature: Double
    /// 0…1, held between samples.
    var output = 0.0
    var integral = 0.0
    var cutoutLatched = false
    var nextSample: Double

    init(core: FirmwareCore, dynamics: SimulatedHeater.Dynamics, inletTemperature: Double) {
        self.core = core
        self.dynamics = dynamics
        self.inletTemperature = inletTemperature
        elementTemperature = inletTemperature
        computedOutletTemperature = inletTemperature
        nextSample = core.time + dynamics.controlPeriod
    }

    var enabled: Bool { Spec.ControlWord(rawValue: core.word(Spec.controlWord)).contains(.enable) }
    var watchdogLatched: Bool { core.watchdog?.latched ?? false }
    var mayHeat: Bool { enabled && !cutoutLatched && !watchdogLatched && !elementSensorFault }
    var outletTemperature: Double { externalOutletTemperature ?? computedOutletTemperature }

    mutating func setExternalOutlet(_ value: Double?) {
        // Handing the outlet back to the plant continues from where the physics left it.
        if value == nil, let imposed = externalOutletTemperature { computedOutletTemperature = imposed }
        externalOutletTemperature = value
    }

    mutating func evolve(to time: Double) {
        let dt = time - core.time
        guard dt > 0 else { return }
        let tauE = dynamics.elementTimeConstant, tauO = dynamics.outletTimeConstant
        // An air lock keeps the heat at the element as stagnant plasma would.
        let carried = plasmaFlowing && !airLock
        let rise = carried ? dynamics.elementRise : dynamics.elementRiseWithoutFlow
        let coupling = carried ? dynamics.outletCoupling : 0
        let elementGoal = inletTemperature + rise * (elementOpen ? 0 : output)
        let decayE = exp(-dt / tauE), decayO = exp(-dt / tauO)
        // To(t) = a + p·e^(-t/τe) + (To(0) − a − p)·e^(-t/τo), the outlet lag driven by the element's exponential.
        let a = inletTemperature + coupling * (elementGoal - inletTemperature)
        let p = coupling * (elementTemperature - elementGoal) * tauE / (tauE - tauO)
        computedOutletTemperature = a + p * decayE + (computedOutletTemperature - a - p) * decayO
        elementTemperature = elementGoal + (elementTemperature - elementGoal) * decayE
    }

    func nextInternalEvent() -> Double? { nextSample }

    mutating func update() {
        while core.time + timeTolerance >= nextSample {
            sample()
            nextSample += dynamics.controlPeriod
        }
        if !mayHeat {
            output = 0
            integral = 0
        }
    }

    private mutating func sample() {
        if !elementSensorFault, measurement(Spec.elementTemperature.name) > core.value(Spec.cutoutTemperature) {
            cutoutLatched = true
        }
        guard mayHeat else { return }
        let error = core.value(Spec.setpoint) - measurement(Spec.outletTemperature.name)
        let candidate = integral + dynamics.integralGain * error * dynamics.controlPeriod
        let u = dynamics.proportionalGain * error + candidate
        if u > 1 {
            output = 1
            if error < 0 { integral = candidate }
        } else if u < 0 {
            output = 0
            if error > 0 { integral = candidate }
        } else {
            output = u
            integral = candidate
        }
    }

    var isActive: Bool { Spec.ControlWord(rawValue: core.word(Spec.controlWord)).contains(.enable) }

    mutating func enterSafeState() {
        core.store(Spec.controlWord, [Spec.ControlWord(rawValue: core.word(Spec.controlWord)).subtracting(.enable).rawValue])
        output = 0
        integral = 0
    }

    func faultFreeMeasurement(_ channel: String) -> Double {
        channel == Spec.elementTemperature.name ? elementTemperature : outletTemperature + outletSensorOffset
    }

    func inputWords(_ register: RegisterDefinition) -> [UInt16] {
        switch register {
        case Spec.status:
            var status: Spec.Status = []
            if enabled { status.insert(.enabled) }
            if output > 0 { status.insert(.heating) }
            if cutoutLatched { status.insert(.cutoutTripped) }
            if elementSensorFault { status.insert(.elementSensorFault) }
            if watchdogLatched { status.insert(.watchdogExpired) }
            return [status.rawValue]
        case Spec.outputPower:
            return RegisterWords.measurement(register, output * 100)
        case Spec.elementTemperature:
            if elementSensorFault { return RegisterWords.unavailable(register) }
            return RegisterWords.measurement(register, measurement(register.name))
        case Spec.outletTemperature:
            return RegisterWords.measurement(register, measurement(register.name))
        default:
            preconditionFailure("heater firmware has no input register \(register)")
        }
    }

    mutating func apply(_ register: RegisterDefinition, _ words: [UInt16]) throws(ModbusExceptionCode) {
        guard register == Spec.command else {
            core.store(register, words)
            return
        }
        switch Spec.CommandValue(rawValue: words[0]) {
        case .faultReset:
            if !elementSensorFault, measurement(Spec.elementTemperature.name) < core.value(Spec.cutoutTemperature) {
                cutoutLatched = false
            }
            core.resetWatchdog()
        case nil:
            throw .illegalDataValue
        }
    }
}
