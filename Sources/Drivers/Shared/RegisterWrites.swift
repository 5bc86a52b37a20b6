import FirmwareProtocols
import HardwareInterfaces

extension RegisterDevice {
    /// Encodes `value` (engineering units) for `register` with the specification's range
    /// and type checks. A refused value is `.invalidRequest`: nothing has been sent.
    func encode(_ register: RegisterDefinition, _ value: Double, during operation: String) throws(DeviceError) -> [UInt16] {
        do throws(RegisterValueError) {
            return try register.encode(value)
        } catch {
            throw DeviceError(kind: .invalidRequest, device: deviceDescription,
                              detail: "\(operation): refused before sending: \(error)")
        }
    }

    /// Writes `values` to `register` in one transaction, after checking the register is a
    /// writable holding register of that width (a driver bug is `.invalidRequest`, never a trap).
    func write(_ register: RegisterDefinition, _ values: [UInt16], during operation: String) async throws(DeviceError) {
        guard register.table == .holding, register.access != .read, values.count == register.width else {
            throw DeviceError(kind: .invalidRequest, device: deviceDescription,
                              detail: "\(operation): \(register) cannot be written with \(values.count) register(s)")
        }
        try await transactWrite(address: register.address, values: values, during: operation)
    }

    /// Encodes `value` and writes it: the set-point path, range-checked before the wire.
    func write(_ register: RegisterDefinition, value: Double, during operation: String) async throws(DeviceError) {
        let words = try encode(register, value, during: operation)
        try await write(register, words, during: operation)
    }

    /// Reads one register in its own transaction and decodes it; refused values are
    /// `.implausibleValue`.
    func readValue(_ register: RegisterDefinition, during operation: String) async throws(DeviceError) -> Double {
        try await readSpan([register], during: operation).value(register)
    }
}

/// `.invalidRequest` for a request the driver refuses before the wire.
func refused(_ device: some RegisterDevice, _ operation: String, _ reason: String) -> DeviceError {
    DeviceError(kind: .invalidRequest, device: device.deviceDescription, detail: "\(operation): refused before sending: \(reason)")
}
