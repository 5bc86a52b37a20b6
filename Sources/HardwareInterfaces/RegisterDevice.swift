/// One device on a register bus: one unit address, whose transactions are atomic.
/// (The bus, the exclusive owner of a line, is a different thing: see BusRuntime.)
///
/// Drivers are generic over this capability, so the same driver runs over a real
/// bus, the simulator, or an in-process fake.
public protocol RegisterDevice: Sendable {
    /// Names the device in messages ("unit 3 on /dev/ttyUSB0").
    var deviceDescription: String { get }
    /// Reads `count` contiguous registers in one transaction.
    func readRegisters(_ table: RegisterTable, address: UInt16, count: Int) async throws -> [UInt16]
    /// Writes contiguous holding registers in one transaction.
    func writeRegisters(address: UInt16, values: [UInt16]) async throws
}
