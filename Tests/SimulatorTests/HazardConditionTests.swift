import FirmwareProtocols
import Modbus
import Testing
@testable import Simulator

/// The hazards added so every SR row can be provoked alone: each moves the reading its
/// row watches, and not the neighbouring row's.
@Suite struct HazardConditionTests {
    func settle(_ physics: inout CircuitPhysics, _ inputs: CircuitPhysics.Inputs, seconds: Double = 3) {
        for _ in 0..<Int(seconds / 0.01) { physics.step(0.01, inputs: inputs) }
    }

    var treating: CircuitPhysics.Inputs {
        var i = CircuitPhysics.Inputs()
        i.bloodFlow = 150
        i.bloodPumpSpeed = 18.75
        i.plasmaFlow = 30
        i.recirculationFlow = 200
        return i
    }

    /// SR-5 alone: clots in the blood path raise the pre-filter pressure, not the TMP.
    @Test func bloodPathClottingRaisesPreFilterPressureOnly() {
        var clean = CircuitPhysics()
        settle(&clean, treating)
        var clotted = CircuitPhysics()
        clotted.conditions.bloodPathClotting = 1
        settle(&clotted, treating)
        #expect(clotted.readings.preFilterPressure > 400, "\(clotted.readings)")
        #expect(abs(clotted.readings.transmembranePressure - clean.readings.transmembranePressure) < 5)
        #expect(clotted.readings.transmembranePressure < 50)
        #expect(abs(clotted.readings.venousPressure - clean.readings.venousPressure) < 5)
    }

    /// SR-6 alone: a fouled membrane raises the TMP, not the pre-filter pressure.
    @Test func membraneFoulingRaisesTransmembranePressureOnly() {
        var clean = CircuitPhysics()
        settle(&clean, treating)
        var fouled = CircuitPhysics()
        fouled.conditions.membraneFouling = 0.5
        settle(&fouled, treating)
        #expect(fouled.readings.transmembranePressure > 50, "\(fouled.readings)")
        #expect(abs(fouled.readings.preFilterPressure - clean.readings.preFilterPressure) < 5)
        #expect(fouled.readings.preFilterPressure < 400)
    }

    /// SR-12: a dragging rotor turns slower than commanded, and the tachometer says so.
    @Test func aDraggingRotorSettlesBelowItsSetPoint() throws {
        let time = ManualSimulationTime()
        let pump = SimulatedPump(time: time)
        typealias P = PeristalticPumpProtocol
        try pump.writeWord(WatchdogBlock.watchdogTimeout, 10000)
        try pump.set(P.speedSetpoint, 100)
        try pump.writeWord(P.controlWord, P.ControlWord.run.rawValue)
        try pump.setCondition("rotorDrag", to: "0.3")
        try feed([pump], time: time, for: 3)
        #expect(abs(try pump.value(P.actualSpeed) - 70) < 0.5)
        #expect(!P.Status(rawValue: try pump.word(P.status)).contains(.faultLatched))
        #expect(throws: SimulatedDeviceError.self) { try pump.setCondition("rotorDrag", to: "1") }
        try pump.setCondition("rotorDrag", to: "0")
        try feed([pump], time: time, for: 3)
        #expect(abs(try pump.value(P.actualSpeed) - 100) < 0.5)
    }

    /// An enabled heater regulating plasma entering at 36 °C, settled.
    func regulatingHeater(_ time: ManualSimulationTime) throws -> SimulatedHeater {
        let heater = SimulatedHeater(time: time, inletTemperature: 36)
        try heater.writeWord(WatchdogBlock.watchdogTimeout, 10000)
        try heater.writeWord(HeaterProtocol.controlWord, HeaterProtocol.ControlWord.enable.rawValue)
        try feed([heater], time: time, for: 200, every: 1)
        return heater
    }

    /// SR-11 alone: an air lock round the element overheats it while the plasma flows.
    @Test func anAirLockOverheatsTheElement() throws {
        let time = ManualSimulationTime()
        let heater = try regulatingHeater(time)
        #expect(try heater.value(HeaterProtocol.elementTemperature) < 45)
        try heater.setCondition("airLock", to: "true")
        var hottest = heater.elementTemperature
        for _ in 0..<60 {
            try feed([heater], time: time, for: 1, every: 1)
            hottest = max(hottest, heater.elementTemperature)
        }
        #expect(hottest > 44)  // sampled once a second: the peak lies between
        // Its own cut-out caught it (SR-11 watches both).
        #expect(HeaterProtocol.Status(rawValue: try heater.word(HeaterProtocol.status)).contains(.cutoutTripped))
    }

    /// SR-9: a burnt-out element heats nothing, whatever the controller asks.
    @Test func aBurntOutElementHeatsNothing() throws {
        let time = ManualSimulationTime()
        let heater = try regulatingHeater(time)
        try heater.setCondition("elementOpen", to: "true")
        try feed([heater], time: time, for: 60, every: 1)
        #expect(heater.output > 0.3)  // the controller asks for more and more heat
        #expect(abs(heater.elementTemperature - 36) < 0.1)
        #expect(abs(heater.outletTemperature - 36) < 0.1)
    }

    /// SR-8: an outlet sensor reading low makes the controller regulate the plasma too warm.
    @Test func anOutletSensorReadingLowRegulatesTooWarm() throws {
        let time = ManualSimulationTime()
        let heater = try regulatingHeater(time)
        let before = heater.outletTemperature
        try heater.setCondition("outletSensorOffset", to: "-2")
        try feed([heater], time: time, for: 200, every: 1)
        #expect(abs(heater.outletTemperature - (before + 2)) < 0.1)
        #expect(abs(try heater.value(HeaterProtocol.outletTemperature) - before) < 0.05)  // what it reports
    }

    /// A tripwire records the physics step at which a condition first holds, not before.
    @Test func aTripwireRecordsTheStepThatCrossed() async throws {
        let simulator = try CircuitSimulator(layout: SimulatedCircuitLayout.preset("bal"))
        try simulator.start()
        defer { simulator.stop() }
        let wire = simulator.armTripwire { $0.readings.airPresent }
        try await Task.sleep(for: .milliseconds(50))
        #expect(wire.crossedAt == nil)
        let imposed = ContinuousClock.now
        try simulator.setCondition("airInReturnLine", "true")
        let deadline = ContinuousClock.now + .seconds(2)
        while wire.crossedAt == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        let crossed = try #require(wire.crossedAt, "the tripwire never fired")
        #expect(crossed >= imposed)
        simulator.disarm(wire)
    }

    /// The control interface takes the new conditions by name and refuses nonsense.
    @Test func theControlInterfaceNamesTheNewConditions() throws {
        let simulator = try CircuitSimulator(layout: SimulatedCircuitLayout.preset("bal"))
        try simulator.setCondition("bloodPathClotting", "0.7")
        try simulator.setCondition("membraneFouling", "0.4")
        #expect(simulator.conditions.bloodPathClotting == 0.7)
        #expect(simulator.conditions.membraneFouling == 0.4)
        #expect(throws: (any Error).self) { try simulator.setCondition("membraneFouling", "2") }
        let help = simulator.helpText
        for name in ["bloodPathClotting", "membraneFouling", "rotorDrag", "airLock", "elementOpen", "outletSensorOffset"] {
            #expect(help.contains(name), "help does not list \(name): \(help)")
        }
    }
}
