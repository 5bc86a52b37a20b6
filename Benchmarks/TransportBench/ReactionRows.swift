import CircuitConfiguration
import FirmwareProtocols
import Interlock
import Modbus
import Simulator

/// One SR row as the reaction benchmark provokes and measures it.
struct ReactionRow: Sendable {
    /// What the row's reaction is measured to.
    enum Reaction: String, Sendable {
        /// The acknowledgement on the wire of the last safe-state command (S1, S2, heater off).
        case outputs = "last safe-state command acknowledged"
        /// The alarm reaching the treatment controller (alarm-only rows).
        case alarm = "alarm reported"
    }

    /// When the condition is due to trip: the start of the measured interval.
    enum Due: Sendable {
        /// The instant the condition was imposed (air, a leak, a door).
        case imposed
        /// The physics step at which `what` first held on the devices (a simulator
        /// tripwire), plus `persistence` seconds where the row keeps one.
        case crossing(String, persistence: Double = 0, @Sendable (CircuitSimulator) -> Bool)
        /// The instant the condition was imposed plus the row's window (the sensor froze then).
        case imposedPlus(String, Double)
        /// SR-15: the last good sample of the role plus its stale deadline.
        case staleDeadline(CircuitRole, Double)
        /// The tripping sample is the condition itself (SR-16: the third failed transaction).
        case trippingSample

        var description: String {
            switch self {
            case .imposed: "the instant the condition was imposed"
            case .crossing(let what, let persistence, _):
                "the physics step at which \(what) (simulator tripwire, 10 ms resolution)" + (persistence > 0 ? " + \(persistence) s persistence" : "")
            case .imposedPlus(let what, let seconds): "the instant the condition was imposed + \(seconds) s (\(what))"
            case .staleDeadline(let role, let seconds): "the last good \(role.rawValue) sample + its \(seconds) s stale deadline"
            case .trippingSample: "the tripping sample (the third consecutive failed transaction is the condition)"
            }
        }
    }

    var sr: String
    var requirement: SafetyRequirement
    /// The condition kind that counts (SR-9: the S2 level).
    var kind: ConditionKind
    var signal: SignalClass
    var provoke: [String]
    var clear: [String]
    /// Control lines once treatment is nominal again (restoring the surroundings).
    var afterRecovery: [String] = []
    var reaction: Reaction
    var due: Due
    var setup: RigSetup
    /// What was tightened for this row besides its persistence, and why.
    var tightened: String
    /// How long one trip may take to arrive.
    var within: Duration = .seconds(4)
    /// The circuit cannot come back from this row (SR-16 by a pulled adapter: nothing
    /// reconnects a replugged bus), so each trip gets a fresh circuit.
    var freshCircuitEachTrip = false

    var what: String { provoke.joined(separator: "; ") }
}

extension ReactionRow {
    /// Device readings for tripwires.
    static func pump(_ simulator: CircuitSimulator, _ role: CircuitRole) -> SimulatedPump { simulator.device(role: role.rawValue) as! SimulatedPump }
    static func heater(_ simulator: CircuitSimulator) -> SimulatedHeater { simulator.device(role: CircuitRole.plasmaHeater.rawValue) as! SimulatedHeater }
    static func plasmaProbes(_ simulator: CircuitSimulator) -> SimulatedTemperatureSensor {
        simulator.device(role: CircuitRole.plasmaTemperature.rawValue) as! SimulatedTemperatureSensor
    }

    /// What `register` of `device` reports now (its resolution and faults included): the
    /// value a poll would read. Slow ramps cross a limit as reported up to one resolution
    /// step (0.01 °C: hundreds of ms for a plasma warming 0.02 °C/s) after the true value.
    static func reported(_ device: any SimulatedDevice, _ register: RegisterDefinition) -> Double? {
        guard let words = try? device.read(.input, address: register.address, count: register.width) else { return nil }
        return try? register.decode(words)
    }

    /// What the plasma probes report.
    static func reportedProbes(_ simulator: CircuitSimulator) -> (a: Double, b: Double)? {
        let device = plasmaProbes(simulator)
        guard let a = reported(device, TemperatureSensorProtocol.probeA), let b = reported(device, TemperatureSensorProtocol.probeB)
        else { return nil }
        return (a, b)
    }

    /// Every row SR-1…SR-17 that changes the outputs or raises an alarm. SR-18 is the
    /// self-test before treatment: it has no reaction time.
    static let all: [ReactionRow] = [
        ReactionRow(sr: "SR-1", requirement: .sr1, kind: .airAtReturnLine, signal: .air,
                    provoke: ["condition airInReturnLine true"], clear: ["condition airInReturnLine false"],
                    reaction: .outputs, due: .imposed, setup: RigSetup(tightening: { _ in }), tightened: "none (no persistence)"),
        ReactionRow(sr: "SR-2", requirement: .sr2, kind: .venousPressureHigh, signal: .pressure,
                    provoke: ["condition returnLineRestriction 5"], clear: ["condition returnLineRestriction 1"],
                    reaction: .outputs, due: .crossing("venous pressure > 300 mmHg") { $0.readings.venousPressure > 300 },
                    setup: RigSetup(tightening: { $0.persistence.venousPressureHigh = 0 }), tightened: "persistence 1 s -> 0"),
        ReactionRow(sr: "SR-3", requirement: .sr3, kind: .venousPressureLow, signal: .pressure,
                    provoke: ["condition returnLineDisconnected true"], clear: ["condition returnLineDisconnected false"],
                    reaction: .outputs, due: .crossing("venous pressure < 10 mmHg") { $0.readings.venousPressure < 10 },
                    setup: RigSetup(tightening: { $0.persistence.venousPressureLow = 0 }), tightened: "persistence 1 s -> 0"),
        ReactionRow(sr: "SR-4", requirement: .sr4, kind: .arterialPressureLow, signal: .pressure,
                    provoke: ["condition accessLineRestriction 4"], clear: ["condition accessLineRestriction 1"],
                    reaction: .outputs, due: .crossing("arterial pressure < -250 mmHg") { $0.readings.arterialPressure < -250 },
                    setup: RigSetup(tightening: { $0.persistence.arterialPressureLow = 0 }), tightened: "persistence 1 s -> 0"),
        ReactionRow(sr: "SR-5", requirement: .sr5, kind: .preFilterPressureHigh, signal: .pressure,
                    provoke: ["condition bloodPathClotting 1"], clear: ["condition bloodPathClotting 0"],
                    reaction: .outputs, due: .crossing("pre-filter pressure > 400 mmHg") { $0.readings.preFilterPressure > 400 },
                    setup: RigSetup(tightening: { $0.persistence.preFilterPressureHigh = 0 }), tightened: "persistence 2 s -> 0"),
        ReactionRow(sr: "SR-6", requirement: .sr6, kind: .transmembranePressureHigh, signal: .pressure,
                    provoke: ["condition membraneFouling 0.5"], clear: ["condition membraneFouling 0"],
                    reaction: .outputs, due: .crossing("TMP > 50 mmHg") { $0.readings.transmembranePressure > 50 },
                    setup: RigSetup(tightening: { $0.persistence.transmembranePressureHigh = 0 }), tightened: "persistence 2 s -> 0"),
        ReactionRow(sr: "SR-7", requirement: .sr7, kind: .bloodLeak, signal: .bloodLeak,
                    provoke: ["condition bloodLeak 600"], clear: ["condition bloodLeak 0"],
                    reaction: .outputs, due: .imposed, setup: RigSetup(tightening: { $0.persistence.bloodLeak = 0 }),
                    tightened: "persistence 5 s -> 0"),
        // The circuit in a 37 °C warming cabinet so the plasma holds 37 °C before the fault.
        ReactionRow(sr: "SR-8", requirement: .sr8, kind: .plasmaTemperatureHigh, signal: .temperature,
                    provoke: ["set plasmaHeater outletSensorOffset -3"],
                    clear: ["set plasmaHeater outletSensorOffset 0", "condition ambientTemperature 24"],
                    afterRecovery: ["condition ambientTemperature 37"],
                    reaction: .outputs,
                    due: .crossing("either plasma probe reports > 37.1 °C") {
                        reportedProbes($0).map { max($0.a, $0.b) > 37.1 } ?? false
                    },
                    setup: RigSetup(tightening: {
                        $0.plasmaTemperatureHigh = .celsius(37.1)
                        $0.persistence.plasmaTemperatureHigh = 0
                    }, prepare: ["condition ambientTemperature 37"]),
                    tightened: "persistence 1 s -> 0; limit 41 -> 37.1 °C (41 °C is a minute of heating away), ambient 37 °C (warming cabinet)",
                    within: .seconds(20)),
        ReactionRow(sr: "SR-9", requirement: .sr9, kind: .plasmaTemperatureVeryLow, signal: .temperature,
                    provoke: ["set plasmaHeater elementOpen true", "condition ambientTemperature 18"],
                    clear: ["set plasmaHeater elementOpen false", "condition ambientTemperature 37"],
                    reaction: .outputs,
                    due: .crossing("either plasma probe reports < 36.7 °C") {
                        reportedProbes($0).map { min($0.a, $0.b) < 36.7 } ?? false
                    },
                    setup: RigSetup(tightening: {
                        // The alarm level may not sit below the S2 level: both at 36.7 °C, the
                        // alarm level keeping its 60 s (it never trips within a trip).
                        $0.plasmaTemperatureLow = .celsius(36.7)
                        $0.plasmaTemperatureVeryLow = .celsius(36.7)
                        $0.persistence.plasmaTemperatureVeryLow = 0
                    }, prepare: ["condition ambientTemperature 37"]),
                    tightened: "S2 level: persistence 5 s -> 0, limit 33 -> 36.7 °C (alarm level 35 -> 36.7 °C, keeping its 60 s); ambient 37 °C (warming cabinet)",
                    within: .seconds(20), freshCircuitEachTrip: true),  // S2-warm rewarms through the loop, but over tens of seconds
        ReactionRow(sr: "SR-10", requirement: .sr10, kind: .temperatureProbesDisagree, signal: .temperature,
                    provoke: ["fault plasmaTemperature drift 0.5"], clear: ["clear plasmaTemperature"],
                    reaction: .outputs,
                    due: .crossing("the probes' reported values differ by > 1.0 °C") {
                        reportedProbes($0).map { abs($0.a - $0.b) > 1.0 } ?? false
                    },
                    setup: RigSetup(tightening: { $0.persistence.temperatureProbesDisagree = 0 }, prepare: ["condition ambientTemperature 37"]),
                    tightened: "persistence 5 s -> 0; ambient 37 °C (a steady plasma)", within: .seconds(6)),
        ReactionRow(sr: "SR-11", requirement: .sr11, kind: .heaterElementOverTemperature, signal: .heater,
                    provoke: ["set plasmaHeater airLock true"], clear: ["set plasmaHeater airLock false"],
                    reaction: .outputs, due: .crossing("the heater element reports > 41 °C") {
                        (reported(heater($0), HeaterProtocol.elementTemperature) ?? 0) > 41
                    },
                    setup: RigSetup(tightening: { $0.heaterElementHigh = .celsius(41) }, plasmaTemperature: 36,
                                    prepare: ["condition ambientTemperature 18"]),
                    tightened: "limit 45 -> 41 °C (no persistence); an 18 °C room, so the heater is working", within: .seconds(20)),
        ReactionRow(sr: "SR-12", requirement: .sr12, kind: .pumpSpeedDeviation, signal: .pump,
                    provoke: ["set bloodPump rotorDrag 0.3"], clear: ["set bloodPump rotorDrag 0"],
                    reaction: .outputs,
                    due: .crossing("the blood pump's rotor < 90 % of 18.75 rpm", persistence: 0.8) { abs(pump($0, .bloodPump).rotorSpeed) < 0.9 * 18.75 },
                    setup: RigSetup(tightening: { $0.persistence.pumpSpeedDeviation = 0.8 }),
                    tightened: "persistence 2 s -> 0.8 s (not 0: a pump spinning up lags its command for about 0.5 s)"),
        ReactionRow(sr: "SR-13", requirement: .sr13, kind: .pumpFirmwareFault, signal: .pump,
                    provoke: ["set bloodPump doorOpen true"], clear: ["set bloodPump doorOpen false"],
                    reaction: .outputs, due: .imposed, setup: RigSetup(tightening: { _ in }), tightened: "none (no persistence)"),
        ReactionRow(sr: "SR-14", requirement: .sr14, kind: .bloodPumpStopped, signal: .pump,
                    provoke: ["set bloodPump doorOpen true"], clear: ["set bloodPump doorOpen false"],
                    reaction: .alarm,
                    due: .crossing("the blood pump's rotor stopped (< 1 rpm)", persistence: 1) { abs(pump($0, .bloodPump).rotorSpeed) < 1 },
                    setup: RigSetup(tightening: { $0.bloodPumpStopTime = 1 }), tightened: "window 120 s -> 1 s"),
        ReactionRow(sr: "SR-15", requirement: .sr15, kind: .staleData, signal: .pressure,
                    provoke: ["fault venousPressure silent 2"], clear: [],
                    reaction: .outputs, due: .staleDeadline(.venousPressure, 0.3), setup: RigSetup(tightening: { _ in }),
                    tightened: "none (deadline 300 ms)"),
        // A silent device trips SR-15 on its bus-mates first (three timeouts outlast the
        // pressures' 300 ms deadline), so SR-16 is measured by its other cause: the port gone.
        ReactionRow(sr: "SR-16", requirement: .sr16, kind: .deviceLost, signal: .pump,
                    provoke: ["unplug plasma"], clear: [],
                    reaction: .outputs, due: .imposed, setup: RigSetup(tightening: { _ in }),
                    tightened: "none (a port error is a loss at once); the plasma-side commands fail, the blood side's are measured",
                    freshCircuitEachTrip: true),
        ReactionRow(sr: "SR-17", requirement: .sr17, kind: .frozenSensor, signal: .pressure,
                    provoke: ["fault venousPressure stuck"], clear: ["clear venousPressure"],
                    reaction: .alarm, due: .imposedPlus("the frozen-sensor window", 1),
                    setup: RigSetup(tightening: { $0.frozenSensorWindow = 1 }), tightened: "window 10 s -> 1 s"),
    ]
}
