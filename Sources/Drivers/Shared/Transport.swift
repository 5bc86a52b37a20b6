import HardwareInterfaces

// The only two places a driver touches the wire. Whatever the device throws is
// wrapped with `DeviceError(wrapping:device:during:)`, which keeps the transport's
// kind (timeout, corruptFrame, deviceRefused, disconnected…), so generic code can
// decide on the kind without knowing the bus. An error that carries no kind (not a
// `HardwareError`, e.g. a bare `CancellationError`) becomes `.disconnected`, as
// HardwareInterfaces decides: the conservative reading, since the driver cannot
// know whether the request reached the device.

extension RegisterDevice {
    /// Reads `count` registers in one transaction; every failure is a ``/HardwareInterfaces/DeviceError``.
    func transactRead(_ table: RegisterTable, address: UInt16, count: Int,
                      during operation: String) async throws(DeviceError) -> [UInt16] {
        do {
            return try await readRegisters(table, address: address, count: count)
        } catch {
            throw DeviceError(wrapping: error, device: deviceDescription, during: operation)
        }
    }

    /// Writes contiguous holding registers in one transaction; every failure is a ``/HardwareInterfaces/DeviceError``.
    func transactWrite(address: UInt16, values: [UInt16], during operation: String) async throws(DeviceError) {
        do {
            try await writeRegisters(address: address, values: values)
        } catch {
            throw DeviceError(wrapping: error, device: deviceDescription, during: operation)
        }
    }
}
