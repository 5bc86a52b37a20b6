import HardwareInterfaces

extension Interlock {
    /// Records a fresh reading: the device answered (SR-15, SR-16), and its values become
    /// the knowledge the conditions read.
    mutating func record(_ reading: SensorReading, sampledAt time: Double, notes: inout [InterlockAction]) {
        let role = reading.role
        guard configuration.has(role) else {
            notes.append(.eventIgnored(.roleAbsent(role)))
            return
        }
        if let latest = state.knowledge[role].lastSampleTime, time < latest {
            notes.append(.eventIgnored(.sampleOutOfOrder(role)))
            return
        }
        advanceClock(to: time)
        // A NaN or infinite value is a failed transaction, not knowledge.
        guard reading.isFinite else {
            recordFailure(of: role, kind: .implausibleValue, notes: &notes)
            return
        }
        state.knowledge[role].lastSampleTime = time
        state.knowledge[role].consecutiveFailures = 0
        state.knowledge[role].isLost = false
        state.knowledge[role].lossDetail = ""

        switch reading {
        case .pressure(let sensor, let pressure):
            let index = sensor.index
            let same = state.knowledge.pressures[index].map {
                $0.millimetersOfMercury.bitPattern == pressure.millimetersOfMercury.bitPattern
            } ?? false
            // SR-17: bit-identical means the same bits, not merely equal values.
            if !same { state.knowledge.pressureUnchangedSince[index] = time }
            state.knowledge.pressures[index] = pressure
        case .plasmaTemperature(.a, let temperature):
            state.knowledge.temperatureA = temperature
            notePlasmaRange(at: time)
        case .plasmaTemperature(.b, let temperature):
            state.knowledge.temperatureB = temperature
            notePlasmaRange(at: time)
        case .heater(let sample):
            state.knowledge.heater = sample
        case .airDetector(let sample):
            state.knowledge.air = sample
        case .bloodLeak(let concentration):
            state.knowledge.bloodLeak = concentration
        case .pump(let pump, let sample):
            state.knowledge.pumps[pump.index] = sample
            state.knowledge.pumpStopDemandedAtSample[pump.index] =
                state.knowledge.pumpStopDemandedSince[pump.index].map { time > $0 } ?? false
            if pump == .blood {
                if sample.measuredSpeed > configuration.limits.tachometerDeadband {
                    state.knowledge.bloodPumpStoppedSince = nil
                    if state.knowledge.bloodPumpRunningSince == nil { state.knowledge.bloodPumpRunningSince = time }
                } else {
                    state.knowledge.bloodPumpRunningSince = nil
                    if state.knowledge.bloodPumpStoppedSince == nil { state.knowledge.bloodPumpStoppedSince = time }
                }
            }
        }
    }

    /// SR-16: counts a failed transaction. `disconnected` means gone at once; a wrong
    /// identity means gone for good (fault); any other kind counts toward the limit of
    /// consecutive failures.
    mutating func recordFailure(of role: DeviceRole, kind: HardwareErrorKind, notes: inout [InterlockAction]) {
        guard configuration.has(role) else {
            notes.append(.eventIgnored(.roleAbsent(role)))
            return
        }
        switch kind {
        case .disconnected:
            recordLoss(of: role, detail: "disconnected", notes: &notes)
        case .identityMismatch:
            declareUnrecoverable(role, detail: "identity mismatch: not the device configured", notes: &notes)
        default:
            var device = state.knowledge[role]
            device.consecutiveFailures += 1
            if device.consecutiveFailures >= configuration.limits.consecutiveFailures, !device.isLost {
                device.isLost = true
                device.lossDetail = "\(device.consecutiveFailures) consecutive failures (last: \(kind.rawValue))"
            }
            state.knowledge[role] = device
        }
    }

    /// SR-16: the device is gone until it answers again.
    mutating func recordLoss(of role: DeviceRole, detail: String, notes: inout [InterlockAction]) {
        guard configuration.has(role) else {
            notes.append(.eventIgnored(.roleAbsent(role)))
            return
        }
        state.knowledge[role].isLost = true
        state.knowledge[role].lossDetail = detail
    }

    /// The device is gone for good: SR-16 is raised whatever the phase, and the machine
    /// goes to fault.
    mutating func declareUnrecoverable(_ role: DeviceRole, detail: String, notes: inout [InterlockAction]) {
        guard configuration.has(role) else {
            notes.append(.eventIgnored(.roleAbsent(role)))
            return
        }
        recordLoss(of: role, detail: detail, notes: &notes)
        raiseDirectly(.deviceLost(role), detail: detail, notes: &notes)
        enterFault()
    }

    /// SR-9's S2 level ends once every probe of the circuit is back at or above the low
    /// limit: starts (or stops) the time it has been so.
    mutating func notePlasmaRange(at time: Double) {
        let probes: [(DeviceRole, Temperature?)] = [(.plasmaTemperatureA, state.knowledge.temperatureA),
                                                     (.plasmaTemperatureB, state.knowledge.temperatureB)]
        let inRange = probes.allSatisfy { role, reading in
            !configuration.has(role) || reading.map { $0 >= configuration.limits.plasmaTemperatureLow } == true
        }
        if !inRange {
            state.knowledge.plasmaInRangeSince = nil
        } else if state.knowledge.plasmaInRangeSince == nil {
            state.knowledge.plasmaInRangeSince = time
        }
    }
}
