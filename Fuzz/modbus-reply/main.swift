// libFuzzer target: the Modbus client's reply checks (ModbusReplyCheck), which stand
// between every reply on the wire and a value the client returns.
//
// The first two bytes choose the request (its function and quantity); the rest is the
// reply as a device or gateway sent it, judged as RTU and as TCP. A reply that passes
// must carry exactly what the request asked for.
import FuzzSupport
import Modbus

let functions: [UInt8] = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0F, 0x10, 0x11, 0x16, 0x17]

fuzzMain { bytes in
    guard bytes.count >= 2 else { return }
    let function = functions[Int(bytes[0]) % functions.count]
    let quantity = UInt16(bytes[1] % 125) + 1
    let q: [UInt8] = [UInt8(quantity >> 8), UInt8(quantity & 0xFF)]
    let pdu: [UInt8] = switch function {
    case 0x05: [function, 0x00, 0x10, 0xFF, 0x00]
    case 0x06: [function, 0x00, 0x10] + q
    case 0x0F: [function, 0x00, 0x10] + q + [UInt8((Int(quantity) + 7) / 8)] + [UInt8](repeating: 0xA5, count: (Int(quantity) + 7) / 8)
    case 0x10: [function, 0x00, 0x10] + q + [UInt8(quantity * 2)] + [UInt8](repeating: 0x5A, count: Int(quantity) * 2)
    case 0x11: [function]
    case 0x16: [function, 0x00, 0x10, 0x00, 0xFF, 0x12, 0x00]
    case 0x17: [function, 0x00, 0x00] + q + [0x00, 0x20, 0x00, 0x01, 0x02, 0x00, 0x01]
    default: [function, 0x00, 0x00] + q
    }
    let op = ModbusOperation(unit: 1, function: ModbusFunction(rawValue: function))
    let adu = Array(bytes.dropFirst(2))
    for framing in [ModbusFraming.rtu, .tcp(transactionID: 0)] {
        guard let data = try? ModbusReplyCheck.check(adu: adu, request: (unit: 1, pdu: pdu), framing: framing, op: op) else { continue }
        precondition(data.count < adu.count, "the data is part of the reply")
        switch function {
        case 0x01, 0x02: precondition(data.count == 1 + (Int(quantity) + 7) / 8, "a bit read of the wrong size passed")
        case 0x03, 0x04, 0x17: precondition(data.count == 1 + Int(quantity) * 2, "a register read of the wrong size passed")
        case 0x05, 0x06, 0x16: precondition(Array(data) == Array(pdu.dropFirst()), "a write's echo differs")
        case 0x0F, 0x10: precondition(Array(data) == Array(pdu.dropFirst().prefix(4)), "a multiple write's echo differs")
        default: break
        }
    }
}
