import Foundation
import Testing
@testable import DeviceDiscovery

/// `udev/99-hepabus.rules.example` is the generator's output for the `bal`
/// circuit with placeholder serial numbers: it must stay byte for byte what
/// the generator writes. Regenerate with
/// `HEPABUS_UPDATE_UDEV_EXAMPLE=1 swift test --filter UdevRulesExampleTests`.
@Suite("udev rules example")
struct UdevRulesExampleTests {
    /// The `bal` circuit's ports (its buses: blood side and plasma side on
    /// their RS-485 segments, the heparin pump on its RS-232 line), each on its
    /// own FTDI adapter so that one failing adapter takes only one side down.
    static let balBindings = [
        UdevPortBinding(role: "blood", vendorID: "0403", productID: "6001", serialNumber: "CHANGE-ME-BLOOD"),
        UdevPortBinding(role: "plasma", vendorID: "0403", productID: "6001", serialNumber: "CHANGE-ME-PLASMA"),
        UdevPortBinding(role: "heparin", vendorID: "0403", productID: "6001", serialNumber: "CHANGE-ME-HEPARIN"),
    ]

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let examplePath = packageRoot.appendingPathComponent("udev/99-hepabus.rules.example").path

    static func generatedExample() throws -> String {
        try UdevRuleGenerator(circuit: "bal").rules(for: balBindings)
    }

    @Test("udev/99-hepabus.rules.example is what the generator writes for bal")
    func exampleIsUpToDate() throws {
        let expected = try Self.generatedExample()
        if ProcessInfo.processInfo.environment["HEPABUS_UPDATE_UDEV_EXAMPLE"] == "1" {
            try expected.write(toFile: Self.examplePath, atomically: true, encoding: .utf8)
        }
        let actual = try String(contentsOfFile: Self.examplePath, encoding: .utf8)
        let firstDifference = zip(actual.split(separator: "\n", omittingEmptySubsequences: false),
                                  expected.split(separator: "\n", omittingEmptySubsequences: false))
            .enumerated().first { $0.element.0 != $0.element.1 }
        #expect(actual == expected, """
            \(Self.examplePath) is out of date (first difference at line \((firstDifference?.offset ?? 0) + 1)); \
            regenerate: HEPABUS_UPDATE_UDEV_EXAMPLE=1 swift test --filter UdevRulesExampleTests
            """)
    }

    @Test("the example binds each bal port once, with placeholders no real adapter has")
    func exampleContents() throws {
        let text = try Self.generatedExample()
        for role in ["blood", "plasma", "heparin"] {
            #expect(text.contains("SYMLINK+=\"hepabus/\(role)\""))
            #expect(text.contains("ENV{HEPABUS_ROLE}=\"\(role)\""))
        }
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("ACTION") }.count == 3)
        #expect(text.contains("circuit bal"))
    }
}
