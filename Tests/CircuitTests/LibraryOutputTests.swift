import Foundation
import Testing

/// The libraries never write to standard output or standard error themselves: their
/// diagnostics go to the host's Logger (issue 10 item 4). Only the CLI (Sources/HepaBusCLI,
/// Tools/) prints. A lint over Sources/, failing with file:line for each offence.
@Suite struct LibraryOutputTests {
    /// What writes to the process's own output: Swift's print, Foundation's standard
    /// handles, C's stdio and the raw descriptors.
    static let forbidden = try! NSRegularExpression(pattern:
        #"\bprint\(|\bdebugPrint\(|\bdump\(|FileHandle\.standard(Error|Output)|\bfputs\(|\bf?printf\(|\bputs\(|\bperror\(|STD(ERR|OUT)_FILENO"#)

    /// Sources/ beside this test's package.
    static var sources: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources")
    }

    /// Every line of library code (comments aside) that prints, as "path:line: text".
    static func offences() throws -> [String] {
        let root = sources
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return ["cannot read \(root.path)"] }
        var found: [String] = []
        for case let file as URL in walker {
            let relative = String(file.path.dropFirst(root.path.count + 1))
            if relative.hasPrefix("HepaBusCLI/") { continue }  // the CLI prints: that is its job
            // The syscall layer names the standard descriptors for the CLI (a terminal check, stdout
            // swapped while a command runs); naming one there is not writing to it.
            let namesStandardDescriptors = relative == "SystemCalls/ProcessControl.swift"
            guard ["swift", "c", "h"].contains(file.pathExtension) else { continue }
            let text = try String(contentsOf: file, encoding: .utf8)
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                if code.hasPrefix("//") || code.hasPrefix("*") || code.hasPrefix("/*") { continue }
                let range = NSRange(code.startIndex..., in: code)
                if namesStandardDescriptors, code.hasPrefix("case ."), code.hasSuffix("_FILENO") { continue }
                if forbidden.firstMatch(in: code, range: range) != nil {
                    found.append("Sources/\(relative):\(index + 1): \(code)")
                }
            }
        }
        return found
    }

    @Test func noLibraryWritesToStandardOutputOrError() throws {
        let offences = try Self.offences()
        #expect(offences.isEmpty, "library code writing to stdout/stderr (log through the host's Logger instead):\n\(offences.joined(separator: "\n"))")
    }

    /// The lint itself finds what it is for (a lint that matches nothing proves nothing).
    @Test func theLintRecognisesEachWayOfPrinting() {
        for line in [#"print("x")"#, #"FileHandle.standardError.write(data)"#, #"fputs("x", stderr)"#, #"fprintf(stderr, "x")"#,
                     "write(STDERR_FILENO, p, n)", #"debugPrint(x)"#] {
            #expect(Self.forbidden.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil, "\(line)")
        }
        for line in ["printer.note(x)", "let printable = 1", "logger.warning(\"x\")"] {
            #expect(Self.forbidden.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) == nil, "\(line)")
        }
    }
}
