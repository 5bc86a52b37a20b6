/// SR-15: how old each device's latest reading may be, in seconds.
///
/// SAFETY.md: three poll periods, at most 300 ms for pressures and air. The defaults are
/// the hard bounds (``HardBounds/staleDeadlineMaximum(for:)``); set the real poll periods
/// with ``setPollPeriod(_:for:)`` to tighten them.
public struct StaleDeadlines: Hashable, Sendable {
    private var seconds: [Double]

    /// The hard bounds as deadlines.
    public init() { seconds = DeviceRole.allCases.map(HardBounds.staleDeadlineMaximum(for:)) }

    /// The hard bounds as deadlines.
    public static let hardBounds = StaleDeadlines()

    /// The deadline of `role`'s readings, in seconds.
    public subscript(role: DeviceRole) -> Double {
        get { seconds[role.index] }
        set { seconds[role.index] = newValue }
    }

    /// Sets `role`'s deadline to three poll periods (SR-15). Validation refuses a period
    /// whose three periods exceed the hard bound.
    public mutating func setPollPeriod(_ period: Double, for role: DeviceRole) {
        self[role] = 3 * period
    }
}
