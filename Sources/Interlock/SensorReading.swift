public import HardwareInterfaces

/// A fresh reading of one device, as the supervisor decoded it.
public enum SensorReading: Hashable, Sendable {
    /// A pressure (SR-2…SR-6, SR-17).
    case pressure(PressureSensor, Pressure)
    /// A plasma temperature probe (SR-8, SR-9, SR-10).
    case plasmaTemperature(TemperatureProbe, Temperature)
    /// The heater's element temperature and cut-out (SR-11).
    case heater(HeaterSample)
    /// The air detector and the clamp feedback (SR-1).
    case airDetector(AirDetectorSample)
    /// The blood-leak detector (SR-7).
    case bloodLeak(Concentration)
    /// A pump's commanded and measured speed and its fault bits (SR-12, SR-13, SR-14).
    case pump(PumpRole, PumpSample)

    /// The device the reading comes from.
    public var role: DeviceRole {
        switch self {
        case .pressure(let sensor, _): sensor.deviceRole
        case .plasmaTemperature(let probe, _): probe.deviceRole
        case .heater: .plasmaHeater
        case .airDetector: .airDetector
        case .bloodLeak: .bloodLeakDetector
        case .pump(let pump, _): pump.deviceRole
        }
    }

    /// Every number in the reading is finite. A NaN or infinite value is not a reading:
    /// it counts as a failed transaction (SR-16) and changes no knowledge.
    var isFinite: Bool {
        switch self {
        case .pressure(_, let value): value.millimetersOfMercury.isFinite
        case .plasmaTemperature(_, let value): value.degreesCelsius.isFinite
        case .heater(let sample): sample.elementTemperature.degreesCelsius.isFinite
        case .airDetector: true
        case .bloodLeak(let value): value.partsPerMillion.isFinite
        case .pump(_, let sample):
            sample.commandedSpeed.revolutionsPerMinute.isFinite && sample.measuredSpeed.revolutionsPerMinute.isFinite
        }
    }
}
