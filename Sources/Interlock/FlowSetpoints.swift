public import HardwareInterfaces

/// The operator's flow set-points, one per pump (zero until set). What a pump actually
/// runs at is the set-point only when the phase and the active faults allow it.
public struct FlowSetpoints: Hashable, Sendable {
    /// Blood pump.
    public internal(set) var blood = FlowRate.zero
    /// Plasma pump.
    public internal(set) var plasma = FlowRate.zero
    /// Recirculation pump.
    public internal(set) var recirculation = FlowRate.zero
    /// Plasma return pump.
    public internal(set) var plasmaReturn = FlowRate.zero
    /// Infusion pump.
    public internal(set) var infusion = FlowRate.zero

    /// Every set-point zero.
    public init() {}

    /// The set-point of `pump`.
    public internal(set) subscript(pump: PumpRole) -> FlowRate {
        get {
            switch pump {
            case .blood: blood
            case .plasma: plasma
            case .recirculation: recirculation
            case .plasmaReturn: plasmaReturn
            case .infusion: infusion
            }
        }
        set {
            switch pump {
            case .blood: blood = newValue
            case .plasma: plasma = newValue
            case .recirculation: recirculation = newValue
            case .plasmaReturn: plasmaReturn = newValue
            case .infusion: infusion = newValue
            }
        }
    }
}
