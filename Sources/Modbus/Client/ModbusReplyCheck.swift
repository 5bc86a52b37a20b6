/// How a reply was framed on the wire, for `ModbusReplyCheck`.
public enum ModbusFraming: Sendable, Hashable {
    /// Unit, PDU, CRC-16 (low byte first).
    case rtu
    /// MBAP header (transaction id, protocol id, length, unit), then the PDU.
    case tcp(transactionID: UInt16)

    var headerLength: Int {
        switch self {
        case .rtu: 1
        case .tcp: 7
        }
    }

    var trailerLength: Int {
        switch self {
        case .rtu: 2
        case .tcp: 0
        }
    }
}

/// Checks a reply against the request it is supposed to answer, byte by byte.
///
/// libmodbus 3.1.6 does not check a TCP reply's unit id, checks the MBAP protocol
/// id wrongly (`&&` for `||`), maps non-standard exception codes to one errno, and
/// never compares a write's echo with the request. A reply that answers another
/// request (a late one on RTU, a gateway's other unit on TCP) must never become a
/// value, so every reply passes here before anything is decoded from it.
/// Pure: no I/O, so it is unit-tested and fuzzed on its own.
public enum ModbusReplyCheck {
    /// Returns the reply's data: the PDU after its function code.
    ///
    /// - Parameters:
    ///   - adu: the whole reply as received (RTU: unit, PDU, CRC; TCP: MBAP header, PDU).
    ///   - request: the request's unit and PDU (function code first).
    ///   - framing: the line's framing, with the transaction id sent on TCP.
    ///   - op: names the transaction in errors.
    /// - Throws: `.exception` for a Modbus exception reply, `.crcError` on RTU,
    ///   `.malformedReply` naming the field that does not match.
    public static func check(adu: [UInt8], request: (unit: UInt8, pdu: [UInt8]), framing: ModbusFraming,
                             op: ModbusOperation) throws(ModbusError) -> ArraySlice<UInt8> {
        let header = framing.headerLength
        guard adu.count >= header + 1 + framing.trailerLength else {
            throw .malformedReply(op, detail: "the reply is \(adu.count) bytes, too short for a Modbus frame")
        }
        switch framing {
        case .rtu:
            let body = adu[..<(adu.count - 2)]
            let crc = UInt16(adu[adu.count - 2]) | UInt16(adu[adu.count - 1]) << 8
            guard CRC16.compute(body) == crc else { throw .crcError(op) }
        case .tcp(let transactionID):
            let tid = UInt16(adu[0]) << 8 | UInt16(adu[1])
            guard tid == transactionID else {
                throw .malformedReply(op, detail: "wrong transaction id: the reply carries \(tid), the request was \(transactionID)")
            }
            let protocolID = UInt16(adu[2]) << 8 | UInt16(adu[3])
            guard protocolID == 0 else {
                throw .malformedReply(op, detail: "MBAP protocol id is \(protocolID), Modbus is 0")
            }
            let length = Int(UInt16(adu[4]) << 8 | UInt16(adu[5]))
            guard length == adu.count - 6 else {
                throw .malformedReply(op, detail: "MBAP length field says \(length) bytes follow, \(adu.count - 6) did")
            }
        }
        let unit = adu[header - 1]
        guard unit == request.unit else {
            throw .malformedReply(op, detail: "reply came from unit \(unit), expected \(request.unit)")
        }
        let pdu = adu[header..<(adu.count - framing.trailerLength)]
        let function = pdu[pdu.startIndex]
        let requested = request.pdu.first ?? 0
        let data = pdu.dropFirst()
        if function == requested | 0x80 {
            guard data.count == 1, let code = data.first else {
                throw .malformedReply(op, detail: "exception reply of \(data.count) bytes, expected 1")
            }
            throw .exception(ModbusExceptionCode(rawValue: code), op)
        }
        guard function == requested else {
            throw .malformedReply(op, detail: "reply is function \(function), the request was function \(requested)")
        }
        try checkBody(data, function: function, request: request.pdu, op: op)
        return data
    }

    private static func checkBody(_ data: ArraySlice<UInt8>, function: UInt8, request: [UInt8],
                                  op: ModbusOperation) throws(ModbusError) {
        func word(_ bytes: some Collection<UInt8>, _ at: Int) -> Int {
            let i = bytes.index(bytes.startIndex, offsetBy: at)
            return Int(bytes[i]) << 8 | Int(bytes[bytes.index(after: i)])
        }
        switch function {
        case 0x01, 0x02, 0x03, 0x04, 0x17:
            // Byte count, then exactly that many bytes, sized by the request's quantity.
            let quantity = request.count >= 5 ? word(request.dropFirst(), 2) : 0
            let expected = function <= 0x02 ? (quantity + 7) / 8 : quantity * 2
            guard let count = data.first else { throw .malformedReply(op, detail: "the reply has no byte count") }
            guard Int(count) == expected else {
                throw .malformedReply(op, detail: "byte count \(count), the request asks for \(expected)")
            }
            guard data.count == 1 + expected else {
                throw .malformedReply(op, detail: "byte count \(count), but \(data.count - 1) data bytes arrived")
            }
        case 0x05, 0x06, 0x16:
            // The echo: address and value (masks for FC22), exactly as requested.
            let echoed = Array(request.dropFirst())
            guard Array(data) == echoed else {
                throw .malformedReply(op, detail: "the echo \(hex(data)) differs from the request \(hex(echoed))")
            }
        case 0x0F, 0x10:
            // The echo of the starting address and quantity.
            let echoed = Array(request.dropFirst().prefix(4))
            guard Array(data) == echoed else {
                throw .malformedReply(op, detail: "the echo of address and quantity \(hex(data)) differs from the request \(hex(echoed))")
            }
        case 0x11:
            guard let count = data.first, Int(count) == data.count - 1 else {
                throw .malformedReply(op, detail: "byte count does not match the \(data.count) bytes that arrived")
            }
        default:
            break
        }
    }

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { hex2($0) }.joined(separator: " ")
    }
}
