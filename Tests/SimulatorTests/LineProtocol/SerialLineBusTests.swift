import BusRuntime
import FirmwareProtocols
import HardwareInterfaces
import Serial
import Simulator
import Testing

/// The line bus itself, over a real pseudo-terminal to the simulated pump: gap,
/// flushing, whole lines only, timeouts, cancellation, disconnection and reopening.
@Suite(.timeLimit(.minutes(1))) struct SerialLineBusTests {
    static let heartbeat = linePumpRequest("1HB")
    static let heartbeatDone = Array("1*HB;E5\r".utf8)

    func exchange(_ bus: SerialLineBus, _ request: [UInt8], timeout: Duration = .milliseconds(400)) async throws(SerialLineError) -> [UInt8] {
        try await bus.exchange(request, terminator: AsciiPumpLineProtocol.terminator, maxReplyLength: AsciiPumpLineProtocol.maximumLineLength, timeout: timeout)
    }

    @Test func backToBackExchangesKeepTheMinimumGap() async throws {
        try await LinePumpRig.with(minimumGap: .milliseconds(50)) { (rig: LinePumpRig) async throws in
            let started = ContinuousClock.now
            for _ in 0..<5 {
                #expect(try await exchange(rig.bus, Self.heartbeat) == Self.heartbeatDone)
            }
            // Four gaps between five exchanges, none of them refused as too soon.
            #expect(ContinuousClock.now - started >= .milliseconds(200))
            #expect(rig.firmware.snapshot.counters.refusals == 0)
            #expect(await rig.bus.statistics.completed == 5)
        }
    }

    @Test func withTheSpecificationsGapThePumpIsNeverTooBusy() async throws {
        try await LinePumpRig.with { (rig: LinePumpRig) async throws in
            for _ in 0..<30 {
                #expect(try await exchange(rig.bus, Self.heartbeat) == Self.heartbeatDone)
            }
            #expect(rig.firmware.snapshot.counters.refusals == 0)
        }
    }

    /// Without the gap a host outruns the pump: the firmware's busy refusal is what the
    /// bus's gap prevents (this shows the previous test could fail).
    @Test func withoutAGapThePumpRefusesAsBusy() async throws {
        try await LinePumpRig.with(minimumGap: .zero) { (rig: LinePumpRig) async throws in
            var replies: [[UInt8]] = []
            for _ in 0..<20 { replies.append(try await exchange(rig.bus, Self.heartbeat)) }
            #expect(replies.contains(Array("1#HB05;43\r".utf8)))
        }
    }

    @Test func staleInputIsDiscardedBeforeARequest() async throws {
        try await LinePumpRig.with { (rig: LinePumpRig) async throws in
            // A reply nobody waits for: the bus must not take it for the next one's.
            rig.server.inject(.lateAnswer(.milliseconds(250)))
            let late = await lineBusFailure { () async throws(SerialLineError) in try await exchange(rig.bus, linePumpRequest("1RC"), timeout: .milliseconds(100)) }
            #expect(late?.kind == .timeout)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await exchange(rig.bus, Self.heartbeat) == Self.heartbeatDone)
        }
    }

    @Test func noWholeLineInTimeIsATimeoutNeverAPartialLine() async throws {
        try await LinePumpRig.with { (rig: LinePumpRig) async throws in
            rig.server.inject(.garbage(Array("1*HB;E".utf8)))
            let started = ContinuousClock.now
            let e = await lineBusFailure { () async throws(SerialLineError) in try await exchange(rig.bus, Self.heartbeat, timeout: .milliseconds(200)) }
            let elapsed = ContinuousClock.now - started
            #expect(e == .timeout(path: rig.server.linkPath!, received: 6))
            #expect(e?.kind == .timeout)
            #expect(elapsed >= .milliseconds(200) && elapsed < .seconds(2))
            #expect(await rig.bus.statistics.timeouts == 1)
        }
    }

    @Test func aLineWithoutTerminatorWithinTheLimitIsOverlong() async throws {
        try await LinePumpRig.with { (rig: LinePumpRig) async throws in
            rig.server.inject(.garbage(Array(repeating: UInt8(ascii: "#"), count: 100)))
            let e = await lineBusFailure { () async throws(SerialLineError) in try await exchange(rig.bus, Self.heartbeat) }
            #expect(e == .overlongReply(path: rig.server.linkPath!, limit: 40))
            #expect(e?.kind == .corruptFrame)
            #expect(try await exchange(rig.bus, Self.heartbeat) == Self.heartbeatDone)
        }
    }

    @Test func aCancelledCallerSendsNothing() async throws {
        try await LinePumpRig.with { (rig: LinePumpRig) async throws in
            let before = rig.server.statistics.lines
            let bus = rig.bus
            let task = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await bus.exchange(Self.heartbeat, terminator: 0x0D, maxReplyLength: 40, timeout: .milliseconds(400))
            }
            await #expect(throws: SerialLineError.cancelled(path: rig.server.linkPath!)) { try await task.value }
            #expect(SerialLineError.cancelled(path: "x").kind == .invalidRequest)
            try await Task.sleep(for: .milliseconds(50))
            #expect(rig.server.statistics.lines == before)
            // The line is still in step afterwards.
            #expect(try await exchange(rig.bus, Self.heartbeat) == Self.heartbeatDone)
        }
    }

    @Test func malformedExchangesAreRefusedBeforeTheWire() async throws {
        try await LinePumpRig.with { (rig: LinePumpRig) async throws in
            let empty = await lineBusFailure { () async throws(SerialLineError) in try await exchange(rig.bus, []) }
            #expect(empty?.kind == .invalidRequest)
            let noTime = await lineBusFailure { () async throws(SerialLineError) in try await exchange(rig.bus, Self.heartbeat, timeout: .zero) }
            #expect(noTime?.kind == .invalidRequest)
            #expect(rig.server.statistics.lines == 0)
        }
    }

    @Test func aVanishedLineIsDisconnectedAndTheSamePathIsReopenedOnce() async throws {
        try await LinePumpRig.with { (rig: LinePumpRig) async throws in
            #expect(try await exchange(rig.bus, Self.heartbeat) == Self.heartbeatDone)
            rig.server.unplug()
            let e = await lineBusFailure { () async throws(SerialLineError) in try await exchange(rig.bus, Self.heartbeat) }
            #expect(e?.kind == .disconnected, "\(String(describing: e))")
            #expect(await rig.bus.isOpen == false)
            try rig.server.replug()
            #expect(try await exchange(rig.bus, Self.heartbeat) == Self.heartbeatDone)
            #expect(await rig.bus.isOpen)
            #expect(await rig.bus.statistics.reopenAttempts == 1)
        }
    }

    @Test func aPortThatCannotBeOpenedIsDisconnected() async {
        let e = await lineBusFailure { () async throws(SerialLineError) in
            try await SerialLineBus(path: "/nonexistent/hepabus-line", settings: LinePumpRig.settings)
        }
        #expect(e?.kind == .disconnected)
        #expect(e?.description.contains("/nonexistent/hepabus-line") == true)
    }

    @Test func theLineIsHeldExclusively() async throws {
        try await LinePumpRig.with { (rig: LinePumpRig) async throws in
            let second = await lineBusFailure { () async throws(SerialLineError) in
                try await SerialLineBus(path: rig.server.linkPath!, settings: LinePumpRig.settings)
            }
            #expect(second?.kind == .disconnected)
            #expect(second?.description.contains("busy") == true, "\(String(describing: second))")
        }
    }
}
