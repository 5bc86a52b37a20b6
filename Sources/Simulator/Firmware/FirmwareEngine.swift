import FirmwareProtocols
import Modbus
import Synchronization

/// Runs a ``FirmwareModel`` for a device class: the lock, the lazy time, the
/// register map with its generic checks, the identity block, the host watchdog's
/// registers, forced status bits and measurement faults.
final class FirmwareEngine<Model: FirmwareModel>: Sendable {
    let identity: DeviceIdentity
    let roleDescription: String
    let time: any SimulationTime
    let layout: RegisterLayout
    private let state: Mutex<Model>

    /// `makeModel` receives the power-up core (holding registers at their defaults,
    /// watchdog armed) and builds the family's initial state around it.
    init(identity: DeviceIdentity, role: String?, time: any SimulationTime, makeModel: (FirmwareCore) -> Model) {
        self.identity = identity
        self.roleDescription = role ?? Model.family.title
        self.time = time
        let layout = RegisterLayout(family: Model.family)
        self.layout = layout
        state = Mutex(makeModel(FirmwareCore(layout: layout, poweredUpAt: time.now)))
    }

    // MARK: Physics and test side

    /// Reads the state, brought up to the present.
    func inspect<T: Sendable>(_ body: (Model) -> T) -> T {
        let now = time.now
        return state.withLock { model in
            model.advance(to: now)
            return body(model)
        }
    }

    /// Changes the state at the present instant, then lets the firmware react.
    func mutate(_ body: (inout Model) -> Void) {
        let now = time.now
        state.withLock { model in
            model.advance(to: now)
            body(&model)
            model.update()
        }
    }

    func tick() { mutate { _ in } }

    var forcedStatusBits: UInt16 { inspect { $0.core.forcedStatusBits } }

    func setForcedStatusBits(_ bits: UInt16) { mutate { $0.core.forcedStatusBits = bits } }

    func measurementFault(channel: String) -> MeasurementFault? {
        guard Model.measurementChannels.contains(channel) else { return nil }
        return inspect { $0.core.measurementFaults[channel]?.fault ?? MeasurementFault.none }
    }

    func setMeasurementFault(_ fault: MeasurementFault, channel: String) throws(SimulatedDeviceError) {
        guard Model.measurementChannels.contains(channel) else {
            throw .unknownChannel(channel, available: Model.measurementChannels)
        }
        guard Model.supports(fault, on: channel) else { throw .unsupportedFault(fault, channel: channel) }
        if case .drift(let rate) = fault, !rate.isFinite { throw .unsupportedFault(fault, channel: channel) }
        mutate { model in
            switch fault {
            case .none: model.core.measurementFaults[channel] = nil
            case .stuck: model.core.measurementFaults[channel] = .stuck(at: model.measurement(channel))
            case .drift(let rate): model.core.measurementFaults[channel] = .drift(perSecond: rate, since: model.core.time)
            }
        }
    }

    var conditionNames: [String] { Model.conditions.map(\.name) }

    func condition(_ name: String) -> String? {
        guard let condition = Model.conditions.first(where: { $0.name == name }) else { return nil }
        return inspect { condition.get($0) }
    }

    func setCondition(_ name: String, to value: String) throws(SimulatedDeviceError) {
        guard let condition = Model.conditions.first(where: { $0.name == name }) else {
            throw .unknownCondition(name, available: conditionNames)
        }
        let now = time.now
        let accepted = state.withLock { model in
            model.advance(to: now)
            guard condition.set(&model, value) else { return false }
            model.update()
            return true
        }
        if !accepted { throw .invalidConditionValue(condition: name, value: value, expected: condition.expected) }
    }

    // MARK: Bus side

    func read(_ table: ModbusTable, address: UInt16, count: Int) throws(ModbusExceptionCode) -> [UInt16] {
        guard count >= 1 else { throw .illegalDataValue }
        guard let slots = layout.registers(table, address: address, count: count) else { throw .illegalDataAddress }
        let now = time.now
        return state.withLock { model in
            model.advance(to: now)
            var cache: [UInt16: [UInt16]] = [:]
            return slots.map { slot in
                let register = slot.register
                if cache[register.address] == nil { cache[register.address] = words(of: register, in: model) }
                return cache[register.address]![slot.offset]
            }
        }
    }

    func write(_ table: ModbusTable, address: UInt16, values: [UInt16]) throws(ModbusExceptionCode) {
        guard table == .holding, let slots = layout.registers(.holding, address: address, count: values.count) else {
            throw values.isEmpty ? .illegalDataValue : .illegalDataAddress
        }
        let now = time.now
        try state.withLock { (model: inout Model) throws(ModbusExceptionCode) in
            model.advance(to: now)
            try perform(slots, values, on: &model)
        }
    }

    func maskWrite(address: UInt16, andMask: UInt16, orMask: UInt16) throws(ModbusExceptionCode) {
        guard let slots = layout.registers(.holding, address: address, count: 1) else { throw .illegalDataAddress }
        let now = time.now
        try state.withLock { (model: inout Model) throws(ModbusExceptionCode) in
            model.advance(to: now)
            let current = words(of: slots[0].register, in: model)[slots[0].offset]
            try perform(slots, [(current & andMask) | (orMask & ~andMask)], on: &model)
        }
    }

    func serverID() -> [UInt8] {
        let id = identity.serverIDByte ?? UInt8(truncatingIfNeeded: Model.family.familyCode)
        return [id, 0xFF] + Array("HepaBus \(Model.family.family) sim".utf8)
    }

    // MARK: Registers

    private func words(of register: RegisterDefinition, in model: Model) -> [UInt16] {
        switch register.table {
        case .holding:
            return register.access == .write ? Array(repeating: 0, count: register.width) : model.core.words(register)
        case .input:
            if let identityWords = identityWords(register) { return identityWords }
            var words = model.inputWords(register)
            if register == Model.statusRegister { words[0] |= model.core.forcedStatusBits }
            return words
        }
    }

    private func identityWords(_ register: RegisterDefinition) -> [UInt16]? {
        let family = Model.family
        return switch register {
        case IdentityBlock.familyCode: RegisterWords.unsigned(register, UInt32(family.familyCode))
        case IdentityBlock.protocolVersion: RegisterWords.unsigned(register, UInt32(family.protocolVersion))
        case IdentityBlock.vendorID: RegisterWords.unsigned(register, UInt32(identity.vendorID))
        case IdentityBlock.modelCode: RegisterWords.unsigned(register, UInt32(identity.modelCode ?? family.familyCode))
        case IdentityBlock.firmwareVersion: RegisterWords.unsigned(register, UInt32(identity.firmwareVersion))
        case IdentityBlock.serialNumber: RegisterWords.unsigned(register, identity.serialNumber)
        case IdentityBlock.wordOrderProbe: RegisterWords.unsigned(register, Self.wordOrderProbe)
        default: nil
        }
    }

    /// The probe value the specification fixes (its range is that single value).
    static var wordOrderProbe: UInt32 {
        IdentityBlock.wordOrderProbe.range.map { UInt32($0.lowerBound) } ?? 0xAABB_CCDD
    }

    /// Applies a write to a copy of the state, register by register in address order,
    /// and keeps the copy only if every register was accepted: a refused value changes nothing.
    private func perform(_ slots: [RegisterLayout.Slot], _ values: [UInt16], on model: inout Model) throws(ModbusExceptionCode) {
        // Addresses first (exception 2 before 3): writable registers, written whole.
        var index = 0
        var writes: [(RegisterDefinition, [UInt16])] = []
        while index < slots.count {
            let register = slots[index].register
            guard register.access != .read, slots[index].offset == 0, index + register.width <= slots.count else {
                throw .illegalDataAddress
            }
            writes.append((register, Array(values[index..<(index + register.width)])))
            index += register.width
        }
        var copy = model
        for (register, words) in writes {
            do { _ = try register.decode(words) } catch { throw .illegalDataValue }
            if let defined = Model.definedBits[register], words[0] & ~defined != 0 { throw .illegalDataValue }
            if let commands = Model.commandValues[register], !commands.contains(words[0]) { throw .illegalDataValue }
            switch register {
            case WatchdogBlock.hostHeartbeat:
                copy.core.store(register, words)
                copy.core.heartbeat()
            case WatchdogBlock.watchdogTimeout:
                copy.core.setWatchdogTimeout(words)
            default:
                try copy.apply(register, words)
            }
        }
        try copy.validate()
        // The command that takes the device out of its safe state counts as a heartbeat,
        // except after an expiry: then only a real heartbeat and a fault reset clear it.
        if copy.isActive && !model.isActive && copy.core.watchdog?.latched != true { copy.core.heartbeat() }
        copy.update()
        model = copy
    }
}
