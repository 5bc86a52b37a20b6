public import HardwareInterfaces
import Modbus

/// One unit on a ``ModbusBus``: the ``/HardwareInterfaces/RegisterDevice`` drivers talk to.
public struct ModbusDevice: RegisterDevice {
    /// The bus the unit is on.
    public let bus: ModbusBus
    /// The unit id (slave address) on that bus, 1-247.
    public let unit: UInt8

    /// Unit `unit` on `bus`.
    public init(bus: ModbusBus, unit: UInt8) {
        self.bus = bus
        self.unit = unit
    }

    public var deviceDescription: String { "unit \(unit) on \(bus.endpoint)" }

    public func readRegisters(_ table: RegisterTable, address: UInt16, count: Int) async throws -> [UInt16] {
        switch table {
        case .holding: try await bus.readHoldingRegisters(unit: unit, address: address, count: count)
        case .input: try await bus.readInputRegisters(unit: unit, address: address, count: count)
        }
    }

    /// One register with FC06, several with FC16.
    public func writeRegisters(address: UInt16, values: [UInt16]) async throws {
        if values.count == 1 {
            try await bus.writeRegister(unit: unit, address: address, value: values[0])
        } else {
            try await bus.writeRegisters(unit: unit, address: address, values: values)
        }
    }
}
