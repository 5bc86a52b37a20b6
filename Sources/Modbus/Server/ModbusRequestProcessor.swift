/// Turns a request PDU into a response PDU against a data model, validating
/// the request the way the Modbus Application Protocol specification (v1.1b3,
/// section 6) prescribes: counts and byte counts first (exception 3), then
/// addresses (exception 2, from the model), then the model's own verdict.
public enum ModbusRequestProcessor {
    /// The response PDU to request `pdu` against `model`: the function's reply, or an exception
    /// response (function | 0x80, then the code).
    public static func respond(to pdu: [UInt8], model: any ModbusDataModel) -> [UInt8] {
        guard let code = pdu.first else { return exception(0, .illegalFunction) }
        do throws(ModbusExceptionCode) {
            return try handle(ModbusFunction(rawValue: code), pdu, model)
        } catch {
            return exception(code, error)
        }
    }

    /// Whether `pdu` asks to change anything (so a broadcast of it is acted on).
    public static func isWrite(_ pdu: [UInt8]) -> Bool {
        guard let code = pdu.first else { return false }
        return [0x05, 0x06, 0x0F, 0x10, 0x16].contains(code)
    }

    static func exception(_ function: UInt8, _ code: ModbusExceptionCode) -> [UInt8] {
        [function | 0x80, code.rawValue]
    }

    private static func handle(_ function: ModbusFunction, _ pdu: [UInt8], _ model: any ModbusDataModel) throws(ModbusExceptionCode) -> [UInt8] {
        func word(_ at: Int) -> UInt16 { UInt16(pdu[at]) << 8 | UInt16(pdu[at + 1]) }
        func requireLength(_ n: Int) throws(ModbusExceptionCode) { if pdu.count != n { throw .illegalDataValue } }

        switch function {
        case .readCoils, .readDiscreteInputs:
            try requireLength(5)
            let address = word(1), count = Int(word(3))
            guard (1...2000).contains(count) else { throw .illegalDataValue }
            guard Int(address) + count <= 65536 else { throw .illegalDataAddress }
            let bits = try model.read(function == .readCoils ? .coil : .discrete, address: address, count: count)
            var packed = [UInt8](repeating: 0, count: (count + 7) / 8)
            for (i, bit) in bits.enumerated() where bit != 0 { packed[i / 8] |= 1 << (i % 8) }
            return [function.rawValue, UInt8(packed.count)] + packed

        case .readHoldingRegisters, .readInputRegisters:
            try requireLength(5)
            let address = word(1), count = Int(word(3))
            guard (1...125).contains(count) else { throw .illegalDataValue }
            guard Int(address) + count <= 65536 else { throw .illegalDataAddress }
            let registers = try model.read(function == .readHoldingRegisters ? .holding : .input, address: address, count: count)
            return [function.rawValue, UInt8(count * 2)] + registers.flatMap(be)

        case .writeSingleCoil:
            try requireLength(5)
            let value = word(3)
            guard value == 0xFF00 || value == 0x0000 else { throw .illegalDataValue }
            try model.write(.coil, address: word(1), values: [value == 0xFF00 ? 1 : 0])
            return pdu

        case .writeSingleRegister:
            try requireLength(5)
            try model.write(.holding, address: word(1), values: [word(3)])
            return pdu

        case .writeMultipleCoils:
            guard pdu.count >= 6 else { throw .illegalDataValue }
            let address = word(1), count = Int(word(3)), byteCount = Int(pdu[5])
            guard (1...1968).contains(count), byteCount == (count + 7) / 8, pdu.count == 6 + byteCount else {
                throw .illegalDataValue
            }
            guard Int(address) + count <= 65536 else { throw .illegalDataAddress }
            let values = (0..<count).map { (i: Int) -> UInt16 in
                let byte: UInt8 = pdu[6 + i / 8]
                return UInt16((byte >> UInt8(i % 8)) & 1)
            }
            try model.write(.coil, address: address, values: values)
            return Array(pdu[0..<5])

        case .writeMultipleRegisters:
            guard pdu.count >= 6 else { throw .illegalDataValue }
            let address = word(1), count = Int(word(3)), byteCount = Int(pdu[5])
            guard (1...123).contains(count), byteCount == count * 2, pdu.count == 6 + byteCount else {
                throw .illegalDataValue
            }
            guard Int(address) + count <= 65536 else { throw .illegalDataAddress }
            try model.write(.holding, address: address, values: (0..<count).map { word(6 + 2 * $0) })
            return Array(pdu[0..<5])

        case .maskWriteRegister:
            try requireLength(7)
            try model.maskWrite(address: word(1), andMask: word(3), orMask: word(5))
            return pdu

        case .readWriteMultipleRegisters:
            guard pdu.count >= 10 else { throw .illegalDataValue }
            let readAddress = word(1), readCount = Int(word(3))
            let writeAddress = word(5), writeCount = Int(word(7)), byteCount = Int(pdu[9])
            guard (1...125).contains(readCount), (1...121).contains(writeCount), byteCount == writeCount * 2,
                  pdu.count == 10 + byteCount
            else { throw .illegalDataValue }
            guard Int(readAddress) + readCount <= 65536, Int(writeAddress) + writeCount <= 65536 else {
                throw .illegalDataAddress
            }
            // The specification performs the write before the read.
            try model.write(.holding, address: writeAddress, values: (0..<writeCount).map { word(10 + 2 * $0) })
            let registers = try model.read(.holding, address: readAddress, count: readCount)
            return [function.rawValue, UInt8(readCount * 2)] + registers.flatMap(be)

        case .reportServerID:
            try requireLength(1)
            let payload = model.serverID()
            return [function.rawValue, UInt8(payload.count)] + payload

        default:
            throw .illegalFunction
        }
    }
}
