import Foundation
import CircuitConfiguration
import StrictYAML
import Testing

@Suite struct CircuitPresetTests {
    @Test(arguments: CircuitConfigurationLoader.presetNames)
    func everyPresetLoads(name: String) throws {
        let circuit = try CircuitConfigurationLoader.preset(name)
        #expect(circuit.name == name)
        #expect(!circuit.devices.isEmpty)
        // Every device's bus exists, and every pump has a flow range.
        for device in circuit.devices {
            #expect(circuit.bus(named: device.bus) != nil)
            if device.role.isPump { #expect(circuit.flows[device.role] != nil, "\(name): \(device.role) has no flow range") }
        }
    }

    @Test func balHasEveryRoleOfTheCircuit() throws {
        let bal = try CircuitConfigurationLoader.preset("bal")
        let expected: Set<CircuitRole> = [.bloodPump, .plasmaPump, .recirculationPump, .heparinPump, .arterialPressure, .preFilterPressure,
                                          .venousPressure, .filtratePressure, .plasmaTemperature, .bioreactorTemperature, .plasmaHeater,
                                          .airDetector, .bloodLeakDetector]
        #expect(Set(bal.roles) == expected)
        #expect(bal.pollPeriods[.pressure] == .milliseconds(50))
        #expect(bal.bus(named: "blood")?.port == "/dev/hepabus/blood")
        #expect(bal.bus(named: "blood")?.settings.description == "115200 8E1")
    }

    @Test func cellInfusionComputesTheDoseVolume() throws {
        let plan = try #require(try CircuitConfigurationLoader.preset("cell-infusion").infusion)
        // 1.0 million cells/kg × 70 kg at 2.0 million cells/mL = 35 mL.
        #expect(plan.doseVolumeMilliliters == 35)
    }
}

@Suite struct CircuitFileValidationTests {
    func circuit(_ devices: String, buses: String = "  - {name: blood, port: /dev/ttyUSB0}", extra: String = "") -> String {
        "circuit: test\nbuses:\n\(buses)\ndevices:\n\(devices)\n\(extra)"
    }

    func error(_ text: String) -> YAMLError? {
        do {
            _ = try CircuitConfigurationLoader.parse(text, file: "test.yaml")
            return nil
        } catch let error as YAMLError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test(arguments: [
        ("  - {role: venousPresure, family: pressureSensor, bus: blood, unit: 4}", "unknown role 'venousPresure'"),
        ("  - {role: venousPressure, family: heater, bus: blood, unit: 4}", "cannot be played by a heater"),
        ("  - {role: venousPressure, family: pressureSensor, bus: plasma, unit: 4}", "no bus named 'plasma'"),
        ("  - {role: venousPressure, family: pressureSensor, bus: blood, unit: 400}", "out of range 1-247"),
        ("  - {role: venousPressure, family: pressureSensor, bus: blood, unit: 4, colour: red}", "unknown key 'colour'"),
        ("  - {role: venousPressure, family: pressureSensor, bus: blood, unit: 4}\n  - {role: arterialPressure, family: pressureSensor, bus: blood, unit: 4}", "unit 4 on bus 'blood' is taken"),
        ("  - {role: venousPressure, family: pressureSensor, bus: blood, unit: 4, tubingMlPerRev: 8}", "applies to pumps"),
        ("  - {role: heparinPump, family: asciiPump, bus: blood, unit: 1}", "cannot sit on modbus-rtu bus"),
    ])
    func mistakesAreNamed(devices: String, message: String) {
        let e = error(circuit(devices))
        #expect(e?.message.contains(message) == true, "\(String(describing: e))")
        #expect(e?.file == "test.yaml")
        #expect((e?.line ?? 0) > 0)
    }

    @Test func busMistakesAreNamed() {
        #expect(error(circuit("", buses: "  - {name: blood, port: ttyUSB0}"))?.message.contains("absolute device path") == true)
        #expect(error(circuit("", buses: "  - {name: blood, port: /dev/x, parity: mark}"))?.message.contains("expected one of: none, even, odd") == true)
        #expect(error(circuit("", buses: "  - {name: blood, port: /dev/x, baud: 12}"))?.message.contains("baud 12") == true)
        #expect(error(circuit("", buses: "  - {name: gw, protocol: modbus-tcp}"))?.message.contains("needs 'tcp") == true)
        let shared = error(circuit("", buses: "  - {name: blood, port: /dev/ttyUSB0}\n  - {name: plasma, udevRole: blood}\n  - {name: spare, port: /dev/ttyUSB0}"))
        #expect(shared?.message.contains("buses 'blood' and 'spare' are both on port /dev/ttyUSB0") == true, "\(String(describing: shared))")
        let sharedRole = error(circuit("", buses: "  - {name: blood, udevRole: blood}\n  - {name: plasma, udevRole: blood}"))
        #expect(sharedRole?.message.contains("buses 'blood' and 'plasma' are both on port /dev/hepabus/blood") == true, "\(String(describing: sharedRole))")
    }

    @Test func flowsAndPollMistakesAreNamed() {
        let device = "  - {role: bloodPump, family: peristalticPump, bus: blood, unit: 1}"
        #expect(error(circuit(device, extra: "flows:\n  bloodPump: {min: 300, max: 100}"))?.message.contains("above max") == true)
        #expect(error(circuit(device, extra: "flows:\n  venousPressure: {min: 1, max: 2}"))?.message.contains("not a pump role") == true)
        #expect(error(circuit(device, extra: "poll:\n  pressure: 5"))?.message.contains("out of range 10-5000") == true)
        #expect(error(circuit(device, extra: "poll:\n  presure: 50"))?.message.contains("unknown key 'presure'") == true)
    }

    @Test func limitsAreKeptWithTheirPositionForTheInterlockToCheck() throws {
        let text = circuit("  - {role: venousPressure, family: pressureSensor, bus: blood, unit: 4}", extra: "limits:\n  venousPressureHigh: 250")
        let c = try CircuitConfigurationLoader.parse(text, file: "t.yaml")
        #expect(c.limits == [.init(name: "venousPressureHigh", value: 250, line: 7, column: 3)])
    }

    @Test func numbersOutOfRangeAreNamedWithTheirPlace() {
        let device = "  - {role: venousPressure, family: pressureSensor, bus: blood, unit: 99999999999999999999}"
        let e = error(circuit(device))
        #expect(e?.line == 5 && e?.message.contains("99999999999999999999") == true && e?.message.contains("out of range") == true,
                "\(String(describing: e))")
        let e2 = error(circuit("", buses: "  - {name: blood, port: /dev/x, baud: 0x10000000000000000}"))
        #expect(e2?.line == 3 && e2?.message.contains("out of range") == true, "\(String(describing: e2))")
        let e3 = error(circuit("  - {role: venousPressure, family: pressureSensor, bus: blood, unit: 4}", extra: "limits:\n  venousPressureHigh: 1e999"))
        #expect(e3?.line == 7 && e3?.message.contains("not a finite number") == true, "\(String(describing: e3))")
    }

    @Test func yamlTagsAreRefusedNotIgnored() {
        for (text, line, column) in [("circuit: !!str test", 1, 10), ("circuit: !local test", 1, 10)] {
            let e = error(circuit("", extra: "").replacingOccurrences(of: "circuit: test", with: text))
            #expect(e?.file == "test.yaml" && e?.line == line && e?.column == column && e?.message.contains("YAML tag") == true,
                    "\(text): \(String(describing: e))")
        }
        let e = error(circuit("  - {role: venousPressure, family: pressureSensor, bus: blood, unit: !!int 4}"))
        #expect(e?.line == 5 && e?.message.contains("'!!int'") == true, "\(String(describing: e))")
        // Quoted and block text stays text.
        #expect(error(circuit("  - {role: venousPressure, family: pressureSensor, bus: \"blood\", unit: 4}", extra: "description: >\n  folded")) == nil)
    }

    @Test func aFileOfManyBusesIsReadInLinearTime() throws {
        // The duplicate checks once compared every bus with every other: 20 000 buses took about a minute.
        let count = 20_000
        var text = "circuit: big\nbuses:\n"
        for i in 0..<count { text += "  - {name: b\(i), port: /dev/ttyUSB\(i)}\n" }
        text += "devices:\n  - {role: venousPressure, family: pressureSensor, bus: b\(count - 1), unit: 4}\n"
        let started = ContinuousClock.now
        let c = try CircuitConfigurationLoader.parse(text, file: "big.yaml")
        let took = started.duration(to: .now)
        #expect(c.buses.count == count)
        #expect(took < .seconds(15), "\(count) buses took \(took)")
        // A duplicate at the end is still found, and named.
        let duplicate = text.replacingOccurrences(of: "name: b\(count - 1),", with: "name: b0,")
        #expect(error(duplicate)?.message.contains("bus name 'b0' is used twice") == true)
    }

    @Test func unknownPresetOrMissingFileIsNamed() {
        #expect(throws: YAMLError.self) { try CircuitConfigurationLoader.load("/nonexistent/circuit.yaml") }
    }
}

/// The presets compiled into the library are the YAML files beside them (`make presets`
/// regenerates Generated/PresetTexts.swift after an edit).
@Suite struct EmbeddedPresetTests {
    @Test(arguments: CircuitConfigurationLoader.presetNames)
    func theCompiledInPresetIsItsYAMLFile(_ name: String) throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/CircuitConfiguration/Presets/\(name).yaml").standardizedFileURL
        let yaml = try String(contentsOf: file, encoding: .utf8)
        let embedded = try #require(CircuitConfigurationLoader.presetText(name))
        #expect(embedded + "\n" == yaml, "Generated/PresetTexts.swift is stale for \(name): run make presets")
    }

    @Test func anUnknownPresetIsAnErrorNamingThePresets() {
        #expect(CircuitConfigurationLoader.presetText("no-such") == nil)
        do {
            _ = try CircuitConfigurationLoader.preset("no-such")
            Issue.record("an unknown preset loaded")
        } catch {
            #expect("\(error)".contains("no circuit preset named 'no-such'"), "\(error)")
        }
    }
}
