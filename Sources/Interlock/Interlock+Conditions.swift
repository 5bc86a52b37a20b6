import HardwareInterfaces

extension Interlock {
    /// Evaluates every condition of the circuit in the current phase and feeds the result
    /// through its persistence timer and latch. Idle evaluates nothing.
    mutating func evaluateConditions(notes: inout [InterlockAction]) {
        guard state.phase != .idle else { return }
        for condition in configuration.conditions {
            let holds = condition.kind.isMonitored(during: state.phase) && isPresent(condition)
            update(condition, holds: holds, notes: &notes)
        }
    }

    /// Whether `condition` holds on what is known now (before persistence).
    func isPresent(_ condition: Condition) -> Bool {
        switch condition.kind {
        case .airAtReturnLine: // SR-1
            return state.knowledge.air?.airDetected ?? false
        case .venousPressureHigh: // SR-2
            return pressure(.venous).map { $0 > configuration.limits.venousPressureHigh } ?? false
        case .venousPressureLow: // SR-3
            return pressure(.venous).map { $0 < configuration.limits.venousPressureLow } ?? false
        case .arterialPressureLow: // SR-4
            return pressure(.arterial).map { $0 < configuration.limits.arterialPressureLow } ?? false
        case .preFilterPressureHigh: // SR-5
            return pressure(.preFilter).map { $0 > configuration.limits.preFilterPressureHigh } ?? false
        case .transmembranePressureHigh: // SR-6
            return transmembranePressure.map { $0 > configuration.limits.transmembranePressureHigh } ?? false
        case .bloodLeak: // SR-7
            return state.knowledge.bloodLeak.map { $0 > configuration.limits.bloodLeak } ?? false
        case .plasmaTemperatureHigh: // SR-8: either probe
            return state.knowledge.temperatures.contains { $0 > configuration.limits.plasmaTemperatureHigh }
        case .plasmaTemperatureLow: // SR-9, alarm: the colder probe decides
            return state.knowledge.temperatures.contains { $0 < configuration.limits.plasmaTemperatureLow }
        case .plasmaTemperatureVeryLow: // SR-9, S2-warm
            // Trips when a probe falls below the very-low limit; once tripped it holds until
            // every probe has been back at or above the LOW limit for the S2 level's
            // persistence (hysteresis: the plasma is rewarmed into range before it returns to
            // the patient, not let out at the very-low limit to cool straight back).
            guard state.fault(condition) != nil else {
                return state.knowledge.temperatures.contains { $0 < configuration.limits.plasmaTemperatureVeryLow }
            }
            guard let since = state.knowledge.plasmaInRangeSince else { return true }
            return state.now - since < configuration.limits.persistence[.plasmaTemperatureVeryLow]
        case .temperatureProbesDisagree: // SR-10
            guard let a = state.knowledge.temperatureA, let b = state.knowledge.temperatureB else { return false }
            return abs(a.degreesCelsius - b.degreesCelsius) > configuration.limits.temperatureProbeDisagreement
        case .heaterElementOverTemperature: // SR-11: the element sensor or the heater's own cut-out
            guard let heater = state.knowledge.heater else { return false }
            return heater.cutOutTripped || heater.elementTemperature > configuration.limits.heaterElementHigh
        case .pumpSpeedDeviation: // SR-12
            guard let pump = condition.subject?.pump, let sample = state.knowledge.pumps[pump.index] else { return false }
            // A pump the interlock wants stopped must be still, whatever it says it was told.
            let commanded = state.knowledge.pumpStopDemandedAtSample[pump.index] ? 0 : sample.commandedSpeed.revolutionsPerMinute
            let deviation = abs(sample.measuredSpeed.revolutionsPerMinute - commanded)
            let tolerance = max(commanded * configuration.limits.tachometerDeviationPercent / 100,
                                configuration.limits.tachometerDeadband.revolutionsPerMinute)
            return deviation > tolerance
        case .pumpFirmwareFault: // SR-13
            guard let pump = condition.subject?.pump, let sample = state.knowledge.pumps[pump.index] else { return false }
            return !sample.faults.isEmpty
        case .bloodPumpStopped: // SR-14: counted from the later of the stop and the treatment start
            guard let stopped = state.knowledge.bloodPumpStoppedSince, let treatment = state.treatmentSince else { return false }
            return state.now - max(stopped, treatment) > configuration.limits.bloodPumpStopTime
        case .staleData: // SR-15; a device known gone is SR-16's, not also SR-15's
            guard let role = condition.subject, !state.knowledge[role].isLost else { return false }
            let reference = max(state.knowledge[role].lastSampleTime ?? -Double.infinity, state.monitoringSince)
            return state.now - reference > configuration.limits.staleDeadlines[role]
        case .deviceLost: // SR-16
            guard let role = condition.subject else { return false }
            return state.knowledge[role].isLost
        case .frozenSensor: // SR-17: identical samples spanning the window while the blood pump ran
            guard let role = condition.subject, let sensor = PressureSensor.allCases.first(where: { $0.deviceRole == role }),
                  let running = state.knowledge.bloodPumpRunningSince,
                  let unchanged = state.knowledge.pressureUnchangedSince[sensor.index],
                  let latest = state.knowledge[role].lastSampleTime
            else { return false }
            return latest - max(unchanged, running) >= configuration.limits.frozenSensorWindow
        case .selfTestFailed: // SR-18 is raised by the self-test result, not evaluated
            return false
        }
    }

    /// The latest reading of `sensor`.
    func pressure(_ sensor: PressureSensor) -> Pressure? { state.knowledge.pressures[sensor.index] }

    /// SR-6: TMP = (pre-filter + venous) / 2 − filtrate, when all three are known.
    var transmembranePressure: Pressure? {
        guard let preFilter = pressure(.preFilter), let venous = pressure(.venous), let filtrate = pressure(.filtrate)
        else { return nil }
        return .mmHg((preFilter.millimetersOfMercury + venous.millimetersOfMercury) / 2 - filtrate.millimetersOfMercury)
    }

    /// What was seen, for the alarm text (built only when a fault trips).
    func detail(_ condition: Condition) -> String {
        let known = state.knowledge
        switch condition.kind {
        case .airAtReturnLine: return "air detected"
        case .venousPressureHigh, .venousPressureLow: return pressure(.venous).map { "venous \($0)" } ?? ""
        case .arterialPressureLow: return pressure(.arterial).map { "arterial \($0)" } ?? ""
        case .preFilterPressureHigh: return pressure(.preFilter).map { "pre-filter \($0)" } ?? ""
        case .transmembranePressureHigh: return transmembranePressure.map { "TMP \($0)" } ?? ""
        case .bloodLeak: return known.bloodLeak.map { "blood leak \($0)" } ?? ""
        case .plasmaTemperatureHigh, .plasmaTemperatureLow, .plasmaTemperatureVeryLow, .temperatureProbesDisagree:
            return "A \(known.temperatureA.map(\.description) ?? "–"), B \(known.temperatureB.map(\.description) ?? "–")"
        case .heaterElementOverTemperature:
            guard let heater = known.heater else { return "" }
            return "element \(heater.elementTemperature)" + (heater.cutOutTripped ? ", cut-out tripped" : "")
        case .pumpSpeedDeviation:
            guard let pump = condition.subject?.pump, let sample = known.pumps[pump.index] else { return "" }
            let commanded = known.pumpStopDemandedAtSample[pump.index] ? "stop" : sample.commandedSpeed.description
            return "commanded \(commanded), measured \(sample.measuredSpeed)"
        case .pumpFirmwareFault:
            guard let pump = condition.subject?.pump, let sample = known.pumps[pump.index] else { return "" }
            return sample.faults.description
        case .bloodPumpStopped: return "blood pump stopped"
        case .staleData:
            guard let role = condition.subject else { return "" }
            return known[role].lastSampleTime.map { "latest \(role) sample \(state.now - $0) s old" } ?? "no \(role) sample"
        case .deviceLost: return condition.subject.map { known[$0].lossDetail } ?? ""
        case .frozenSensor: return condition.subject.map { "\($0) bit-identical" } ?? ""
        case .selfTestFailed: return ""
        }
    }
}
