// libFuzzer target: the simulator's control-socket command parser (one text line from a client).
import FuzzSupport
import Simulator

fuzzMain { bytes in
    _ = try? ControlCommand.parse(String(decoding: bytes, as: UTF8.self))
}
