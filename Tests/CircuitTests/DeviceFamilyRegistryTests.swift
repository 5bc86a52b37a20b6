import BusRuntime
import Circuit
import CircuitConfiguration
import Drivers
import FirmwareProtocols
import Foundation
import HardwareInterfaces
import Interlock
import Simulator
import Testing

/// Every registered device family is whole: a spec, simulated firmware, a driver the
/// runtime builds, its host watchdog fed and its latch reset, all through the registry.
@Suite(.serialized) struct DeviceFamilyRegistryTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: DeviceFamily.allCases)
    func everyFamilyHasItsSpecAndSimulatedFirmware(family: DeviceFamily) {
        let spec = Self.repository.appendingPathComponent("firmware-protocols").appendingPathComponent(family.specFile)
        #expect(FileManager.default.fileExists(atPath: spec.path), "\(family): no \(spec.path)")
        switch (family.busKind, family.simulated) {
        case (.modbus, .registers(let make)):
            let protocolSpec = family.registerProtocol
            #expect(protocolSpec?.family == family.rawValue, "\(family): its register protocol is \(String(describing: protocolSpec?.family))")
            // The spec's watchdog block and the registry agree.
            #expect(protocolSpec?.blocks.contains("watchdog") == family.hasHostWatchdog, "\(family): watchdog block vs registry")
            #expect(make(ManualSimulationTime(), DeviceIdentity(), nil, nil).family.family == family.rawValue)
        case (.line, .line):
            #expect(family.registerProtocol == nil)
        default:
            Issue.record("\(family): its simulated firmware does not serve its bus kind \(family.busKind)")
        }
        #expect(!family.capabilities.isEmpty, "\(family) declares no capability")
        #expect(CircuitRole.allCases.contains { $0.deviceFamilies.contains(family) }, "\(family) plays no role")
    }

    @Test func rolesNameOnlyRegisteredFamilies() {
        for role in CircuitRole.allCases {
            #expect(!role.deviceFamilies.isEmpty, "\(role) has no family")
            #expect(role.families == Set(role.deviceFamilies.map(\.rawValue)))
        }
    }

    /// Against the simulated bal circuit (every family plays a role in it): the runtime
    /// builds each family's driver from the registry, feeds exactly the watchdog-bearing
    /// families and resets exactly the latch-bearing ones.
    @Test func watchdogsAreFedAndLatchesResetForEveryFamily() async throws {
        let bal = try SimulatedBal()
        var roleOf: [DeviceFamily: CircuitRole] = [:]
        for device in bal.configuration.devices {
            let family = try #require(device.deviceFamily)
            roleOf[family] = roleOf[family] ?? device.role
        }
        for family in DeviceFamily.allCases {
            #expect(roleOf[family] != nil, "no role of the bal circuit is played by a \(family): add one to cover it")
        }
        let runtime = try await CircuitRuntime(configuration: bal.configuration, endpoints: bal.endpoints)
        runtime.start { _ in }
        // Every watchdog-bearing role's heartbeat job has run (bounded wait), and no other role has one.
        let deadline = ContinuousClock.now + .seconds(3)
        func heartbeats() -> [String: Int] {
            var runs: [String: Int] = [:]
            for report in runtime.pollReports.values.joined() where report.name.hasSuffix(" heartbeat") {
                runs[String(report.name.dropLast(" heartbeat".count)), default: 0] += report.runs - report.failures
            }
            return runs
        }
        let watched = bal.configuration.devices.filter { $0.deviceFamily?.hasHostWatchdog == true }.map(\.role.rawValue)
        while ContinuousClock.now < deadline, !watched.allSatisfy({ heartbeats()[$0, default: 0] >= 2 }) {
            try await Task.sleep(for: .milliseconds(20))
        }
        let fed = heartbeats()
        for device in bal.configuration.devices {
            let family = try #require(device.deviceFamily)
            if family.hasHostWatchdog {
                #expect(fed[device.role.rawValue, default: 0] >= 2, "\(device.role) (\(family)): its watchdog is not fed")
                let timeout = await runtime.readWatchdogTimeout(device.role)
                #expect((try? timeout.get()).map { $0 > .zero } == true, "\(device.role) (\(family)): \(timeout)")
            } else {
                #expect(fed[device.role.rawValue] == nil, "\(device.role) (\(family)) has no watchdog, yet a heartbeat job")
            }
            let reset = await runtime.perform(.faultReset(device.role))
            if family.hasDeviceLatch {
                #expect((try? reset.get()) != nil, "\(device.role) (\(family)): fault reset \(reset)")
            } else if case .failure(let error) = reset {
                #expect(error.kind == .invalidRequest)
            } else {
                Issue.record("\(device.role) (\(family)) has no latch, yet a fault reset was sent")
            }
        }
        await runtime.stop()
    }

    /// The line pump's latched faults reach the acknowledgement's fault reset like the
    /// other actuators' (they were left latched before the registry).
    @Test func everyLatchBearingReadingSaysWhenItsLatchIsSet() {
        let clear = AsciiPumpStatus(isRunning: false, direction: .clockwise, speedSetpoint: .rpm(0), actualSpeed: .rpm(0),
                                    isDoorOpen: false, faults: [])
        var latched = clear
        latched.faults = .watchdogExpired
        #expect(!RoleReading.linePump(clear).isDeviceLatchSet)
        #expect(RoleReading.linePump(latched).isDeviceLatchSet)
    }

    /// The operator's acknowledgement reaches every latch-bearing family's own latch, the
    /// line pump's too (before the registry its latched faults were never reset).
    @Test func theAcknowledgementResetsTheLinePumpsLatchedFault() async throws {
        let bal = try SimulatedBal()
        let runtime = try await CircuitRuntime(configuration: bal.configuration, endpoints: bal.endpoints)
        let supervisor = try Supervisor(runtime: runtime)
        await supervisor.start()
        func heparinFaults() -> AsciiPumpLineProtocol.Faults? {
            if case .linePump(let s)? = runtime.snapshot[.heparinPump]?.reading { return s.faults }
            return nil
        }
        func eventually(within: Duration = .seconds(10), _ condition: () async -> Bool) async -> Bool {
            let deadline = ContinuousClock.now + within
            while ContinuousClock.now < deadline {
                if await condition() { return true }
                try? await Task.sleep(for: .milliseconds(20))
            }
            return await condition()
        }
        let reply = try ControlClient.send("set heparinPump stall true", to: bal.simulator.manifest.control)
        #expect(await eventually { heparinFaults()?.contains(.stall) == true }, "reply \(reply); faults \(String(describing: heparinFaults()))")
        // An alarm for the acknowledgement to answer: the blood pump's door opened and shut (SR-13).
        let pump = try #require(bal.simulator.device(role: CircuitRole.bloodPump.rawValue) as? SimulatedPump)
        pump.doorOpen = true
        _ = await supervisor.runSelfTest()
        let held = await supervisor.activeFaults
        #expect(held.contains { $0.requirement == .sr13 }, "\(held)")
        pump.doorOpen = false
        #expect(await eventually { await supervisor.activeFaults.allSatisfy { $0.requirement != .sr13 || !$0.isConditionPresent } })
        #expect(await supervisor.perform(.acknowledge(.all)).isAccepted)
        #expect(await eventually { heparinFaults()?.isEmpty == true }, "the heparin pump still latches \(String(describing: heparinFaults()))")
        await supervisor.stop()
    }
}
