import CircuitConfiguration
import Drivers
import HardwareInterfaces
import Interlock

/// How the circuit's roles, readings and limits translate into the interlock's terms.
enum InterlockMapping {
    /// The interlock device roles a circuit role stands for (a temperature sensor is two probes).
    static func deviceRoles(_ role: CircuitRole) -> [DeviceRole] {
        switch role {
        case .bloodPump: [.bloodPump]
        case .plasmaPump: [.plasmaPump]
        case .recirculationPump: [.recirculationPump]
        case .arterialPressure: [.arterialPressure]
        case .preFilterPressure: [.preFilterPressure]
        case .venousPressure: [.venousPressure]
        case .filtratePressure: [.filtratePressure]
        case .plasmaTemperature: [.plasmaTemperatureA, .plasmaTemperatureB]
        case .plasmaHeater: [.plasmaHeater]
        case .airDetector: [.airDetector]
        case .bloodLeakDetector: [.bloodLeakDetector]
        case .infusionPump: [.infusionPump]
        // Supervised by the circuit, not by the interlock's conditions.
        case .bioreactorTemperature, .heparinPump: []
        }
    }

    static func pumpRole(_ role: CircuitRole) -> PumpRole? {
        switch role {
        case .bloodPump: .blood
        case .plasmaPump: .plasma
        case .recirculationPump: .recirculation
        case .infusionPump: .infusion
        case .heparinPump, .arterialPressure, .preFilterPressure, .venousPressure, .filtratePressure,
             .plasmaTemperature, .bioreactorTemperature, .plasmaHeater, .airDetector, .bloodLeakDetector: nil
        }
    }

    static func circuitRole(_ pump: PumpRole) -> CircuitRole? {
        switch pump {
        case .blood: .bloodPump
        case .plasma: .plasmaPump
        case .recirculation: .recirculationPump
        case .infusion: .infusionPump
        case .plasmaReturn: nil
        }
    }

    /// The interlock's configuration for a circuit: its roles, its limits tightened
    /// as the circuit file says, its flow ranges. Errors name the file, line and bound.
    static func configuration(for circuit: CircuitConfiguration) throws -> InterlockConfiguration {
        let roles = Set(circuit.roles.flatMap(deviceRoles))
        var limits = InterlockLimits.standard
        for setting in circuit.limits {
            let place = "\(circuit.source):\(setting.line):\(setting.column): limit '\(setting.name)'"
            guard knownLimits.contains(setting.name) else {
                throw CircuitError("\(place) is not a limit (limits: \(knownLimits.sorted().joined(separator: ", ")))")
            }
            let v = setting.value
            do {
                // Only the names above reach here (a circuit file tightens these, not the windows).
                limits = try limits.tightened { $0.set(setting.name, to: v) }
            } catch {
                throw CircuitError("\(place): \(error)")
            }
        }
        for (role, range) in circuit.flows {
            guard let pump = pumpRole(role) else { continue }
            let hard = limits.flowRanges[pump]
            let wanted = FlowRange(minimum: .mLPerMinute(range.lowerBound), maximum: .mLPerMinute(range.upperBound))
            guard wanted.minimum >= hard.minimum, wanted.maximum <= hard.maximum else {
                throw CircuitError("\(circuit.source): flows of \(role.rawValue) \(range.lowerBound)-\(range.upperBound) mL/min "
                    + "are wider than the hard bound \(hard)")
            }
            limits.flowRanges[pump] = wanted
        }
        do {
            return try InterlockConfiguration(roles: roles, limits: limits.validated())
        } catch {
            throw CircuitError("\(circuit.source): \(error)")
        }
    }

    static let knownLimits: Set<String> = [
        "venousPressureHigh", "venousPressureLow", "arterialPressureLow", "preFilterPressureHigh", "transmembranePressureHigh",
        "bloodLeak", "plasmaTemperatureHigh", "plasmaTemperatureLow", "plasmaTemperatureVeryLow", "plasmaTemperatureTarget",
        "temperatureProbeDisagreement", "heaterElementHigh", "tachometerDeviationPercent", "bloodPumpStopTime",
    ]

    /// The interlock events one role sample stands for. `commanded` is the speed the
    /// supervisor last commanded the pump to (what the tachometer is checked against).
    static func events(for sample: RoleSample, at time: Double, commanded: RotationalSpeed) -> [InterlockEvent] {
        let roles = deviceRoles(sample.role)
        guard !roles.isEmpty else { return [] }
        if sample.reading == nil || sample.lastError != nil {
            // A failed poll: each device role behind it failed (SR-16 counts them).
            guard let error = sample.lastError else { return [] }
            return roles.map { .readingFailed($0, error.kind) }
        }
        switch sample.reading! {
        case .pump(let r):
            guard let pump = pumpRole(sample.role) else { return [] }
            var faults: PumpFaults = []
            if r.status.contains(.doorOpen) { faults.insert(.doorOpen) }
            if r.status.contains(.occlusion) { faults.insert(.occlusion) }
            if r.status.contains(.reversedRotation) { faults.insert(.reversedRotation) }
            if r.status.contains(.stall) { faults.insert(.stall) }
            if r.status.contains(.overCurrent) { faults.insert(.overCurrent) }
            if r.status.contains(.watchdogExpired) { faults.insert(.watchdogExpired) }
            return [.reading(.pump(pump, PumpSample(commandedSpeed: commanded, measuredSpeed: r.actualSpeed, faults: faults)), sampledAt: time)]
        case .linePump:
            return []
        case .pressure(let r):
            let sensor: PressureSensor
            switch sample.role {
            case .arterialPressure: sensor = .arterial
            case .preFilterPressure: sensor = .preFilter
            case .venousPressure: sensor = .venous
            case .filtratePressure: sensor = .filtrate
            case .bloodPump, .plasmaPump, .recirculationPump, .infusionPump, .heparinPump, .plasmaTemperature,
                 .bioreactorTemperature, .plasmaHeater, .airDetector, .bloodLeakDetector: return []
            }
            return [.reading(.pressure(sensor, r.pressure), sampledAt: time)]
        case .temperature(let r):
            var events: [InterlockEvent] = []
            switch r.probeA {
            case .success(let t): events.append(.reading(.plasmaTemperature(.a, t), sampledAt: time))
            case .failure(let e): events.append(.readingFailed(.plasmaTemperatureA, e.kind))
            }
            switch r.probeB {
            case .success(let t): events.append(.reading(.plasmaTemperature(.b, t), sampledAt: time))
            case .failure(let e): events.append(.readingFailed(.plasmaTemperatureB, e.kind))
            }
            return events
        case .heater(let r):
            switch r.elementTemperature {
            case .success(let t):
                return [.reading(.heater(HeaterSample(elementTemperature: t, cutOutTripped: r.status.contains(.cutoutTripped))), sampledAt: time)]
            case .failure(let e):
                return [.readingFailed(.plasmaHeater, e.kind)]
            }
        case .airDetector(let r):
            let position: ReturnClampPosition = switch r.clampPosition {
            case .open: .open
            case .closed: .closed
            case .moving: .moving
            case .fault: .fault
            }
            return [.reading(.airDetector(AirDetectorSample(airDetected: r.isAirDetected, clampPosition: position)), sampledAt: time)]
        case .bloodLeak(let r):
            return [.reading(.bloodLeak(r.haemoglobin), sampledAt: time)]
        }
    }
}
