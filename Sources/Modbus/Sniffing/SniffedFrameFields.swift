extension SniffedFrame {
    /// Decodes the fields of a whole frame (CRC included) whose direction the
    /// framing has decided. A response is decoded against the request it answers,
    /// when known: that is where its address, and the number of bits a coil
    /// read carries, come from (the response itself does not say).
    ///
    /// Never traps on short or inconsistent frames: what cannot be read stays nil
    /// and ``malformed`` says why.
    public init(decoding bytes: [UInt8], direction: Direction, time: Double?, answering request: SniffedFrame? = nil) {
        let crc = CRCStatus(of: bytes)
        guard direction != .unknown, bytes.count >= RTUFrameLength.minimum else {
            // Unknown bytes name a unit and function only if they at least form a valid frame.
            let valid = crc.isOK
            self.init(time: time, direction: direction, unit: valid ? bytes[0] : nil,
                      function: valid ? ModbusFunction(rawValue: bytes[1] & 0x7F) : nil, crc: crc, bytes: bytes)
            return
        }
        let code = bytes[1]
        self.init(time: time, direction: direction, unit: bytes[0], function: ModbusFunction(rawValue: code & 0x7F),
                  crc: crc, bytes: bytes)
        let pdu = PDUReader(Array(bytes[1..<(bytes.count - 2)]))
        let paired = request.flatMap { $0.unit == unit && $0.function == function ? $0 : nil }
        if code & 0x80 != 0 {
            if let exceptionCode = pdu.byte(1) { exception = ModbusExceptionCode(rawValue: exceptionCode) }
            address = paired?.address
            count = paired?.count
            return
        }
        switch direction {
        case .request: decodeRequest(pdu)
        case .response: decodeResponse(pdu, request: paired)
        case .unknown: break
        }
    }

    private mutating func decodeRequest(_ pdu: PDUReader) {
        switch function?.rawValue ?? 0 {
        case 0x01...0x04:
            address = pdu.word(1)
            count = pdu.word(3).map(Int.init)
        case 0x05:
            decodeSingleCoil(pdu)
        case 0x06:
            address = pdu.word(1)
            values = pdu.word(3).map { .registers([$0]) }
        case 0x0F:
            address = pdu.word(1)
            count = pdu.word(3).map(Int.init)
            decodeWrittenBits(pdu, byteCountAt: 5)
        case 0x10:
            address = pdu.word(1)
            count = pdu.word(3).map(Int.init)
            decodeRegisters(pdu, byteCountAt: 5, expected: count)
        case 0x16:
            decodeMaskWrite(pdu)
        case 0x17:
            address = pdu.word(1)
            count = pdu.word(3).map(Int.init)
            writeAddress = pdu.word(5)
            writeCount = pdu.word(7).map(Int.init)
            decodeRegisters(pdu, byteCountAt: 9, expected: writeCount)
        default:
            break
        }
    }

    private mutating func decodeResponse(_ pdu: PDUReader, request: SniffedFrame?) {
        switch function?.rawValue ?? 0 {
        case 0x01, 0x02:
            address = request?.address
            guard let byteCount = pdu.byte(1).map(Int.init), let data = pdu.bytes(2, byteCount) else {
                malformed = "byte count runs past the frame"
                return
            }
            // The response carries whole bytes; only the request says how many bits are meant.
            var bits = (0..<(byteCount * 8)).map { data[$0 / 8] & (1 << ($0 % 8)) != 0 }
            if let requested = request?.count {
                if byteCount == (requested + 7) / 8 {
                    bits = Array(bits.prefix(requested))
                } else {
                    malformed = "\(byteCount) data bytes for \(requested) bits requested"
                }
            }
            count = bits.count
            values = .bits(bits)
        case 0x03, 0x04, 0x17:
            address = request?.address
            decodeRegisters(pdu, byteCountAt: 1, expected: request?.count)
            if case .registers(let registers)? = values { count = registers.count }
        case 0x05:
            decodeSingleCoil(pdu)
        case 0x06:
            address = pdu.word(1)
            values = pdu.word(3).map { .registers([$0]) }
        case 0x0F, 0x10:
            address = pdu.word(1)
            count = pdu.word(3).map(Int.init)
        case 0x11:
            guard let byteCount = pdu.byte(1).map(Int.init), let data = pdu.bytes(2, byteCount) else {
                malformed = "byte count runs past the frame"
                return
            }
            serverID = ServerIDReport(bytes: data)
        case 0x16:
            decodeMaskWrite(pdu)
        default:
            break
        }
    }

    private mutating func decodeSingleCoil(_ pdu: PDUReader) {
        address = pdu.word(1)
        guard let value = pdu.word(3) else { return }
        if value != 0xFF00 && value != 0x0000 {
            malformed = "coil value 0x\(hex2(UInt8(value >> 8)))\(hex2(UInt8(value & 0xFF))) is neither 0xFF00 (on) nor 0x0000 (off)"
        }
        values = .bits([value == 0xFF00])
    }

    private mutating func decodeMaskWrite(_ pdu: PDUReader) {
        address = pdu.word(1)
        andMask = pdu.word(3)
        orMask = pdu.word(5)
    }

    /// FC15's packed coils after the byte count at `byteCountAt`.
    private mutating func decodeWrittenBits(_ pdu: PDUReader, byteCountAt index: Int) {
        guard let byteCount = pdu.byte(index).map(Int.init), let data = pdu.bytes(index + 1, byteCount) else {
            malformed = "byte count runs past the frame"
            return
        }
        let wanted = count ?? byteCount * 8
        guard byteCount == (wanted + 7) / 8 else {
            malformed = "\(byteCount) data bytes for \(wanted) coils"
            values = .bits((0..<(byteCount * 8)).map { data[$0 / 8] & (1 << ($0 % 8)) != 0 })
            return
        }
        values = .bits((0..<wanted).map { data[$0 / 8] & (1 << ($0 % 8)) != 0 })
    }

    /// Registers after the byte count at `byteCountAt`, checked against `expected` registers.
    private mutating func decodeRegisters(_ pdu: PDUReader, byteCountAt index: Int, expected: Int?) {
        guard let byteCount = pdu.byte(index).map(Int.init), let data = pdu.bytes(index + 1, byteCount) else {
            malformed = "byte count runs past the frame"
            return
        }
        if byteCount % 2 != 0 {
            malformed = "odd byte count \(byteCount) for 16-bit registers"
        } else if let expected, byteCount != expected * 2 {
            malformed = "\(byteCount) data bytes for \(expected) registers"
        }
        values = .registers(stride(from: 0, to: byteCount - 1, by: 2).map { UInt16(data[$0]) << 8 | UInt16(data[$0 + 1]) })
    }
}

/// Bounds-checked reads from a PDU (function code at index 0): a sniffer decodes
/// whatever the bus carried, so every field may be missing.
private struct PDUReader {
    let pdu: [UInt8]
    init(_ pdu: [UInt8]) { self.pdu = pdu }

    func byte(_ index: Int) -> UInt8? { index < pdu.count ? pdu[index] : nil }

    func word(_ index: Int) -> UInt16? {
        index + 1 < pdu.count ? UInt16(pdu[index]) << 8 | UInt16(pdu[index + 1]) : nil
    }

    func bytes(_ index: Int, _ count: Int) -> [UInt8]? {
        index + count <= pdu.count ? Array(pdu[index..<(index + count)]) : nil
    }
}
