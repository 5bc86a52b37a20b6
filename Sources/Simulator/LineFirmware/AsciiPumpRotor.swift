import FirmwareProtocols

/// The simulated pump's mechanics and settings, advanced exactly between instants: the
/// actual speed ramps at the specified acceleration, the delivered volume is the
/// integral of the speed times the tubing calibration, and a running rotor stops by
/// itself (latching `watchdogExpired`) the moment more than the watchdog timeout has
/// passed since the last heartbeat or start.
struct AsciiPumpRotor: Sendable {
    typealias Spec = AsciiPumpLineProtocol

    /// Commanded to run.
    var running = false
    var direction = Spec.defaultDirection
    /// Set-point in 0.1 rpm.
    var setpointRaw = Spec.speedSetpoint.defaultRaw ?? 0
    /// Tachometer speed, rpm.
    var actualRPM = 0.0
    var doorOpen = false
    var faults: Spec.Faults = []
    /// µL per revolution.
    var calibrationRaw = Spec.tubingCalibration.defaultRaw ?? 8000
    var volumeMicroliters = 0.0
    /// Milliseconds.
    var watchdogTimeoutRaw = Spec.watchdogTimeout.defaultRaw ?? 500
    /// When the watchdog was last fed.
    var lastFeed: Duration = .zero
    /// The instant the state describes.
    var updatedTo: Duration = .zero

    /// The largest volume the delivered-volume field can report, in µL.
    static let volumeLimitMicroliters = Double(Spec.deliveredVolume.rawRange.upperBound) * Spec.deliveredVolume.scale * 1000

    /// Brings the state up to `now`, the watchdog first.
    mutating func advance(to now: Duration) {
        guard now > updatedTo else { return }
        if running {
            let expiry = lastFeed + .milliseconds(watchdogTimeoutRaw)
            if expiry < now {
                move(for: expiry - updatedTo)
                updatedTo = expiry
                halt(latching: .watchdogExpired)
            }
        }
        move(for: now - updatedTo)
        updatedTo = now
    }

    /// Stops the rotor at once (no ramp down), latching `fault` if given.
    mutating func halt(latching fault: Spec.Faults = []) {
        running = false
        actualRPM = 0
        faults.formUnion(fault)
    }

    /// Starts (or keeps) the rotor running and feeds the watchdog.
    mutating func run(at now: Duration) {
        running = true
        lastFeed = now
    }

    var setpointRPM: Double { Spec.speedSetpoint.value(raw: setpointRaw) }

    /// Ramps the actual speed toward its target for `interval`, adding the volume moved.
    private mutating func move(for interval: Duration) {
        let dt = Self.seconds(interval)
        guard dt > 0 else { return }
        let target = running ? setpointRPM : 0
        let acceleration = Spec.rotorAcceleration
        let difference = target - actualRPM
        let rampTime = abs(difference) / acceleration
        var revolutions: Double
        if rampTime >= dt {
            let end = actualRPM + (difference > 0 ? acceleration : -acceleration) * dt
            revolutions = (actualRPM + end) / 2 * dt / 60
            actualRPM = end
        } else {
            revolutions = (actualRPM + target) / 2 * rampTime / 60 + target * (dt - rampTime) / 60
            actualRPM = target
        }
        revolutions = max(0, revolutions)
        volumeMicroliters = min(volumeMicroliters + revolutions * Double(calibrationRaw), Self.volumeLimitMicroliters)
    }

    /// The status fields as the firmware reports them (rounded to their resolution).
    var actualSpeedRaw: Int {
        min(max(Int((actualRPM / Spec.actualSpeed.scale).rounded()), 0), Spec.actualSpeed.rawRange.upperBound)
    }

    /// The delivered volume in 0.1 mL, whole tenths delivered (never rounded up).
    var volumeRaw: Int {
        min(Int((volumeMicroliters / 1000 / Spec.deliveredVolume.scale + 1e-9).rounded(.down)), Spec.deliveredVolume.rawRange.upperBound)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (s, a) = duration.components
        return Double(s) + Double(a) * 1e-18
    }
}
