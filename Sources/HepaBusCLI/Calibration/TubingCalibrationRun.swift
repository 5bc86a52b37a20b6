import BusRuntime
import Drivers
import FirmwareProtocols
import Foundation
import HardwareInterfaces

/// The pump run of a tubing calibration: the pump turns a number of revolutions at a
/// set speed, forward, with its host watchdog fed, and is stopped at the end on every
/// path (done, interrupted, fault, line failure). The revolutions are those the pump's
/// own tachometer counted (its delivered volume ÷ its present calibration, from a
/// volume reset), not the ones asked for: the measured volume is divided by what
/// the rotor really turned.
///
/// If the line itself fails, no stop command can arrive: the pump's host watchdog
/// (checked armed before the run) stops it once the heartbeats cease.
struct TubingCalibrationRun {
    let pump: any CalibratedPump
    let role: String
    let revolutions: Double
    let speed: RotationalSpeed
    /// The pump's calibration during the run (turns its delivered volume into revolutions).
    let calibration: TubingCalibration
    let watchdogTimeout: Duration
    /// Called with the revolutions counted so far, a few times a second.
    let progress: (Double) -> Void

    /// How often the run feeds the watchdog and reads the tachometer: well inside any
    /// watchdog timeout the pump accepts (100 ms at least).
    static let loopPeriod: Duration = .milliseconds(40)

    /// Runs the pump and stops it; returns the revolutions counted. Throws a
    /// ``CommandFailure`` (after stopping) if the run could not finish.
    func perform() async throws -> Double {
        var heartbeat: UInt16 = 0
        func feed() async throws {
            heartbeat &+= 1
            try await pump.feedWatchdog(counter: heartbeat)
        }
        var failure: CommandFailure?
        var counted = 0.0
        // Interrupted while getting ready: nothing has run yet.
        if InterruptFlag.isRaised { throw CommandFailure.device("interrupted before \(role) ran; calibration unchanged") }
        do {
            try await pump.resetVolume()
            try await pump.setSpeed(speed)
            try await feed()
            try await pump.runForward()
            // Generous: the rotor's ramp, a loaded bench machine; a pump that does not turn is caught here.
            let expected = revolutions / speed.revolutionsPerMinute * 60
            let deadline = ContinuousClock.now + .seconds(expected * 2 + 5)
            while true {
                try await Task.sleep(for: Self.loopPeriod)
                try await feed()
                let reading = try await pump.readState()
                counted = reading.deliveredVolume.milliliters / calibration.millilitersPerRevolution
                progress(counted)
                if !reading.faultNames.isEmpty {
                    failure = .device("\(role) reported \(reading.faultNames.joined(separator: ", ")) after \(Self.figure(counted)) "
                        + "revolutions; run stopped, calibration unchanged")
                    break
                }
                if InterruptFlag.isRaised {
                    failure = .device("interrupted after \(Self.figure(counted)) revolutions; \(role) stopped, calibration unchanged")
                    break
                }
                if counted >= revolutions { break }
                if ContinuousClock.now > deadline {
                    failure = .device("\(role) turned only \(Self.figure(counted)) of \(Self.figure(revolutions)) revolutions in "
                        + "\(Int(expected * 2 + 5)) s (its tachometer reads \(reading.speed)); run stopped, calibration unchanged")
                    break
                }
            }
        } catch {
            failure = .device("the calibration run of \(role) failed after \(Self.figure(counted)) revolutions: \(error); "
                + "calibration unchanged")
        }
        switch await stop() {
        case .stoppedAt(let final):
            if let failure { throw failure }
            return final
        case .notStopped(let error):
            throw CommandFailure.device((failure.map { $0.message + ". " } ?? "") + "COULD NOT STOP \(role): \(error). "
                + "Its host watchdog stops it within \(watchdogTimeout) of the last heartbeat, which this command no longer "
                + "sends: check the pump")
        case .unconfirmed(let why):
            throw CommandFailure.device((failure.map { $0.message + ". " } ?? "") + "\(role) acknowledged the stop command but "
                + "its stop is not confirmed: \(why). No heartbeat is sent any more, so its watchdog stops it within "
                + "\(watchdogTimeout) in any case: check the pump")
        }
    }

    /// How a stop ended.
    private enum StopOutcome {
        /// Still, confirmed by the tachometer: the revolutions counted at rest.
        case stoppedAt(Double)
        /// No stop command reached the pump.
        case notStopped(any Error)
        /// The pump took the stop command; its tachometer did not confirm it.
        case unconfirmed(String)
    }

    /// Stops the pump (three attempts: a stop must not be lost to one corrupted frame) and
    /// waits for its tachometer to read zero.
    private func stop() async -> StopOutcome {
        var lastError: (any Error)?
        for _ in 0..<3 {
            do {
                try await pump.stop()
                lastError = nil
                break
            } catch {
                lastError = error
            }
        }
        if let lastError { return .notStopped(lastError) }
        let deadline = ContinuousClock.now + .seconds(3)
        var latest = "the tachometer still reads a speed after 3 s"
        while ContinuousClock.now < deadline {
            do {
                let reading = try await pump.readState()
                if !reading.isRunning && reading.speed == .zero {
                    // Tidy, not safety: a stray run command would then not turn the rotor either.
                    _ = try? await pump.setSpeed(.zero)
                    return .stoppedAt(reading.deliveredVolume.milliliters / calibration.millilitersPerRevolution)
                }
                latest = "the tachometer still reads \(reading.speed) after 3 s"
            } catch {
                latest = "its state cannot be read: \(error)"
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return .unconfirmed(latest)
    }

    /// "10.02".
    static func figure(_ value: Double) -> String { String(format: "%.2f", value) }
}
