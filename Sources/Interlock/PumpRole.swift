/// The pumps of the circuit, by what they move.
///
/// Only the blood pump is on the blood side: a fault of the blood pump puts the patient
/// in S1, a fault of any other pump only bypasses the plasma side (S2) (SR-12, SR-13).
public enum PumpRole: Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// The blood pump (arterial line).
    case blood
    /// The plasma pump (separator filtrate).
    case plasma
    /// The bioreactor recirculation pump.
    case recirculation
    /// The pump returning treated plasma to the blood line.
    case plasmaReturn
    /// The pump delivering a cell suspension into the patient's vein (cell infusion).
    case infusion

    /// The device role of this pump.
    public var deviceRole: DeviceRole {
        switch self {
        case .blood: .bloodPump
        case .plasma: .plasmaPump
        case .recirculation: .recirculationPump
        case .plasmaReturn: .plasmaReturnPump
        case .infusion: .infusionPump
        }
    }

    /// The pump moves blood, or pushes into the patient's vein (S1 on its faults), rather
    /// than plasma (S2).
    public var isBloodSide: Bool { self == .blood || self == .infusion }

    /// A dense index (0..<5) for fixed-size per-pump storage.
    var index: Int {
        switch self {
        case .blood: 0
        case .plasma: 1
        case .recirculation: 2
        case .plasmaReturn: 3
        case .infusion: 4
        }
    }

    /// The role name of the pump's device.
    public var description: String { deviceRole.rawValue }
}
