import Drivers
import FirmwareProtocols
import HardwareInterfaces
import Modbus
import Simulator
import Testing

/// Every fault kind injected at every device role surfaces through our drivers as
/// the right typed error, across the real wire (Modbus RTU on ptys, and TCP).
@Suite(.serialized) struct FaultMatrixTests {
    static let roles = try! SimulatedCircuitLayout.preset("bal").devices.map(\.role)

    /// Full-length nonsense: a complete-looking frame from a unit nobody asked.
    static let garbage: [UInt8] = [0x63, 0x03, 0x02, 0xDE, 0xAD, 0x5B, 0x3A]

    static let transportFaults: [(String, ModbusServerFault, HardwareErrorKind)] = [
        ("no answer", .silent, .timeout),
        // Later than the response timeout (150 ms), within the resynchronisation window
        // that follows it: RTU has no transaction id, so a reply later than both could
        // pass for the next request's (see the README's design notes).
        ("late answer", .delay(.milliseconds(250)), .timeout),
        ("corrupted CRC", .corruptCRC, .corruptFrame),
        ("garbage", .garbage(garbage), .corruptFrame),
        ("exception", .exception(.serverDeviceFailure), .deviceRefused),
        ("busy", .exception(.serverDeviceBusy), .deviceRefused),
    ]

    @Test func everyTransportFaultAtEveryRoleOverRTU() async throws {
        let rig = try await SimulatedCircuitRig()
        for role in Self.roles {
            #expect(await rig.failureKind(role) == nil, "\(role) must read cleanly before faults")
            for (name, fault, kind) in Self.transportFaults {
                var fault = fault
                if case .garbage = fault, rig.family(role) == "asciiPump" {
                    // The line protocol's own nonsense: a whole line (a line without its
                    // terminator never ends, which the master can only call a timeout).
                    fault = .garbage(Array("7=ZZ!!;00\r".utf8))
                }
                try rig.simulator.inject(fault, role: role, count: 1)
                let observed = await rig.failureKind(role)
                #expect(observed == kind, "\(role), \(name): expected \(kind), got \(String(describing: observed))")
                // One bad reply poisons nothing: the next read is clean.
                #expect(await rig.failureKind(role) == nil, "\(role) after \(name) must recover")
            }
        }
        await rig.close()
    }

    @Test func transportFaultsOverTCP() async throws {
        let rig = try await SimulatedCircuitRig(tcp: true)
        for role in ["bloodPump", "venousPressure", "plasmaHeater"] {
            for (name, fault, kind) in Self.transportFaults where name != "corrupted CRC" && name != "garbage" {
                try rig.simulator.inject(fault, role: role, count: 1)
                let observed = await rig.failureKind(role)
                #expect(observed == kind, "\(role), \(name) over TCP: expected \(kind), got \(String(describing: observed))")
                #expect(await rig.failureKind(role) == nil, "\(role) after \(name) over TCP must recover")
            }
            // TCP has no CRC: a damaged reply is a malformed frame.
            try rig.simulator.inject(.corruptCRC, role: role, count: 1)
            #expect(await rig.failureKind(role) == .corruptFrame)
            #expect(await rig.failureKind(role) == nil)
        }
        await rig.close()
    }

    @Test func unpluggedLineIsDisconnectedAndComesBack() async throws {
        let rig = try await SimulatedCircuitRig()
        for bus in ["blood", "plasma", "heparin"] {
            let roles = rig.simulator.layout.devices.filter { $0.bus == bus }.map(\.role)
            try rig.simulator.unplug(bus: bus)
            for role in roles {
                #expect(await rig.failureKind(role) == .disconnected, "\(role) with its line unplugged")
            }
            try rig.simulator.replug(bus: bus)
            try await rig.reconnect(bus)
            for role in roles {
                #expect(await rig.failureKind(role) == nil, "\(role) after replug")
            }
        }
        await rig.close()
    }

    @Test(arguments: ["arterialPressure", "venousPressure", "preFilterPressure", "filtratePressure", "plasmaTemperature", "bloodLeakDetector"])
    func firmwareFaultBitsAreDeviceFaults(role: String) async throws {
        let rig = try await SimulatedCircuitRig()
        let condition = rig.family(role) == "temperatureSensor" ? ("probeACondition", "open") : ("sensorFault", "true")
        try rig.simulator.device(role: role)!.setCondition(condition.0, to: condition.1)
        #expect(await rig.failureKind(role) == .deviceFault)
        try rig.simulator.device(role: role)!.setCondition(condition.0, to: condition.0 == "sensorFault" ? "false" : "ok")
        #expect(await rig.failureKind(role) == nil)
        await rig.close()
    }

    @Test(arguments: ["venousPressure", "plasmaTemperature", "bloodLeakDetector"])
    func undefinedStatusBitsAreImplausible(role: String) async throws {
        let rig = try await SimulatedCircuitRig()
        rig.simulator.device(role: role)!.setForcedStatusBits(0x4000)
        #expect(await rig.failureKind(role) == .implausibleValue)
        await rig.close()
    }

    @Test func driftingSensorsLeaveTheirRange() async throws {
        let rig = try await SimulatedCircuitRig()
        // A temperature probe drifting 200 °C/s is soon past the 60 °C plausible limit: an error, not a number.
        let plasma = rig.simulator.device(role: "plasmaTemperature")!
        try plasma.setMeasurementFault(.drift(perSecond: 200))
        try await Task.sleep(for: .milliseconds(300))
        #expect(await rig.failureKind("plasmaTemperature") == .implausibleValue)
        try plasma.setMeasurementFault(.none)
        #expect(await rig.failureKind("plasmaTemperature") == nil)

        // A pressure element drifting up pins at its range and says so (over-range is data the interlock acts on).
        let venous = rig.simulator.device(role: "venousPressure")!
        try venous.setMeasurementFault(.drift(perSecond: 4000))
        try await Task.sleep(for: .milliseconds(300))
        let reading = try await PressureSensorDriver(device: rig.device("venousPressure")).read()
        #expect(reading.status.contains(.overRange))
        #expect(!reading.isWithinSensorRange)
        await rig.close()
    }

    @Test func stuckSensorKeepsAnsweringWithAFrozenValue() async throws {
        let rig = try await SimulatedCircuitRig()
        // Stuck: every read answers, with one frozen value while the truth moves
        // (the interlock's frozen-sensor check, SR-17, is what catches this).
        let venous = rig.simulator.device(role: "venousPressure")!
        try venous.setMeasurementFault(.stuck)
        let first = try await PressureSensorDriver(device: rig.device("venousPressure")).read()
        rig.simulator.conditions.returnLineDisconnected = true
        rig.simulator.conditions.returnLineRestriction = 4
        try await Task.sleep(for: .milliseconds(300))
        let later = try await PressureSensorDriver(device: rig.device("venousPressure")).read()
        #expect(later.pressure == first.pressure)
        try venous.setMeasurementFault(.none)
        let unstuck = try await PressureSensorDriver(device: rig.device("venousPressure")).read()
        #expect(unstuck.pressure != first.pressure)
        await rig.close()
    }

    @Test func identityBlocksNameEveryFamily() async throws {
        let rig = try await SimulatedCircuitRig()
        var serials = Set<UInt32>()
        for role in Self.roles where rig.family(role) != "asciiPump" {
            let family = FamilyCatalog.families.first { $0.family == rig.family(role) }!
            let identity = try await rig.device(role).readIdentity(expecting: family)
            #expect(identity.familyCode == family.familyCode)
            serials.insert(identity.serialNumber)
        }
        #expect(serials.count == Self.roles.count - 1)  // every Modbus device its own serial number
        let heparin = try await rig.linePump("heparinPump").readIdentity()
        #expect(!heparin.serialNumber.isEmpty)
        await rig.close()
    }
}
