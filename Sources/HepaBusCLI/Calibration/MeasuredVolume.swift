import Circuit
import Foundation
import HardwareInterfaces

/// The volume a technician measured in a graduated cylinder after a calibration run,
/// and the tubing calibration it gives. A figure that cannot be right is refused with
/// the arithmetic shown, so a slip (mL typed as L, a missed digit, the wrong cylinder)
/// never reaches the pump.
enum MeasuredVolume {
    /// What the pump's calibration register can hold (µL/rev 100…20 000).
    static let storable = 0.1...20.0
    /// The largest difference from the tubing's nominal figure a run may find: tubing of
    /// one size differs by a few percent between batches and with wear, not by a fifth.
    /// The same bound under which a treatment keeps a pump's stored calibration.
    static let largestChange = CircuitRuntime.calibrationTolerance

    /// The volumes any run can deliver: 1 revolution of the thinnest tubing a pump can hold
    /// (0.1 mL/rev) to 100 revolutions of the widest (20 mL/rev). Anything outside is a slip.
    static let plausible = storable.lowerBound * 1...storable.upperBound * 100

    /// Parses what was typed: a number of millilitres ("86", "86.4", "86.4 mL") within
    /// ``plausible``; the refusal names the value and the range.
    static func parse(_ text: String) -> Result<Double, Refusal> {
        let typed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        var trimmed = typed.lowercased()
        if trimmed.hasSuffix("ml") { trimmed = String(trimmed.dropLast(2)).trimmingCharacters(in: .whitespaces) }
        let range = "\(figure(plausible.lowerBound))-\(figure(plausible.upperBound)) mL"
        guard let value = Double(trimmed) else { return .failure(Refusal("'\(typed)' is not a number of mL (allowed \(range))")) }
        guard value.isFinite, plausible.contains(value) else {
            return .failure(Refusal("'\(typed)' mL is outside \(range), the volumes 1-100 revolutions can deliver"))
        }
        return .success(value)
    }

    /// The calibration `volume` over `revolutions` gives, or why it cannot be right.
    /// `nominal` is what the tubing should deliver (the circuit file's figure, else the
    /// pump's present calibration), and `source` says which it is.
    static func calibration(volume: Double, revolutions: Double, nominal: TubingCalibration,
                            source: String) -> Result<TubingCalibration, Refusal> {
        guard volume.isFinite, volume > 0 else { return .failure(Refusal("the measured volume must be a positive number of mL")) }
        guard revolutions > 0 else { return .failure(Refusal("the pump turned no revolution")) }
        let perRevolution = volume / revolutions
        let arithmetic = "\(figure(volume)) mL over \(String(format: "%.2f", revolutions)) revolutions is \(String(format: "%.3f", perRevolution)) mL/rev"
        guard storable.contains(perRevolution) else {
            return .failure(Refusal("\(arithmetic), outside the \(figure(storable.lowerBound))-\(figure(storable.upperBound)) mL/rev "
                + "a pump can hold: check the measurement (mL, not L or µL)"))
        }
        let change = perRevolution / nominal.millilitersPerRevolution - 1
        guard abs(change) <= largestChange else {
            return .failure(Refusal("\(arithmetic), \(String(format: "%+.0f", change * 100)) % from \(source) "
                + "\(nominal): that is not this tubing; re-measure (if tubing of another size is fitted, put its nominal "
                + "mL/rev in the circuit file first)"))
        }
        return .success(TubingCalibration(millilitersPerRevolution: perRevolution))
    }

    /// Why a measured volume was refused.
    struct Refusal: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// A figure for people; never traps (a value no Int holds prints as %g).
    static func figure(_ value: Double) -> String {
        value.isFinite && value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%g", value)
    }
}
