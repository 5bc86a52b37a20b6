import CircuitConfiguration
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
        guard let family = DeviceFamily(rawValue: family) else { return [] }
        switch register {
        case "controlWord": return family.controlBits.map { (index($0.mask), $0.name) }
        case "status": return family.statusBits.map { (index($0.mask), $0.name) }
        default: return []
        }
    }
}
