// libFuzzer target: the firmware-protocol specification loader. Every input is read as the
// common blocks, as a register family (against the shipped common.yaml) and as a line protocol.
import Foundation
import FuzzSupport
import ProtocolSpec

let commonURL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("firmware-protocols/common.yaml")
let common: CommonBlocks
do {
    common = try SpecificationLoader.loadCommon(url: commonURL)
} catch {
    fatalError("\(commonURL.path) did not load: \(error)")
}

fuzzMain { bytes in
    let text = String(decoding: bytes, as: UTF8.self)
    _ = try? SpecificationLoader.parseCommon(text, file: "fuzz.yaml")
    _ = try? SpecificationLoader.parseFamily(text, file: "fuzz.yaml", common: common)
    _ = try? LineProtocolLoader.parse(text, file: "fuzz.yaml")
}
