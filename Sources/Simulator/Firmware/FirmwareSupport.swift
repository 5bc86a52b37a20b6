import FirmwareProtocols
import HardwareInterfaces
import Modbus

/// Time comparisons tolerate this much (seconds), so hand-driven time that reaches
/// a deadline by adding decimal steps is not a femtosecond late or early.
let timeTolerance = 1e-9

/// Where each register of a family (its own and its blocks') sits in the two tables.
struct RegisterLayout: Sendable {
    struct Slot: Sendable {
        let register: RegisterDefinition
        /// Which word of the register this address is (0 for the high word).
        let offset: Int
    }

    let holding: [UInt16: Slot]
    let input: [UInt16: Slot]

    /// The registers a block named in a family's `blocks` carries.
    static func registers(ofBlock name: String) -> [RegisterDefinition] {
        switch name {
        case "identity": IdentityBlock.registers
        case "watchdog": WatchdogBlock.registers
        default: preconditionFailure("firmware-protocols block '\(name)' is unknown to the simulator")
        }
    }

    init(family: FamilyProtocol) {
        var holding: [UInt16: Slot] = [:], input: [UInt16: Slot] = [:]
        let all = family.blocks.flatMap(Self.registers(ofBlock:)) + family.registers
        for register in all {
            for offset in 0..<register.width {
                let address = register.address + UInt16(offset)
                let slot = Slot(register: register, offset: offset)
                switch register.table {
                case .holding:
                    precondition(holding[address] == nil, "\(register) overlaps \(holding[address]!.register)")
                    holding[address] = slot
                case .input:
                    precondition(input[address] == nil, "\(register) overlaps \(input[address]!.register)")
                    input[address] = slot
                }
            }
        }
        self.holding = holding
        self.input = input
    }

    /// The slots of `table`; coils and discrete inputs are not part of our devices.
    func slots(_ table: ModbusTable) -> [UInt16: Slot]? {
        switch table {
        case .holding: holding
        case .input: input
        case .coil, .discrete: nil
        }
    }

    /// The registers covering `count` addresses from `address`, each once, in order;
    /// nil if any address is not defined (including a gap inside the span).
    func registers(_ table: ModbusTable, address: UInt16, count: Int) -> [Slot]? {
        guard let slots = slots(table), count >= 1, Int(address) + count <= 0x10000 else { return nil }
        var result: [Slot] = []
        for a in Int(address)..<(Int(address) + count) {
            guard let slot = slots[UInt16(a)] else { return nil }
            result.append(slot)
        }
        return result
    }
}

/// Raw words for values the firmware reports.
enum RegisterWords {
    /// `value` in engineering units as the register's raw words: rounded to the
    /// scale, saturated to what the type can hold and kept off the sentinel, so a
    /// real reading never masquerades as "unavailable". Readings outside the
    /// specification's plausible range are reported as they are.
    static func measurement(_ register: RegisterDefinition, _ value: Double) -> [UInt16] {
        guard value.isFinite else { return unavailable(register) }
        var raw = (value / register.scale).rounded()
        let bounds: ClosedRange<Double> = switch register.type {
        case .u16, .bits: 0...65535
        case .s16: -32768...32767
        case .u32: 0...4_294_967_295
        case .s32: -2_147_483_648...2_147_483_647
        }
        raw = min(max(raw, bounds.lowerBound), bounds.upperBound)
        if let sentinel = register.sentinel, pattern(register, raw) == sentinel {
            raw += raw > 0 ? -1 : 1
        }
        return words(register, raw)
    }

    /// The register's sentinel ("unavailable"), or zeros if it has none.
    static func unavailable(_ register: RegisterDefinition) -> [UInt16] {
        guard let sentinel = register.sentinel else { return Array(repeating: 0, count: register.width) }
        return register.width == 2 ? [UInt16(sentinel >> 16), UInt16(sentinel & 0xFFFF)] : [UInt16(truncatingIfNeeded: sentinel)]
    }

    /// An exact unsigned value, high word first for 32-bit registers.
    static func unsigned(_ register: RegisterDefinition, _ value: UInt32) -> [UInt16] {
        register.width == 2 ? [UInt16(value >> 16), UInt16(value & 0xFFFF)] : [UInt16(truncatingIfNeeded: value)]
    }

    private static func pattern(_ register: RegisterDefinition, _ raw: Double) -> UInt32 {
        switch register.type {
        case .u16, .bits, .u32: UInt32(raw)
        case .s16: UInt32(UInt16(bitPattern: Int16(raw)))
        case .s32: UInt32(bitPattern: Int32(raw))
        }
    }

    private static func words(_ register: RegisterDefinition, _ raw: Double) -> [UInt16] {
        let bits = pattern(register, raw)
        return register.width == 2 ? [UInt16(bits >> 16), UInt16(bits & 0xFFFF)] : [UInt16(truncatingIfNeeded: bits)]
    }
}

/// The host watchdog of the common `watchdog` block.
///
/// It expires when more than the timeout has passed since the last heartbeat
/// (strictly more). Expiry matters only while the device is active (out of its
/// safe state: pump running, heater enabled, clamp open): it then enters the safe
/// state and latches until a fault reset at a moment when the heartbeat is fresh
/// again. The command that makes the device active counts as a heartbeat, so a
/// host that starts a pump with one plain register write and then goes quiet
/// sees it stop after the timeout; a device at rest has nothing to fall back
/// from and never latches.
struct HostWatchdog: Sendable {
    private(set) var lastHeartbeat: Double
    /// Seconds.
    var timeout: Double
    /// Expired (and the safe state applied) since the last heartbeat.
    private(set) var expiredSinceHeartbeat = false
    /// The watchdogExpired status bit.
    private(set) var latched = false

    init(poweredUpAt time: Double, timeout: Double) {
        lastHeartbeat = time
        self.timeout = timeout
    }

    /// When the watchdog will expire if nothing else happens (nil: it already has).
    var expiry: Double? { expiredSinceHeartbeat ? nil : lastHeartbeat + timeout }

    mutating func heartbeat(at time: Double) {
        lastHeartbeat = time
        expiredSinceHeartbeat = false
    }

    func isFresh(at time: Double) -> Bool {
        !expiredSinceHeartbeat && time - lastHeartbeat <= timeout + timeTolerance
    }

    mutating func expire() {
        expiredSinceHeartbeat = true
        latched = true
    }

    /// The timeout passed while the device was at rest: nothing to do, nothing latched.
    mutating func lapse() {
        expiredSinceHeartbeat = true
    }

    /// A fault reset: clears the latch only if the heartbeat is fresh.
    mutating func reset(at time: Double) {
        if isFresh(at: time) { latched = false }
    }
}

/// A measurement fault in force, with what it needs to apply itself.
enum ActiveMeasurementFault: Sendable {
    case stuck(at: Double)
    case drift(perSecond: Double, since: Double)

    func apply(to value: Double, at time: Double) -> Double {
        switch self {
        case .stuck(let frozen): frozen
        case .drift(let rate, let since): value + rate * max(0, time - since)
        }
    }

    var fault: MeasurementFault {
        switch self {
        case .stuck: .stuck
        case .drift(let rate, _): .drift(perSecond: rate)
        }
    }
}

/// What every family's firmware state carries.
struct FirmwareCore: Sendable {
    /// The instant the state describes (seconds of the device's time source).
    var time: Double
    /// Raw words of the stored holding registers, by address (write-only command registers are not stored).
    private(set) var holding: [UInt16: UInt16] = [:]
    var watchdog: HostWatchdog?
    var forcedStatusBits: UInt16 = 0
    var measurementFaults: [String: ActiveMeasurementFault] = [:]

    /// Power-up state: every readable holding register at its specification default
    /// (0 where it has none), and the watchdog armed if the family carries one.
    init(layout: RegisterLayout, poweredUpAt time: Double) {
        self.time = time
        for slot in layout.holding.values where slot.offset == 0 && slot.register.access != .write {
            let words: [UInt16]
            if let value = slot.register.defaultValue {
                do { words = try slot.register.encode(value) } catch {
                    preconditionFailure("specification default of \(slot.register) does not encode: \(error)")
                }
            } else {
                words = Array(repeating: 0, count: slot.register.width)
            }
            store(slot.register, words)
        }
        if layout.holding[WatchdogBlock.watchdogTimeout.address]?.register == WatchdogBlock.watchdogTimeout {
            watchdog = HostWatchdog(poweredUpAt: time, timeout: value(WatchdogBlock.watchdogTimeout) / 1000)
        }
    }

    /// A heartbeat write: refreshes the host watchdog now.
    mutating func heartbeat() {
        let now = time
        watchdog?.heartbeat(at: now)
    }

    /// A fault reset's effect on the watchdog latch: cleared only if the heartbeat is fresh now.
    mutating func resetWatchdog() {
        let now = time
        watchdog?.reset(at: now)
    }

    /// A watchdogTimeout write.
    mutating func setWatchdogTimeout(_ words: [UInt16]) {
        store(WatchdogBlock.watchdogTimeout, words)
        let seconds = value(WatchdogBlock.watchdogTimeout) / 1000
        watchdog?.timeout = seconds
    }

    /// The stored raw words of a holding register.
    func words(_ register: RegisterDefinition) -> [UInt16] {
        (0..<register.width).map { holding[register.address + UInt16($0)] ?? 0 }
    }

    /// The stored word of a one-word holding register.
    func word(_ register: RegisterDefinition) -> UInt16 { words(register)[0] }

    /// A holding register's stored value in engineering units.
    func value(_ register: RegisterDefinition) -> Double {
        Double(register.raw(from: words(register)) ?? 0) * register.scale
    }

    mutating func store(_ register: RegisterDefinition, _ words: [UInt16]) {
        for (i, word) in words.enumerated() { holding[register.address + UInt16(i)] = word }
    }

    /// `trueValue` of `channel` as the device measures it now.
    func measured(_ channel: String, _ trueValue: Double) -> Double {
        measurementFaults[channel]?.apply(to: trueValue, at: time) ?? trueValue
    }
}

/// A family's firmware as a value type: its state and its rules. The engine runs
/// it under a lock, brings it up to the present before every access, and applies
/// a write to a copy that replaces the state only if every register was accepted.
protocol FirmwareModel: Sendable {
    static var family: FamilyProtocol { get }
    /// The family's status register (forced status bits are OR-ed into it).
    static var statusRegister: RegisterDefinition { get }
    /// The bits the specification defines, for each `bits` holding register.
    static var definedBits: [RegisterDefinition: UInt16] { get }
    /// The values each command register accepts.
    static var commandValues: [RegisterDefinition: Set<UInt16>] { get }
    /// Measured values that take measurement faults (register names, primary first).
    static var measurementChannels: [String] { get }
    /// Physical conditions settable by name.
    static var conditions: [FirmwareCondition<Self>] { get }

    var core: FirmwareCore { get set }

    /// Continuous behaviour from `core.time` to `time`, with nothing discrete in
    /// between (the caller splits at events and then sets `core.time`).
    mutating func evolve(to time: Double)
    /// The next instant after `core.time` at which the firmware does something by itself (a controller sample).
    func nextInternalEvent() -> Double?
    /// Discrete behaviour at `core.time`: after an event, a write or a condition change.
    mutating func update()
    /// The family's safe state, entered when the host watchdog expires.
    mutating func enterSafeState()
    /// Whether the host has commanded the device out of its safe state (the watchdog guards only then).
    var isActive: Bool { get }
    /// An input register's words at `core.time` (identity registers are the engine's).
    func inputWords(_ register: RegisterDefinition) -> [UInt16]
    /// A holding write the generic checks passed (address, range, defined bits, command
    /// value): store it, run the command, or refuse it. Watchdog registers are the engine's.
    mutating func apply(_ register: RegisterDefinition, _ words: [UInt16]) throws(ModbusExceptionCode)
    /// Checks spanning registers, on the state a whole write would leave.
    func validate() throws(ModbusExceptionCode)
    /// What `channel` would read now with no measurement fault.
    func faultFreeMeasurement(_ channel: String) -> Double
    /// Whether `fault` makes sense on `channel`.
    static func supports(_ fault: MeasurementFault, on channel: String) -> Bool
}

extension FirmwareModel {
    static var definedBits: [RegisterDefinition: UInt16] { [:] }
    static var commandValues: [RegisterDefinition: Set<UInt16>] { [:] }
    func nextInternalEvent() -> Double? { nil }
    mutating func update() {}
    mutating func enterSafeState() {}
    var isActive: Bool { false }
    func validate() throws(ModbusExceptionCode) {}
    static func supports(_ fault: MeasurementFault, on channel: String) -> Bool { true }

    mutating func apply(_ register: RegisterDefinition, _ words: [UInt16]) throws(ModbusExceptionCode) {
        core.store(register, words)
    }

    /// Brings the state up to `time`: continuous behaviour in segments that end at
    /// each event (watchdog expiry, controller sample), with the event handled there.
    mutating func advance(to time: Double) {
        guard time > core.time else { return }
        while true {
            let watchdogExpiry = core.watchdog?.expiry
            let candidates = [watchdogExpiry, nextInternalEvent()].compactMap { $0 }
            guard let event = candidates.min(), event + timeTolerance < time else { break }
            if event > core.time {
                evolve(to: event)
                core.time = event
            }
            if let expiry = watchdogExpiry, expiry <= event {
                if isActive {
                    core.watchdog?.expire()
                    enterSafeState()
                } else {
                    core.watchdog?.lapse()
                }
            }
            update()
        }
        evolve(to: time)
        core.time = time
        update()
    }

    /// The fault-free measurement of `channel` with its present fault applied.
    func measurement(_ channel: String) -> Double {
        core.measured(channel, faultFreeMeasurement(channel))
    }
}

/// A physical condition settable by name (the control interface's `set ROLE PROPERTY VALUE`).
struct FirmwareCondition<Model>: Sendable {
    let name: String
    let expected: String
    let get: @Sendable (Model) -> String
    let set: @Sendable (inout Model, String) -> Bool

    static func bool(_ name: String, _ get: @escaping @Sendable (Model) -> Bool,
                     _ set: @escaping @Sendable (inout Model, Bool) -> Void) -> Self {
        Self(name: name, expected: "true or false", get: { String(get($0)) }, set: { model, text in
            switch text.lowercased() {
            case "true", "1", "on", "yes": set(&model, true)
            case "false", "0", "off", "no": set(&model, false)
            default: return false
            }
            return true
        })
    }

    static func number(_ name: String, in range: ClosedRange<Double>? = nil, _ get: @escaping @Sendable (Model) -> Double,
                       _ set: @escaping @Sendable (inout Model, Double) -> Void) -> Self {
        let expected = range.map { "a number in \($0.lowerBound)...\($0.upperBound)" } ?? "a number"
        return Self(name: name, expected: expected, get: { String(get($0)) }, set: { model, text in
            guard let value = Double(text), value.isFinite, range?.contains(value) ?? true else { return false }
            set(&model, value)
            return true
        })
    }
}
