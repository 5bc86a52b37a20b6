import BusRuntime
import Drivers
import FirmwareProtocols
import HardwareInterfaces

/// What a tubing calibration needs of a pump, whatever its protocol: the Modbus
/// peristaltic pumps and the RS-232 line-protocol pump (the heparin pump) alike.
protocol CalibratedPump: Sendable {
    /// The step in which the pump counts its delivered volume: what limits how finely a
    /// run's revolutions are known.
    var volumeStep: Volume { get }
    func identify() async throws
    func readCalibration() async throws -> TubingCalibration
    func writeCalibration(_ calibration: TubingCalibration) async throws
    /// The highest speed the pump accepts, if it says (the line protocol's limit is its field's range).
    func readMaxSpeed() async throws -> RotationalSpeed?
    func readWatchdogTimeout() async throws -> Duration
    func readState() async throws -> CalibratedPumpState
    func faultReset() async throws
    func resetVolume() async throws
    func setSpeed(_ speed: RotationalSpeed) async throws
    func feedWatchdog(counter: UInt16) async throws
    /// Runs forward (the treatment direction).
    func runForward() async throws
    func stop() async throws
}

/// A pump's state as a calibration run watches it.
struct CalibratedPumpState {
    var isRunning: Bool
    var speed: RotationalSpeed
    /// Since the last volume reset, by the pump's own count (tachometer × its calibration).
    var deliveredVolume: Volume
    /// Faults, latched or live, by their specification names (an open door included).
    var faultNames: [String]
}

/// A Modbus peristaltic pump (firmware-protocols/peristaltic-pump.yaml).
struct ModbusCalibratedPump: CalibratedPump {
    let driver: PeristalticPumpDriver<ModbusDevice>

    var volumeStep: Volume { .mL(PeristalticPumpProtocol.deliveredVolume.scale) }
    func identify() async throws { _ = try await driver.identify() }
    func readCalibration() async throws -> TubingCalibration { try await driver.readCalibration() }
    func writeCalibration(_ calibration: TubingCalibration) async throws { try await driver.writeCalibration(calibration) }
    func readMaxSpeed() async throws -> RotationalSpeed? { try await driver.readMaxSpeed() }
    func readWatchdogTimeout() async throws -> Duration { try await driver.readWatchdogTimeout() }
    func readState() async throws -> CalibratedPumpState {
        let r = try await driver.read()
        return CalibratedPumpState(isRunning: r.isRunning, speed: r.actualSpeed, deliveredVolume: r.deliveredVolume, faultNames: r.faultNames)
    }
    func faultReset() async throws { try await driver.faultReset() }
    func resetVolume() async throws { try await driver.resetVolume() }
    func setSpeed(_ speed: RotationalSpeed) async throws { try await driver.setSpeed(speed) }
    func feedWatchdog(counter: UInt16) async throws { try await driver.feedWatchdog(counter: counter) }
    func runForward() async throws { try await driver.run(direction: .forward) }
    func stop() async throws { try await driver.stop() }
}

/// A line-protocol pump on its own RS-232 line (firmware-protocols/ascii-pump.yaml).
struct LineCalibratedPump: CalibratedPump {
    let driver: AsciiPumpDriver<SerialLineBus>

    var volumeStep: Volume { .mL(AsciiPumpLineProtocol.deliveredVolume.scale) }
    func identify() async throws { _ = try await driver.identify() }
    func readCalibration() async throws -> TubingCalibration { try await driver.readCalibration() }
    func writeCalibration(_ calibration: TubingCalibration) async throws { _ = try await driver.setCalibration(calibration) }
    func readMaxSpeed() async throws -> RotationalSpeed? { nil }
    func readWatchdogTimeout() async throws -> Duration { try await driver.readWatchdogTimeout() }
    func readState() async throws -> CalibratedPumpState {
        let s = try await driver.readStatus()
        let volume = try await driver.readDeliveredVolume()
        return CalibratedPumpState(isRunning: s.isRunning, speed: s.actualSpeed, deliveredVolume: volume,
                                   faultNames: (s.isDoorOpen ? ["doorOpen"] : []) + s.faultNames)
    }
    func faultReset() async throws { try await driver.resetFaults() }
    func resetVolume() async throws { try await driver.resetDeliveredVolume() }
    func setSpeed(_ speed: RotationalSpeed) async throws { try await driver.setSpeed(speed) }
    func feedWatchdog(counter: UInt16) async throws { try await driver.heartbeat() }
    func runForward() async throws {
        try await driver.setDirection(.clockwise)
        try await driver.start()
    }
    func stop() async throws { try await driver.stop() }
}
