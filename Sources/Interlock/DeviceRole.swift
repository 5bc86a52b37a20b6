/// A device's place in the extracorporeal circuit.
///
/// The raw values are the role names the simulator layouts and the udev rules use
/// (`bloodPump`, `venousPressure`…), so a supervisor can map a configured device to
/// its role by name.
public enum DeviceRole: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// The blood pump on the arterial (access) line: the only pump on the blood side.
    case bloodPump
    /// The pump drawing plasma from the plasma separator.
    case plasmaPump
    /// The pump circulating plasma through the bioreactor loop.
    case recirculationPump
    /// The pump returning treated plasma to the blood line.
    case plasmaReturnPump
    /// Pressure on the arterial (access) line, before the blood pump.
    case arterialPressure
    /// Pressure before the plasma separator (pre-filter).
    case preFilterPressure
    /// Pressure on the venous (return) line.
    case venousPressure
    /// Pressure on the filtrate (plasma) side of the separator.
    case filtratePressure
    /// The first of the two redundant plasma temperature probes.
    case plasmaTemperatureA
    /// The second of the two redundant plasma temperature probes.
    case plasmaTemperatureB
    /// The plasma heater, with its own element sensor and over-temperature cut-out.
    case plasmaHeater
    /// The air detector at the return line, the module that also drives the return-line clamp.
    case airDetector
    /// The blood-leak detector on the plasma line.
    case bloodLeakDetector
    /// The pump delivering a cell suspension into the patient's vein (cell infusion).
    case infusionPump

    /// A dense index (0..<14) for fixed-size per-role storage.
    var index: Int {
        switch self {
        case .bloodPump: 0
        case .plasmaPump: 1
        case .recirculationPump: 2
        case .plasmaReturnPump: 3
        case .arterialPressure: 4
        case .preFilterPressure: 5
        case .venousPressure: 6
        case .filtratePressure: 7
        case .plasmaTemperatureA: 8
        case .plasmaTemperatureB: 9
        case .plasmaHeater: 10
        case .airDetector: 11
        case .bloodLeakDetector: 12
        case .infusionPump: 13
        }
    }

    /// The device is an actuator (pump, heater, clamp module): it has a host watchdog the
    /// self-test must find armed (SR-18).
    public var isActuator: Bool {
        switch self {
        case .bloodPump, .plasmaPump, .recirculationPump, .plasmaReturnPump, .infusionPump, .plasmaHeater, .airDetector: true
        default: false
        }
    }

    /// The pump this role is, if it is one.
    public var pump: PumpRole? {
        switch self {
        case .bloodPump: .blood
        case .plasmaPump: .plasma
        case .recirculationPump: .recirculation
        case .plasmaReturnPump: .plasmaReturn
        case .infusionPump: .infusion
        default: nil
        }
    }

    /// The role name.
    public var description: String { rawValue }
}
