/// How long each condition must hold before it trips, in seconds (SAFETY.md "persistence").
///
/// The SAFETY.md figures are the defaults and the hard bounds: a persistence may be
/// shortened (down to zero, which the reaction-time benchmark uses) but never lengthened.
/// Rows whose persistence is "none" or "—" (SR-1, SR-11, SR-13…SR-18) have no field: they
/// are always immediate (their own limit, such as SR-14's 120 s, is a separate limit).
public struct PersistenceTimes: Hashable, Sendable {
    /// SR-2, 1 s.
    public var venousPressureHigh = 1.0
    /// SR-3, 1 s.
    public var venousPressureLow = 1.0
    /// SR-4, 1 s.
    public var arterialPressureLow = 1.0
    /// SR-5, 2 s.
    public var preFilterPressureHigh = 2.0
    /// SR-6, 2 s.
    public var transmembranePressureHigh = 2.0
    /// SR-7, 5 s.
    public var bloodLeak = 5.0
    /// SR-8, 1 s.
    public var plasmaTemperatureHigh = 1.0
    /// SR-9 alarm level, 60 s.
    public var plasmaTemperatureLow = 60.0
    /// SR-9 S2-warm level, 5 s: to trip, and with every probe back in range, to end.
    public var plasmaTemperatureVeryLow = 5.0
    /// SR-10, 5 s.
    public var temperatureProbesDisagree = 5.0
    /// SR-12, 2 s.
    public var pumpSpeedDeviation = 2.0

    /// The SAFETY.md persistence times.
    public init() {}

    /// The SAFETY.md persistence times, which are also the hard bounds.
    public static let safetyDefaults = PersistenceTimes()

    /// Every persistence zero: conditions trip on the first reading that shows them.
    public static let zero: PersistenceTimes = {
        var times = PersistenceTimes()
        for kind in ConditionKind.allCases where times.isConfigurable(kind) { times[kind] = 0 }
        return times
    }()

    /// Whether `kind` has a configurable persistence (a non-zero SAFETY.md figure).
    public func isConfigurable(_ kind: ConditionKind) -> Bool { Self.keyPath(kind) != nil }

    /// The persistence of `kind` in seconds; zero for the immediate kinds (setting one is ignored).
    public subscript(kind: ConditionKind) -> Double {
        get { Self.keyPath(kind).map { self[keyPath: $0] } ?? 0 }
        set { if let path = Self.keyPath(kind) { self[keyPath: path] = newValue } }
    }

    private static func keyPath(_ kind: ConditionKind) -> WritableKeyPath<PersistenceTimes, Double>? {
        switch kind {
        case .venousPressureHigh: \.venousPressureHigh
        case .venousPressureLow: \.venousPressureLow
        case .arterialPressureLow: \.arterialPressureLow
        case .preFilterPressureHigh: \.preFilterPressureHigh
        case .transmembranePressureHigh: \.transmembranePressureHigh
        case .bloodLeak: \.bloodLeak
        case .plasmaTemperatureHigh: \.plasmaTemperatureHigh
        case .plasmaTemperatureLow: \.plasmaTemperatureLow
        case .plasmaTemperatureVeryLow: \.plasmaTemperatureVeryLow
        case .temperatureProbesDisagree: \.temperatureProbesDisagree
        case .pumpSpeedDeviation: \.pumpSpeedDeviation
        default: nil
        }
    }
}
