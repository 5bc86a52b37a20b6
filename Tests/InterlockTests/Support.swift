import HardwareInterfaces
import Interlock
import Testing

/// The circuit around the machine: what each device would report. Tests change it to
/// provoke a condition and change it back to clear it. Pumps follow the interlock's
/// demand (1 mL per revolution) and the clamp follows its command, unless a test says
/// otherwise.
struct Plant: Sendable {
    var pressures: [PressureSensor: Double] = [.arterial: -100, .preFilter: 150, .venous: 100, .filtrate: 100]
    /// Sensors reporting without the roller-pump ripple (SR-17).
    var frozen: Set<PressureSensor> = []
    var temperatures: [TemperatureProbe: Double] = [.a: 37.0, .b: 37.2]
    var heaterElement = 40.0
    var heaterCutOut = false
    var air = false
    var clampOverride: ReturnClampPosition?
    var bloodLeak = 10.0
    var pumpFaults: [PumpRole: PumpFaults] = [:]
    /// Measured speed as a fraction of the commanded (SR-12).
    var tachometerFactor: [PumpRole: Double] = [:]
    /// Pumps whose rotor turns at this speed (rpm) whatever they are told (SR-12).
    var runaway: [PumpRole: Double] = [:]
    /// Devices that stay silent (SR-15).
    var silent: Set<DeviceRole> = []
    /// Devices whose transactions fail with this kind (SR-16).
    var failing: [DeviceRole: HardwareErrorKind] = [:]
}

/// A machine, its plant and a clock: polls every device, then ticks, every `step` seconds.
struct Rig {
    var machine: Interlock
    var plant = Plant()
    var steps = 0
    let step = 0.05
    /// Every action since the rig was made (or the log was cleared).
    var log: [InterlockAction] = []

    init(_ configuration: InterlockConfiguration = .fullCircuit) {
        machine = Interlock(configuration: configuration)
    }

    var now: Double { Double(steps) * step }
    var outputs: OutputDemand { machine.outputs }
    var lifecycle: Lifecycle { machine.lifecycle }
    var state: InterlockState { machine.state }
    func fault(_ condition: Condition) -> ActiveFault? { machine.state.fault(condition) }
    var activeConditions: Set<Condition> { Set(machine.state.faults.map(\.condition)) }

    @discardableResult
    mutating func send(_ event: InterlockEvent) -> [InterlockAction] {
        let actions = machine.handle(event)
        log += actions
        return actions
    }

    /// Sends `command` and returns its result.
    @discardableResult
    mutating func command(_ command: OperatorCommand) -> CommandResult {
        // Exactly one result per command (matched by position: a NaN flow is not equal to itself).
        for action in send(.command(command)) {
            if case .commandResult(_, let result) = action { return result }
        }
        Issue.record("no result for \(command)")
        return .refused(.nothingToResume)
    }

    /// One poll round at the current time: every configured device reports (or fails, or stays silent).
    mutating func poll() {
        let configuration = machine.configuration
        let demand = machine.outputs
        let ripple = steps % 2 == 0 ? 0.5 : -0.5
        var readings: [SensorReading] = []
        for sensor in PressureSensor.allCases {
            let value = plant.pressures[sensor]! + (plant.frozen.contains(sensor) ? 0 : ripple)
            readings.append(.pressure(sensor, .mmHg(value)))
        }
        for probe in TemperatureProbe.allCases {
            readings.append(.plasmaTemperature(probe, .celsius(plant.temperatures[probe]!)))
        }
        readings.append(.heater(HeaterSample(elementTemperature: .celsius(plant.heaterElement), cutOutTripped: plant.heaterCutOut)))
        let clamp: ReturnClampPosition = plant.clampOverride ?? (demand.returnClamp == .open ? .open : .closed)
        readings.append(.airDetector(AirDetectorSample(airDetected: plant.air, clampPosition: clamp)))
        readings.append(.bloodLeak(.ppm(plant.bloodLeak)))
        for pump in PumpRole.allCases {
            let commanded = demand[pump]?.millilitersPerMinute ?? 0
            let measured = plant.runaway[pump] ?? commanded * (plant.tachometerFactor[pump] ?? 1)
            readings.append(.pump(pump, PumpSample(commandedSpeed: .rpm(commanded), measuredSpeed: .rpm(measured),
                                                   faults: plant.pumpFaults[pump] ?? [])))
        }
        for reading in readings where configuration.has(reading.role) && !plant.silent.contains(reading.role) {
            if let kind = plant.failing[reading.role] {
                send(.readingFailed(reading.role, kind))
            } else {
                send(.reading(reading, sampledAt: now))
            }
        }
    }

    /// Runs the circuit for `seconds`: each step the clock advances, every device is polled
    /// and the machine ticks.
    mutating func run(for seconds: Double) {
        let count = Int((seconds / step).rounded())
        for _ in 0..<count {
            steps += 1
            poll()
            send(.tick(at: now))
        }
    }

    /// The self-test checks that pass for this circuit.
    var passingSelfTest: [SelfTestCheck] {
        SelfTestCheck.requiredItems(for: machine.configuration).map { SelfTestCheck($0, passed: true) }
    }

    /// Nominal flows: blood 150, plasma 30, recirculation 150, return 30 mL/min.
    static let nominalFlows: [(PumpRole, FlowRate)] = [
        (.blood, .mLPerMinute(150)), (.plasma, .mLPerMinute(30)),
        (.recirculation, .mLPerMinute(150)), (.plasmaReturn, .mLPerMinute(30)),
    ]

    /// From idle through the self-test and priming (nominal flows set) to ready.
    mutating func toReady(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(command(.startSelfTest) == .accepted, sourceLocation: sourceLocation)
        run(for: 0.1)
        send(.selfTestCompleted(passingSelfTest))
        #expect(command(.startPriming) == .accepted, sourceLocation: sourceLocation)
        for (pump, flow) in Self.nominalFlows where machine.configuration.has(pump.deviceRole) {
            #expect(command(.setFlow(pump, flow)) == .accepted, sourceLocation: sourceLocation)
        }
        run(for: 0.5)
        #expect(command(.finishPriming) == .accepted, sourceLocation: sourceLocation)
        run(for: 0.2)
        #expect(lifecycle == .ready, sourceLocation: sourceLocation)
    }

    /// From idle to treating at nominal flows, with no alarm.
    mutating func toTreating(sourceLocation: SourceLocation = #_sourceLocation) {
        toReady(sourceLocation: sourceLocation)
        #expect(command(.startTreatment) == .accepted, sourceLocation: sourceLocation)
        run(for: 0.5)
        #expect(lifecycle == .treating, sourceLocation: sourceLocation)
        #expect(state.faults.isEmpty, "unexpected alarms: \(state.faults)", sourceLocation: sourceLocation)
    }

    /// The outputs a phase gives without any fault or hold.
    func nominalOutputs(_ phase: TreatmentPhase) -> OutputDemand {
        requiredOutputs(activeFaults: [], phase: phase, hold: nil, setpoints: state.setpoints,
                        configuration: machine.configuration)
    }

    /// The output commands in the log.
    var loggedOutputs: [OutputAction] { log.compactMap { $0.outputCommand?.action } }
}

/// A configuration with SAFETY.md's limits changed by `change`.
func configuration(roles: Set<DeviceRole> = Set(DeviceRole.allCases),
                   _ change: (inout InterlockLimits) -> Void = { _ in }) throws -> InterlockConfiguration {
    try InterlockConfiguration(roles: roles, limits: InterlockLimits.standard.tightened(change))
}
