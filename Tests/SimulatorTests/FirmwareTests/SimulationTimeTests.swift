import FirmwareProtocols
import Simulator
import Synchronization
import Testing

@Suite struct SimulationTimeTests {
    @Test func manualTimeNeverRunsBackwards() {
        let time = ManualSimulationTime(start: 5)
        time.advance(by: -1)
        time.set(to: 2)
        #expect(time.now == 5)
        time.set(to: 7.5)
        time.advance(by: 0.5)
        #expect(time.now == 8)
    }

    @Test func aDeviceIgnoresASourceThatStepsBack() throws {
        typealias P = PeristalticPumpProtocol
        let seconds = Mutex(0.0)
        let pump = SimulatedPump(time: ClosureSimulationTime { seconds.withLock { $0 } })
        try pump.writeWord(WatchdogBlock.watchdogTimeout, 10000)
        try pump.set(P.speedSetpoint, 100)
        try pump.writeWord(P.controlWord, P.ControlWord.run.rawValue)
        seconds.withLock { $0 = 3 }
        let delivered = try pump.words(P.deliveredVolume)
        seconds.withLock { $0 = 1 }  // a step back: nothing is undone or replayed
        #expect(try pump.words(P.deliveredVolume) == delivered)
        seconds.withLock { $0 = 3 }
        #expect(try pump.words(P.deliveredVolume) == delivered)
    }
}
