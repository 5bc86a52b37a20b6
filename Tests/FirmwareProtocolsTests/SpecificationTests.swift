import Foundation
import Testing
import FirmwareProtocols
import HardwareInterfaces
@testable import ProtocolSpec

/// The repository root, found from this file.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite struct GeneratedCodeTests {
    /// The generated Swift and Markdown must be what the YAML says today:
    /// drivers, simulator, CLI and docs can then not disagree with the specification.
    @Test func generatedFilesMatchTheSpecifications() throws {
        let specs = repositoryRoot.appendingPathComponent("firmware-protocols")
        let (common, families) = try SpecificationLoader.loadAll(directory: specs)
        #expect(families.map(\.family).sorted() == ["airDetector", "bloodLeakDetector", "heater", "peristalticPump", "pressureSensor", "temperatureSensor"])
        for (name, text) in SwiftRenderer.render(common: common, families: families) {
            let committed = try String(contentsOf: repositoryRoot.appendingPathComponent("Sources/FirmwareProtocols/Generated/\(name)"), encoding: .utf8)
            #expect(committed == text, "Sources/FirmwareProtocols/Generated/\(name) is out of date: run `make protocols`")
        }
        for (name, text) in MarkdownRenderer.render(common: common, families: families) {
            let committed = try String(contentsOf: specs.appendingPathComponent(name), encoding: .utf8)
            #expect(committed == text, "firmware-protocols/\(name) is out of date: run `make protocols`")
        }
    }

    @Test func generatedTablesCarryTheSpecificationsNumbers() {
        #expect(PeristalticPumpProtocol.speedSetpoint.address == 0x0201)
        #expect(PeristalticPumpProtocol.speedSetpoint.scale == 0.1)
        #expect(PeristalticPumpProtocol.Status.doorOpen.rawValue == 1 << 2)
        #expect(PeristalticPumpProtocol.CommandValue.faultReset.rawValue == 0x5555)
        #expect(WatchdogBlock.watchdogTimeout.defaultValue == 500)
        #expect(FamilyCatalog.family(code: 4)?.family == "heater")
        #expect(FamilyCatalog.families.count == 6)
        #expect(IdentityBlock.registers.map(\.address) == [0, 1, 2, 3, 4, 5, 7])
    }
}

@Suite struct RegisterDefinitionTests {
    @Test func scaledValuesRoundTrip() throws {
        let speed = PeristalticPumpProtocol.speedSetpoint
        #expect(try speed.encode(120.5) == [1205])
        #expect(try speed.decode([1205]) == 120.5)
        let pressure = PressureSensorProtocol.pressure
        #expect(try pressure.encode(-250) == [UInt16(bitPattern: -2500)])
        #expect(try pressure.decode([UInt16(bitPattern: -2500)]) == -250)
        let volume = PeristalticPumpProtocol.deliveredVolume
        #expect(try volume.encode(70000.5) == [0x000A, 0xAE65])
        #expect(try volume.decode([0x000A, 0xAE65]) == 70000.5)
    }

    @Test func implausibleValuesAreErrorsNotNumbers() {
        #expect(throws: RegisterValueError.outOfRange(register: "speedSetpoint", value: 700, range: 0...600)) {
            try PeristalticPumpProtocol.speedSetpoint.encode(700)
        }
        // A pressure sensor claiming +900 mmHg is lying.
        #expect(throws: RegisterValueError.self) { try PressureSensorProtocol.pressure.decode([9000]) }
        #expect(throws: RegisterValueError.unavailable(register: "pressure")) { try PressureSensorProtocol.pressure.decode([0x8000]) }
        #expect(throws: RegisterValueError.unavailable(register: "probeA")) { try TemperatureSensorProtocol.probeA.decode([0x7FFF]) }
        #expect(throws: RegisterValueError.self) { try PeristalticPumpProtocol.speedSetpoint.encode(.nan) }
        #expect(throws: RegisterValueError.self) { try PeristalticPumpProtocol.deliveredVolume.decode([1]) }
    }
}

@Suite struct SpecificationValidationTests {
    let common: CommonBlocks

    init() throws {
        common = try SpecificationLoader.loadCommon(url: repositoryRoot.appendingPathComponent("firmware-protocols/common.yaml"))
    }

    func family(_ registers: String, extra: String = "", blocks: String = "[identity]") -> String {
        """
        family: testDevice
        familyCode: 99
        protocolVersion: 0x0100
        title: Test device
        description: A device for tests.
        blocks: \(blocks)
        \(extra)
        registers:
        \(registers)
        """
    }

    func error(_ text: String) -> SpecificationError? {
        do {
            _ = try SpecificationLoader.parseFamily(text, file: "firmware-protocols/test.yaml", common: common)
            return nil
        } catch let error as SpecificationError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    @Test func aValidFamilyLoads() throws {
        let spec = try SpecificationLoader.parseFamily(family("""
              - name: level
                table: input
                address: 0x0200
                type: u16
                access: read
            """), file: "t.yaml", common: common)
        #expect(spec.registers.map(\.name) == ["level"])
    }

    @Test func unknownKeyIsNamedWithFileAndLine() {
        let e = error(family("""
              - name: level
                table: input
                adress: 0x0200
                type: u16
                access: read
            """))
        #expect(e?.file == "firmware-protocols/test.yaml")
        #expect(e?.line == 11)
        #expect(e?.message.contains("unknown key 'adress' in register 'level'") == true)
    }

    @Test func wrongTypeIsNamed() {
        let e = error(family("""
              - name: level
                table: input
                address: twelve
                type: u16
                access: read
            """))
        #expect(e?.message.contains("'address' in register 'level' must be a whole number") == true)
        #expect(e?.line == 11)
    }

    @Test(arguments: [
        ("              - {name: a, table: input, address: 0x200, type: u32, access: read}\n              - {name: b, table: input, address: 0x201, type: u16, access: read}", "overlaps"),
        ("              - {name: a, table: input, address: 0x200, type: u16, access: readWrite}", "access must be 'read'"),
        ("              - {name: a, table: holding, address: 0x200, type: u16, access: readWrite, range: {min: 0, max: 70000}}", "does not fit"),
        ("              - {name: a, table: holding, address: 0x200, type: u16, access: readWrite, range: {min: 5, max: 1}}", "above max"),
        ("              - {name: a, table: holding, address: 0x200, type: u16, access: readWrite, range: {min: 0, max: 10}, default: 11}", "outside its range"),
        ("              - {name: a, table: holding, address: 0x200, type: bits, access: readWrite}", "must list its bits"),
        ("              - {name: a, table: holding, address: 0x200, type: s16, access: readWrite, commands: [{name: x, value: 1, description: d}]}", "only write-only"),
        ("              - {name: a, table: holding, address: 0x200, type: u16, access: read}\n              - {name: a, table: holding, address: 0x201, type: u16, access: read}", "used twice"),
        ("              - {name: a, table: input, address: 0x0, type: u16, access: read}", "overlaps 'familyCode'"),
        ("              - {name: a, table: register, address: 0x200, type: u16, access: read}", "expected one of: holding, input"),
    ])
    func inconsistentRegistersAreRefused(registers: String, message: String) {
        let e = error(family(registers))
        #expect(e?.message.contains(message) == true, "\(String(describing: e))")
    }

    @Test func actuatorsMustReportTheirWatchdog() {
        let e = error(family("              - {name: a, table: input, address: 0x200, type: u16, access: read}",
                             extra: "safeState: stops", blocks: "[identity, watchdog]"))
        #expect(e?.message.contains("watchdogExpired") == true)
        let noSafe = error(family("              - {name: a, table: input, address: 0x200, type: u16, access: read}", blocks: "[identity, watchdog]"))
        #expect(noSafe?.message.contains("safeState") == true)
    }

    @Test func unknownBlockIsRefused() {
        let e = error(family("              - {name: a, table: input, address: 0x200, type: u16, access: read}", blocks: "[identity, telemetry]"))
        #expect(e?.message.contains("unknown block 'telemetry'") == true)
    }

    @Test func brokenYAMLIsReported() {
        #expect(error("family: [unclosed") != nil)
    }
}

@Suite struct ExactDecimalTests {
    @Test func decimalScalesDecodeExactly() throws {
        #expect(try PeristalticPumpProtocol.deliveredVolume.decode([0x0012, 0xD687]) == 123456.7)
        #expect(try PressureSensorProtocol.pressure.decode([UInt16(bitPattern: -12)]) == -1.2)
        #expect(try TemperatureSensorProtocol.probeA.decode([3712]) == 37.12)
    }

    @Test func unitsDescribeNonFiniteValuesWithoutTrapping() {
        #expect(FlowRate.mLPerMinute(.nan).description == "nan mL/min")
        #expect(Pressure.mmHg(-.infinity).description == "-inf mmHg")
        #expect(Temperature.celsius(37.125).description == "37.13 °C")
    }
}
