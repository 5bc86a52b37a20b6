import CircuitConfiguration

/// How far a cell infusion has come: the volume the dose needs (cells per kilogram ×
/// body weight ÷ cells per millilitre) and the volume the infusion pump has delivered
/// since the treatment started, from its own delivered-volume counter.
public struct InfusionProgress: Sendable, Equatable, CustomStringConvertible {
    /// The volume that delivers the prescribed dose, mL.
    public var targetMilliliters: Double
    /// Delivered since the treatment started, mL.
    public var deliveredMilliliters: Double
    /// Cells per millilitre of suspension.
    public var cellsPerMilliliter: Double
    /// Body weight, kg.
    public var patientWeightKilograms: Double

    /// Cells delivered per kilogram of body weight so far.
    public var cellsPerKilogramDelivered: Double { deliveredMilliliters * cellsPerMilliliter / patientWeightKilograms }
    /// The dose has been delivered.
    public var isComplete: Bool { deliveredMilliliters >= targetMilliliters }
    /// What is left to deliver, mL (zero once complete).
    public var remainingMilliliters: Double { max(0, targetMilliliters - deliveredMilliliters) }

    public var description: String {
        let cells = cellsPerKilogramDelivered
        return "\(String(format: "%.3f", deliveredMilliliters)) of \(String(format: "%.3f", targetMilliliters)) mL"
            + " (\(String(format: "%.3g", cells)) cells/kg)"
    }
}

/// Counts the infusion pump's delivered volume from the start of the treatment.
///
/// The pump's counter is read as increments between samples, so a counter that restarts
/// (a device reset, a volume reset, a replugged pump) neither loses what was delivered
/// before nor counts it twice: a drop is taken as a restart from zero. Any error this
/// makes counts more, never less, than was delivered: the infusion stops early rather
/// than overdose.
struct InfusionDose: Sendable {
    let plan: CircuitConfiguration.InfusionPlan
    private(set) var delivered = 0.0
    private var lastCounter: Double?
    private(set) var counting = false

    init(plan: CircuitConfiguration.InfusionPlan) { self.plan = plan }

    var progress: InfusionProgress {
        InfusionProgress(targetMilliliters: plan.doseVolumeMilliliters, deliveredMilliliters: delivered,
                         cellsPerMilliliter: plan.cellsPerMilliliter, patientWeightKilograms: plan.patientWeightKilograms)
    }

    /// From now on, every millilitre the pump delivers counts toward the dose.
    mutating func startCounting() { counting = true }

    /// One reading of the pump's counter (mL).
    mutating func observe(counter: Double) {
        guard counter.isFinite else { return }
        defer { lastCounter = counter }
        guard counting, let last = lastCounter else { return }
        delivered += counter >= last ? counter - last : counter
    }
}
