import Foundation
import FirmwareProtocols
import Modbus
import Simulator
import Testing

@Suite struct PumpFirmwareTests {
    typealias P = PeristalticPumpProtocol

    /// A pump commanded to `rpm` (run bit set) at time 0.
    func runningPump(_ time: ManualSimulationTime, rpm: Double, reverse: Bool = false, timeoutMs: UInt16? = nil) throws -> SimulatedPump {
        let pump = SimulatedPump(time: time)
        if let timeoutMs { try pump.writeWord(WatchdogBlock.watchdogTimeout, timeoutMs) }
        try pump.set(P.speedSetpoint, rpm)
        try pump.writeWord(P.controlWord, (reverse ? P.ControlWord([.run, .reverse]) : .run).rawValue)
        return pump
    }

    func status(_ pump: SimulatedPump) throws -> P.Status { P.Status(rawValue: try pump.word(P.status)) }

    @Test func speedFollowsTheSetPointWithAFirstOrderRampAndFlowIsSpeedTimesCalibration() throws {
        let time = ManualSimulationTime()
        let pump = try runningPump(time, rpm: 100)
        #expect(try pump.word(P.actualSpeed) == 0)  // nothing has happened yet
        try feed([pump], time: time, for: 0.2)
        // One time constant: 100 × (1 − e⁻¹) = 63.21 rpm.
        #expect(try pump.word(P.actualSpeed) == 632)
        #expect(try pump.word(P.actualFlow) == UInt16((100 * (1 - exp(-1.0)) * 8.0 / 0.1).rounded()))  // × 8 mL/rev
        #expect(try status(pump).contains(.running))
        try feed([pump], time: time, for: 2.8)
        #expect(try pump.value(P.actualSpeed) == 100.0)
        #expect(try pump.value(P.actualFlow) == 800.0)  // 100 rpm × 8000 µL/rev
        // A new calibration changes the flow at once.
        try pump.set(P.tubingCalibration, 2500)
        #expect(try pump.value(P.actualFlow) == 250.0)
        #expect(abs(pump.trueFlowRate - 250) < 1e-3)
    }

    @Test func deliveredVolumeIntegratesTheFlowExactly() throws {
        let time = ManualSimulationTime()
        let pump = try runningPump(time, rpm: 100, timeoutMs: 10000)
        try feed([pump], time: time, for: 60, every: 1)
        // 800 mL/min from t = 0 with a 0.2 s lag: 800/60 × (60 − 0.2) mL.
        let expected = 800.0 / 60 * (60 - 0.2 * (1 - exp(-300.0)))
        #expect(try pump.words(P.deliveredVolume) == RegisterWordsForTest.u32((expected / 0.1).rounded()))
        try pump.writeWord(P.command, P.CommandValue.volumeReset.rawValue)
        #expect(try pump.value(P.deliveredVolume) == 0)
        try feed([pump], time: time, for: 3, every: 1)
        #expect(try pump.value(P.deliveredVolume) == 40.0)  // 3 s at 800 mL/min
    }

    @Test func theResultDoesNotDependOnHowOftenTheDeviceIsLookedAt() throws {
        let time = ManualSimulationTime()
        let watched = try runningPump(time, rpm: 250, timeoutMs: 10000)
        let unwatched = try runningPump(time, rpm: 250, timeoutMs: 10000)
        for step in 1...300 {
            time.advance(by: 0.01)
            watched.tick()
            if step == 150 {  // a set-point change and a reversal mid-way, to both
                for pump in [watched, unwatched] {
                    try pump.set(P.speedSetpoint, 120)
                    try pump.writeWord(P.controlWord, P.ControlWord([.run, .reverse]).rawValue)
                }
            }
        }
        #expect(try watched.words(P.deliveredVolume) == unwatched.words(P.deliveredVolume))
        #expect(try watched.words(P.actualSpeed) == unwatched.words(P.actualSpeed))
        #expect(abs(watched.rotorSpeed - unwatched.rotorSpeed) < 1e-9)
    }

    @Test func aReversalPassesThroughZeroAndCountsVolumeBothWays() throws {
        let time = ManualSimulationTime()
        let pump = try runningPump(time, rpm: 100, reverse: true, timeoutMs: 10000)
        time.advance(by: 3)
        #expect(try status(pump).isSuperset(of: [.running, .reversing]))
        #expect(try pump.value(P.actualSpeed) == 100)
        #expect(pump.rotorSpeed < -99.99)
        try pump.writeWord(P.command, P.CommandValue.volumeReset.rawValue)
        try pump.writeWord(P.controlWord, P.ControlWord.run.rawValue)
        time.advance(by: 0.2 * log(2.0))  // v = 100 − 200·e^(−t/τ) crosses zero here
        #expect(try pump.word(P.actualSpeed) == 0)
        #expect(try !status(pump).contains(.running))
        time.advance(by: 1 - 0.2 * log(2.0))
        #expect(try !status(pump).contains(.reversing))
        // ∫|v| over 1 s by a fine independent sum, in mL at 8 mL/rev.
        let steps = 100_000
        var revolutions = 0.0
        for i in 0..<steps {
            let t = (Double(i) + 0.5) / Double(steps)
            revolutions += abs(100 - 200 * exp(-t / 0.2)) / Double(steps) / 60
        }
        #expect(try pump.words(P.deliveredVolume) == RegisterWordsForTest.u32((revolutions * 8 / 0.1).rounded()))
    }

    @Test func setPointsAboveMaxSpeedAreRefused() throws {
        let pump = SimulatedPump(time: ManualSimulationTime())
        #expect(throws: ModbusExceptionCode.illegalDataValue) { try pump.writeWord(P.speedSetpoint, 4001) }  // 400.1 > 400.0
        try pump.writeWord(P.speedSetpoint, 4000)
        #expect(throws: ModbusExceptionCode.illegalDataValue) { try pump.writeWord(P.maxSpeed, 3999) }
        #expect(try pump.value(P.maxSpeed) == 400)
        // Raising both in one write is judged on the result.
        try pump.write(.holding, address: P.speedSetpoint.address, values: [5000, 8000, 5500])
        #expect(try pump.value(P.speedSetpoint) == 500)
        #expect(try pump.value(P.maxSpeed) == 550)
        #expect(throws: ModbusExceptionCode.illegalDataValue) {
            try pump.write(.holding, address: P.speedSetpoint.address, values: [5600, 8000, 5500])
        }
        #expect(try pump.value(P.speedSetpoint) == 500)
    }

    @Test func aFedWatchdogKeepsThePumpRunning() throws {
        let time = ManualSimulationTime()
        let pump = try runningPump(time, rpm: 100)
        try feed([pump], time: time, for: 5, every: 0.45)
        #expect(try status(pump) == [.running])
        #expect(try pump.value(P.actualSpeed) == 100)
    }

    @Test func anUnfedWatchdogStopsThePumpAndLatchesUntilResetWithAFreshHeartbeat() throws {
        let time = ManualSimulationTime()
        let pump = try runningPump(time, rpm: 100)  // never fed: the run command was the last heartbeat
        time.advance(by: 0.5)
        #expect(try status(pump) == [.running])  // exactly the timeout is not yet more than it
        time.advance(by: 0.001)
        #expect(try status(pump) == [.watchdogExpired, .faultLatched])
        #expect(try pump.word(P.actualSpeed) == 0)
        #expect(try pump.word(P.controlWord) == 0)  // the safe state clears the run bit
        // Commanding run while latched does not run; a reset while still unfed clears nothing.
        try pump.writeWord(P.controlWord, P.ControlWord.run.rawValue)
        try pump.writeWord(P.command, P.CommandValue.faultReset.rawValue)
        time.advance(by: 0.3)
        #expect(try status(pump) == [.watchdogExpired, .faultLatched])
        #expect(pump.rotorSpeed == 0)
        // A late heartbeat alone does not clear the latch either.
        try pump.heartbeat()
        #expect(try status(pump).contains(.watchdogExpired))
        // Fed, then reset: cleared, and the still-set run bit runs the pump again.
        try pump.writeWord(P.command, P.CommandValue.faultReset.rawValue)
        #expect(try status(pump) == [])
        try feed([pump], time: time, for: 1)
        #expect(try status(pump) == [.running])
        #expect(try pump.value(P.actualSpeed) > 99)
    }

    @Test func theWatchdogTimeoutIsConfigurable() throws {
        let time = ManualSimulationTime()
        let pump = try runningPump(time, rpm: 50, timeoutMs: 2000)
        time.advance(by: 1.9)
        try pump.heartbeat()
        time.advance(by: 2.0)
        #expect(try status(pump) == [.running])
        time.advance(by: 0.01)
        #expect(try status(pump).contains(.watchdogExpired))
        // The volume stopped growing when the pump stopped, not when it was looked at.
        let delivered = try pump.value(P.deliveredVolume)
        time.advance(by: 10)
        #expect(try pump.value(P.deliveredVolume) == delivered)
        // 3.9 s at 50 rpm × 8 mL less the ramp's lag: 400/60 × (3.9 − 0.2).
        #expect(abs(delivered - 400.0 / 60 * 3.7) <= 0.05)
    }

    @Test func anOpenDoorStopsThePumpWithoutLatching() throws {
        let time = ManualSimulationTime()
        let pump = try runningPump(time, rpm: 100, timeoutMs: 10000)
        time.advance(by: 2)
        pump.doorOpen = true
        #expect(try status(pump) == [.doorOpen])
        #expect(try pump.word(P.actualSpeed) == 0)
        time.advance(by: 1)
        #expect(try pump.word(P.actualSpeed) == 0)
        pump.doorOpen = false
        time.advance(by: 2)
        #expect(try status(pump) == [.running])  // the run bit is still set: it runs again
    }

    @Test func overCurrentStopsAndLatchesUntilResetAfterTheCauseHasGone() throws {
        let time = ManualSimulationTime()
        let pump = try runningPump(time, rpm: 100, timeoutMs: 10000)
        time.advance(by: 1)
        pump.overCurrent = true
        #expect(try status(pump) == [.overCurrent, .faultLatched])
        #expect(try pump.word(P.actualSpeed) == 0)
        try pump.writeWord(P.command, P.CommandValue.faultReset.rawValue)
        #expect(try status(pump) == [.overCurrent, .faultLatched])  // cause present
        pump.overCurrent = false
        time.advance(by: 1)
        #expect(try status(pump) == [.overCurrent, .faultLatched])  // latched
        #expect(pump.rotorSpeed == 0)
        try pump.writeWord(P.command, P.CommandValue.faultReset.rawValue)
        time.advance(by: 1)
        #expect(try status(pump) == [.running])
    }

    @Test func aJammedRotorStallsAndLatches() throws {
        let time = ManualSimulationTime()
        let pump = SimulatedPump(time: time)
        try pump.writeWord(WatchdogBlock.watchdogTimeout, 10000)
        pump.rotorJammed = true
        try pump.writeWord(P.controlWord, P.ControlWord.run.rawValue)  // set-point 0: nothing commanded yet
        #expect(try status(pump) == [])
        try pump.set(P.speedSetpoint, 80)
        time.advance(by: 1)
        #expect(try status(pump) == [.stall, .faultLatched])
        #expect(try pump.word(P.actualSpeed) == 0)
        pump.rotorJammed = false
        time.advance(by: 1)
        #expect(try status(pump) == [.stall, .faultLatched])
        try pump.writeWord(P.command, P.CommandValue.faultReset.rawValue)
        time.advance(by: 2)
        #expect(try status(pump) == [.running])
    }

    @Test func occlusionAndReversedRotationAreLiveFlags() throws {
        let time = ManualSimulationTime()
        let pump = try runningPump(time, rpm: 100, timeoutMs: 10000)
        time.advance(by: 1)
        pump.occlusion = true
        pump.reversedRotation = true
        #expect(try status(pump) == [.running, .occlusion, .reversedRotation])
        pump.occlusion = false
        pump.reversedRotation = false
        #expect(try status(pump) == [.running])
    }
}

enum RegisterWordsForTest {
    static func u32(_ raw: Double) -> [UInt16] {
        let value = UInt32(raw)
        return [UInt16(value >> 16), UInt16(value & 0xFFFF)]
    }
}

@Suite struct WatchdogAtRestTests {
    typealias P = PeristalticPumpProtocol

    /// A device at rest has no safe state to fall back to: a host that connects late
    /// and starts the pump with one plain register write finds it runnable, and the
    /// watchdog then guards the run.
    @Test func aPumpAtRestNeverLatchesAndAPlainRunWriteStartsIt() throws {
        let time = ManualSimulationTime()
        let pump = SimulatedPump(time: time)
        time.advance(by: 30)
        #expect(try P.Status(rawValue: pump.word(P.status)) == [])
        try pump.set(P.speedSetpoint, 50)
        try pump.writeWord(P.controlWord, P.ControlWord.run.rawValue)
        time.advance(by: 0.4)
        #expect(P.Status(rawValue: try pump.word(P.status)).contains(.running))
        time.advance(by: 0.2)
        #expect(P.Status(rawValue: try pump.word(P.status)) == [.watchdogExpired, .faultLatched])
        #expect(pump.rotorSpeed == 0)
    }
}
