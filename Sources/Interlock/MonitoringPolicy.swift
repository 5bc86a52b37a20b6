extension ConditionKind {
    /// Whether the interlock evaluates this kind during `phase`.
    ///
    /// Outside its phases a condition reads as absent (so a non-latching alarm ends and a
    /// latched one counts as cleared). Why each row is where it is:
    ///
    /// | kind | selfTest, fault | priming | ready | treating | paused | ending |
    /// |---|---|---|---|---|---|---|
    /// | SR-1 air, SR-3 venous low | | | | x | x | |
    /// | SR-2, SR-4, SR-5, SR-6, SR-7, SR-8, SR-10 | | x | x | x | x | x |
    /// | SR-9 temperature low, SR-14 blood pump stopped | | | | x | x | |
    /// | SR-11, SR-12, SR-13, SR-15, SR-16, SR-17 | x | x | x | x | x | x |
    ///
    /// - The self-test runs on a dry or unprimed circuit and may pressure-test the lines:
    ///   only the equipment's own conditions apply there.
    /// - Air (SR-1) and disconnection (SR-3) are patient conditions: before the patient is
    ///   connected the return line ends in a waste bag (air and zero pressure are normal);
    ///   at the end the operator disconnects on purpose. Priming cannot finish and
    ///   treatment cannot start while the air detector reports air (command gating).
    /// - SR-9 and SR-14 say "during treatment": priming fluid starts cold and the blood
    ///   pump is meant to be stopped before and after.
    /// - Fault holds everything off whatever happens, so only the equipment's own
    ///   conditions are still watched (an alarm shown there still tells whether its
    ///   condition holds); patient conditions read as absent, as at the end of a treatment.
    /// - Idle watches nothing. SR-18 is raised by the self-test result.
    public func isMonitored(during phase: TreatmentPhase) -> Bool {
        switch phase {
        case .idle:
            return false
        case .selfTest, .fault:
            switch self {
            case .heaterElementOverTemperature, .pumpSpeedDeviation, .pumpFirmwareFault,
                 .staleData, .deviceLost, .frozenSensor:
                return true
            default:
                return false
            }
        case .priming, .ready, .ending:
            switch self {
            case .airAtReturnLine, .venousPressureLow, .plasmaTemperatureLow, .plasmaTemperatureVeryLow,
                 .bloodPumpStopped, .selfTestFailed:
                return false
            default:
                return true
            }
        case .treating, .paused:
            return self != .selfTestFailed
        }
    }
}
