import BusRuntime
import Drivers
import FirmwareProtocols
import Foundation
import HardwareInterfaces
import Serial
import Simulator
import Testing

/// The driver through the real bus over a real pseudo-terminal to the simulated firmware.
/// Every wait is bounded; a test that cannot finish fails instead of hanging.
@Suite(.timeLimit(.minutes(1))) struct AsciiPumpLineIntegrationTests {
    @Test func speedStartAndStatusShowTheRamp() async throws {
        try await LinePumpRig.with { (rig: LinePumpRig) async throws in
            let identity = try await rig.pump.identify(serialNumber: "00412345")
            #expect(identity.model == "HLP-8")
            // A long watchdog, so that this test is about the ramp alone.
            try await rig.pump.setWatchdogTimeout(.seconds(5))
            // The top speed: 2 s of ramp at 200 rpm/s, long enough to be seen on the way
            // even on a loaded machine.
            try await rig.pump.setSpeed(.rpm(400))
            try await rig.pump.start()
            var samples: [RotationalSpeed] = []
            let deadline = ContinuousClock.now.advanced(by: .seconds(10))
            while ContinuousClock.now < deadline {
                let status = try await rig.pump.readStatus()
                #expect(status.isRunning && status.speedSetpoint == .rpm(400) && status.faults.isEmpty)
                samples.append(status.actualSpeed)
                if status.actualSpeed == .rpm(400) { break }
                try await Task.sleep(for: .milliseconds(40))
            }
            // 200 rpm/s: 2 s from standstill to 400 rpm, seen on the way and never beyond.
            #expect(samples.last == .rpm(400))
            #expect(samples.contains { $0 > .zero && $0 < .rpm(400) }, "\(samples)")
            #expect(samples == samples.sorted(), "the ramp only rises: \(samples)")
            try await rig.pump.stop()
            let stopped = try await rig.pump.readStatus()
            #expect(!stopped.isRunning && stopped.actualSpeed == .zero)
            let volume = try await rig.pump.readDeliveredVolume()
            let simulated = rig.firmware.snapshot.deliveredVolume
            #expect(volume > .mL(0))
            #expect(abs(volume.milliliters - simulated.milliliters) < 0.1, "reported in whole tenths of a mL")
        }
    }

    @Test func theWatchdogStopsThePumpWhenHeartbeatsStop() async throws {
        try await LinePumpRig.with { (rig: LinePumpRig) async throws in
            // A timeout long enough that a loaded machine (the suite runs in parallel) still
            // feeds it in time, short enough to keep the test quick.
            try await rig.pump.setWatchdogTimeout(.milliseconds(1500))
            try await rig.pump.setSpeed(.rpm(60))
            try await rig.pump.start()
            for _ in 0..<6 {
                try await Task.sleep(for: .milliseconds(100))
                try await rig.pump.heartbeat()
            }
            #expect(try await rig.pump.readStatus().isRunning, "fed in time, it keeps running")
            // The host goes quiet except for status polls, which do not feed the watchdog.
            let silence = ContinuousClock.now.advanced(by: .seconds(6))
            var status = try await rig.pump.readStatus()
            while ContinuousClock.now < silence && status.isRunning {
                try await Task.sleep(for: .milliseconds(50))
                status = try await rig.pump.readStatus()
            }
            #expect(!status.isRunning)
            #expect(status.faults == .watchdogExpired)
            #expect(status.actualSpeed == .zero)
            let refused = await linePumpFailure { () async throws(DeviceError) in try await rig.pump.start() }
            #expect(refused?.kind == .deviceFault)
            #expect(refused?.detail.contains("faultLatched") == true, "\(String(describing: refused))")
            try await rig.pump.resetFaults()
            try await rig.pump.start()
            #expect(try await rig.pump.readStatus().isRunning)
            try await rig.pump.stop()
        }
    }

    @Test func aDoorOpenedOnThePumpSurfacesAsADeviceFault() async throws {
        try await LinePumpRig.with { (rig: LinePumpRig) async throws in
            rig.firmware.setDoorOpen(true)
            let e = await linePumpFailure { () async throws(DeviceError) in try await rig.pump.start() }
            #expect(e?.kind == .deviceFault)
            #expect(e?.detail.contains("doorOpen (04)") == true, "\(String(describing: e))")
            #expect(try await rig.pump.readStatus().isDoorOpen)
        }
    }

    /// Each injected fault surfaces as its kind, and the line answers normally right after.
    @Test(arguments: [
        (AsciiPumpLineFault.noAnswer, HardwareErrorKind.timeout),
        (.corruptChecksum, .corruptFrame),
        (.garbage(Array("\u{07}NOISE!\r".utf8)), .corruptFrame),
        (.garbage(Array(repeating: UInt8(ascii: "Z"), count: 60)), .corruptFrame),  // no terminator within 40 bytes
        (.garbage(Array("1*HB".utf8)), .timeout),  // half a line is no line
        (.refusal(.busy), .deviceRefused),
        (.refusal(.unknownCommand), .deviceRefused),
        (.refusal(.doorOpen), .deviceFault),
        (.refusal(.badChecksum), .corruptFrame),
    ])
    func injectedFaultsSurfaceAsTheirKindAndTheLineRecovers(fault: AsciiPumpLineFault, kind: HardwareErrorKind) async throws {
        try await LinePumpRig.with(replyTimeout: .milliseconds(300)) { (rig: LinePumpRig) async throws in
            try await rig.pump.heartbeat()
            rig.server.inject(fault)
            let e = await linePumpFailure { () async throws(DeviceError) in try await rig.pump.heartbeat() }
            #expect(e?.kind == kind, "\(fault): \(String(describing: e))")
            #expect(rig.server.statistics.faultsApplied == 1)
            // Recovered: the next exchanges are answered normally.
            try await rig.pump.heartbeat()
            #expect(try await rig.pump.identify().serialNumber == "00412345")
        }
    }

    @Test func aLateAnswerIsATimeoutAndTheLineRecoversOnceItHasPassed() async throws {
        try await LinePumpRig.with(replyTimeout: .milliseconds(200)) { (rig: LinePumpRig) async throws in
            rig.server.inject(.lateAnswer(.milliseconds(500)))
            let started = ContinuousClock.now
            let e = await linePumpFailure { () async throws(DeviceError) in try await rig.pump.readStatus() }
            #expect(e?.kind == .timeout)
            // Gave up at its own timeout, not after the late reply (a loose bound: the suite runs in parallel).
            #expect(ContinuousClock.now - started < .seconds(3), "the driver must give up at its own timeout")
            // The late reply lands while nobody waits for it; the next exchange discards it.
            try await Task.sleep(for: .milliseconds(500))
            try await rig.pump.heartbeat()
            #expect(try await rig.pump.readCalibration() == TubingCalibration(millilitersPerRevolution: 8))
        }
    }

    @Test func anUnpluggedLineIsDisconnectedAndComesBackWhenReplugged() async throws {
        try await LinePumpRig.with { (rig: LinePumpRig) async throws in
            try await rig.pump.heartbeat()
            rig.server.unplug()
            let gone = await linePumpFailure { () async throws(DeviceError) in try await rig.pump.heartbeat() }
            #expect(gone?.kind == .disconnected, "\(String(describing: gone))")
            #expect(await rig.bus.isOpen == false)
            // Still unplugged: one reopen attempt per exchange, and it fails the same way.
            let stillGone = await linePumpFailure { () async throws(DeviceError) in try await rig.pump.heartbeat() }
            #expect(stillGone?.kind == .disconnected)
            try rig.server.replug()
            try await rig.pump.heartbeat()
            #expect(try await rig.pump.identify(serialNumber: "00412345").protocolVersion == AsciiPumpLineProtocol.specificationVersion)
            let statistics = await rig.bus.statistics
            #expect(statistics.disconnections == 2)
            #expect(statistics.reopenAttempts == 2)
        }
    }

    @Test func aRequestWithABadChecksumWrittenRawGetsTheChecksumRefusal() async throws {
        let (directory, firmware, server) = try LinePumpRig.served()
        defer {
            server.unplug()
            try? FileManager.default.removeItem(at: directory)
        }
        let port = try SerialPort(path: server.linkPath!, settings: LinePumpRig.settings)
        defer { port.close() }
        let deadline = ContinuousClock.now.advanced(by: .seconds(2))
        try port.writeAll(Array("1GO;C8\r".utf8), deadline: deadline)
        let reply = try port.read(through: 0x0D, maxLength: 40, deadline: deadline)
        #expect(String(decoding: reply, as: UTF8.self) == "1#??03;35\r")
        #expect(!firmware.snapshot.isRunning, "a damaged start is not obeyed")
        #expect(firmware.snapshot.counters.badChecksums == 1)
        // The same line with its right checksum is obeyed (after the minimum command gap).
        try await Task.sleep(for: .milliseconds(20))
        try port.writeAll(Array("1GO;C7\r".utf8), deadline: deadline)
        #expect(try port.read(through: 0x0D, maxLength: 40, deadline: deadline) == Array("1*GO;F1\r".utf8))
        #expect(firmware.snapshot.isRunning)
    }
}
