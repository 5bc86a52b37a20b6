import FirmwareProtocols
import HardwareInterfaces
import Modbus
import Simulator
import Testing

/// Register access by specification definition, as a master would do it.
extension SimulatedDevice {
    func words(_ register: RegisterDefinition) throws(ModbusExceptionCode) -> [UInt16] {
        try read(register.table == .holding ? .holding : .input, address: register.address, count: register.width)
    }

    func word(_ register: RegisterDefinition) throws(ModbusExceptionCode) -> UInt16 { try words(register)[0] }

    /// The engineering value, decoded as a driver would (sentinels and implausible values throw).
    func value(_ register: RegisterDefinition) throws -> Double { try register.decode(words(register)) }

    /// Writes an engineering value encoded by the definition.
    func set(_ register: RegisterDefinition, _ value: Double) throws {
        try write(.holding, address: register.address, values: register.encode(value))
    }

    func writeWord(_ register: RegisterDefinition, _ word: UInt16) throws(ModbusExceptionCode) {
        try write(.holding, address: register.address, values: [word])
    }

    func heartbeat(_ counter: UInt16 = 1) throws(ModbusExceptionCode) {
        try writeWord(WatchdogBlock.hostHeartbeat, counter)
    }
}

/// A snapshot of every readable register (both tables), to prove a refused write changed nothing.
func registerSnapshot(_ device: some SimulatedDevice) throws -> [String: [UInt16]] {
    var result: [String: [UInt16]] = [:]
    let blocks = device.family.blocks.flatMap { $0 == "identity" ? IdentityBlock.registers : WatchdogBlock.registers }
    for register in blocks + device.family.registers where register.access != .write {
        result["\(register.table.rawValue) \(register.name)"] = try device.words(register)
    }
    return result
}

/// Feeds the watchdog every `period` seconds for `duration` seconds.
func feed(_ devices: [any SimulatedDevice], time: ManualSimulationTime, for duration: Double, every period: Double = 0.1) throws {
    var elapsed = 0.0
    var counter: UInt16 = 0
    while elapsed < duration - 1e-12 {
        let step = min(period, duration - elapsed)
        time.advance(by: step)
        elapsed += step
        counter &+= 1
        for device in devices { try device.heartbeat(counter) }
    }
}
