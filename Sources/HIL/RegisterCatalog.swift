public import FirmwareProtocols

/// The registers and named bits of each Modbus family, from the generated protocols:
/// what a scenario may name in a `register` expectation.
public enum RegisterCatalog {
    /// A family's own registers, or nil for a family without a register map (the line pump).
    public static func registers(family: String) -> [RegisterDefinition]? {
        FamilyCatalog.families.first { $0.family == family }?.registers
    }

    /// The named bits of a bits register (bit index and name).
    public static func bits(family: String, register: String) -> [(index: Int, name: String)] {
        func index(_ raw: UInt16) -> Int { raw.trailingZeroBitCount }
        switch (family, register) {
        case (PeristalticPumpProtocol.family, "controlWord"): return PeristalticPumpProtocol.ControlWord.named.map { (index($0.bit.rawValue), $0.name) }
        case (PeristalticPumpProtocol.family, "status"): return PeristalticPumpProtocol.Status.named.map { (index($0.bit.rawValue), $0.name) }
        case (HeaterProtocol.family, "controlWord"): return HeaterProtocol.ControlWord.named.map { (index($0.bit.rawValue), $0.name) }
        case (HeaterProtocol.family, "status"): return HeaterProtocol.Status.named.map { (index($0.bit.rawValue), $0.name) }
        case (AirDetectorProtocol.family, "controlWord"): return AirDetectorProtocol.ControlWord.named.map { (index($0.bit.rawValue), $0.name) }
        case (AirDetectorProtocol.family, "status"): return AirDetectorProtocol.Status.named.map { (index($0.bit.rawValue), $0.name) }
        case (BloodLeakDetectorProtocol.family, "status"): return BloodLeakDetectorProtocol.Status.named.map { (index($0.bit.rawValue), $0.name) }
        case (PressureSensorProtocol.family, "status"): return PressureSensorProtocol.Status.named.map { (index($0.bit.rawValue), $0.name) }
        case (TemperatureSensorProtocol.family, "status"): return TemperatureSensorProtocol.Status.named.map { (index($0.bit.rawValue), $0.name) }
        default: return []
        }
    }
}
