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

    public init() {}

    /// The names the control interface's `condition NAME VALUE` takes, with what each takes.
    public static let controlNames: [(name: String, takes: String)] = [
        ("accessLineRestriction", "factor >= 1"), ("returnLineRestriction", "factor >= 1"),
        ("returnLineDisconnected", "true|false"), ("separatorClotting", "0-1"), ("bloodPathClotting", "0-1"),
        ("membraneFouling", "0-1"), ("airInReturnLine", "true|false"), ("bubbleVolume", "µL"), ("bloodLeak", "ppm"),
        ("ambientTemperature", "°C"),
    ]
}
