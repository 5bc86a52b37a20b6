// libFuzzer target: the Modbus codec on arbitrary PDUs.
//
// The same bytes go (1) to the server's request processor, as a request from the bus (the
// simulator's firmware answers whatever a master sends), checked to answer with the same
// function or its exception; and (2) to the frame field decoder as a request and as a
// device's response to a request of the same unit and function (the reply checks the
// sniffer and the CLI apply), with the summaries and the server-id report rendered.
import FuzzSupport
import Modbus

let model = RegisterMap(coils: 64, discreteInputs: 64, holdingRegisters: 64, inputRegisters: 64,
                        serverID: [0x2A, 0xFF] + Array("fuzz".utf8))

fuzzMain { bytes in
    guard !bytes.isEmpty else { return }
    let reply = ModbusRequestProcessor.respond(to: bytes, model: model)
    precondition(!reply.isEmpty, "no reply to a request")
    precondition(reply[0] == bytes[0] || reply[0] == bytes[0] | 0x80, "a reply of another function")
    _ = ModbusRequestProcessor.isWrite(bytes)

    let request = SniffedFrame(decoding: bytes, direction: .request, time: nil)
    _ = request.summary
    let response = SniffedFrame(decoding: bytes, direction: .response, time: nil, answering: request)
    _ = response.summary
    _ = response.serverID?.description
    _ = ServerIDReport(bytes: bytes).description
}
