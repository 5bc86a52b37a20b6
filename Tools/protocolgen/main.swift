// hepabus-protocolgen: reads firmware-protocols/*.yaml, checks them strictly, and
// writes the Swift of Sources/FirmwareProtocols/Generated/ and the Markdown beside the YAML.
// `--check` writes nothing and fails if any generated file is out of date.
import Foundation
import ProtocolSpec
import SystemCalls

let arguments = Array(CommandLine.arguments.dropFirst())
let check = arguments.contains("--check")
let root = URL(fileURLWithPath: arguments.first { !$0.hasPrefix("--") } ?? FileManager.default.currentDirectoryPath)
let specs = root.appendingPathComponent("firmware-protocols")
let generated = root.appendingPathComponent("Sources/FirmwareProtocols/Generated")

do {
    let (common, families) = try SpecificationLoader.loadAll(directory: specs)
    var outputs: [(URL, String)] = []
    for (name, text) in SwiftRenderer.render(common: common, families: families) {
        outputs.append((generated.appendingPathComponent(name), text))
    }
    for (name, text) in MarkdownRenderer.render(common: common, families: families) {
        outputs.append((specs.appendingPathComponent(name), text))
    }
    // Line (ASCII) protocols: the line-*.yaml files the family loader skips.
    let lines = try LineProtocolLoader.loadAll(directory: specs)
    for (name, text) in LineProtocolSwiftRenderer.render(lines) {
        outputs.append((generated.appendingPathComponent(name), text))
    }
    for (name, text) in LineProtocolMarkdownRenderer.render(lines) {
        outputs.append((specs.appendingPathComponent(name), text))
    }
    var stale: [String] = []
    for (url, text) in outputs.sorted(by: { $0.0.path < $1.0.path }) {
        let current = try? String(contentsOf: url, encoding: .utf8)
        guard current != text else { continue }
        stale.append(url.path)
        if !check {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
    }
    if check && !stale.isEmpty {
        FileHandle.standardError.write(Data(("out of date (run `make protocols`):\n" + stale.joined(separator: "\n") + "\n").utf8))
        ProcessControl.exit(1)
    }
    print(check ? "generated files are up to date (\(families.count) families, \(lines.count) line protocols)"
                : "wrote \(stale.count) file(s); \(outputs.count - stale.count) already up to date")
} catch {
    FileHandle.standardError.write(Data("hepabus-protocolgen: \(error)\n".utf8))
    ProcessControl.exit(1)
}
