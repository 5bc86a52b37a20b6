/// Physical conditions a test, a HIL scenario or the control interface imposes on
/// the simulated circuit: the hazards the interlock must catch.
public struct CircuitConditions: Sendable, Equatable, Codable {
    /// Access (arterial) line kinked: its resistance is multiplied by this (1 = open).
    public var accessLineRestriction: Double = 1
    /// Return (venous) line occluded: its resistance is multiplied by this (1 = open).
    public var returnLineRestriction: Double = 1
    /// Return needle out (disconnection): venous pressure falls to the open-line value.
    public var returnLineDisconnected = false
    /// Plasma separator clotting, 0 (clean) to 1 (badly clotted): raises pre-filter
    /// pressure and transmembrane pressure.
    public var separatorClotting: Double = 0
    /// Clots in the separator's blood path (header and fibre inlets), 0 to 1: the blood-side
    /// resistance rises up to five-fold, so the pre-filter pressure rises (SR-5) while the
    /// membrane stays clear (the transmembrane pressure does not change).
    public var bloodPathClotting: Double = 0
    /// Protein fouling of the separator membrane, 0 to 1: the membrane's resistance rises up
    /// to seven-fold, so the transmembrane pressure rises (SR-6) with the blood path clear.
    public var membraneFouling: Double = 0
    /// Air in the return line at the air detector.
    public var airInReturnLine = false
    /// Bubble volume reported when air passes, in µL.
    public var bubbleVolumeMicroliters: Double = 50
    /// Blood leaking into the plasma, as haemoglobin equivalent in ppm.
    public var bloodLeakPartsPerMillion: Double = 0
    /// Ambient temperature, °C: where the plasma drifts without heating.
    public var ambientTemperature: Double = 24

    /// A healthy circuit: lines clear, no clotting, no air, no leak, a 24 °C room.
    public init() {}

    /// The names the control interface's `condition NAME VALUE` takes, with what each takes.
    public static let controlNames: [(name: String, takes: String)] = [
        ("accessLineRestriction", "factor >= 1"), ("returnLineRestriction", "factor >= 1"),
        ("returnLineDisconnected", "true|false"), ("separatorClotting", "0-1"), ("bloodPathClotting", "0-1"),
        ("membraneFouling", "0-1"), ("airInReturnLine", "true|false"), ("bubbleVolume", "µL"), ("bloodLeak", "ppm"),
        ("ambientTemperature", "°C"),
    ]

    /// Sets the condition `name` in `c` from text, or says what is wrong with the name or
    /// the value. Static, so a scenario can be checked against it before any simulator runs.
    public static func apply(_ name: String, _ value: String, to c: inout CircuitConditions) throws {
        func number() throws -> Double {
            guard let v = Double(value), v.isFinite else { throw SimulatorError("condition \(name): '\(value)' is not a number") }
            return v
        }
        func flag() throws -> Bool {
            switch value.lowercased() {
            case "true", "1", "on", "yes": return true
            case "false", "0", "off", "no": return false
            default: throw SimulatorError("condition \(name): '\(value)' is not true/false")
            }
        }
        func fraction() throws -> Double {
            let v = try number()
            guard (0...1).contains(v) else { throw SimulatorError("condition \(name): \(v) is outside 0-1") }
            return v
        }
        switch name {
        case "accessLineRestriction": c.accessLineRestriction = max(1, try number())
        case "returnLineRestriction": c.returnLineRestriction = max(1, try number())
        case "returnLineDisconnected": c.returnLineDisconnected = try flag()
        case "separatorClotting": c.separatorClotting = try fraction()
        case "bloodPathClotting": c.bloodPathClotting = try fraction()
        case "membraneFouling": c.membraneFouling = try fraction()
        case "airInReturnLine": c.airInReturnLine = try flag()
        case "bubbleVolume": c.bubbleVolumeMicroliters = max(0, try number())
        case "bloodLeak": c.bloodLeakPartsPerMillion = max(0, try number())
        case "ambientTemperature": c.ambientTemperature = try number()
        default:
            throw SimulatorError("unknown condition '\(name)' (\(controlNames.map(\.name).joined(separator: ", ")))")
        }
    }
}
