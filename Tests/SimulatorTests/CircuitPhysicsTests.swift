import Testing
@testable import Simulator

/// The circuit physics moves each reading the way the hazard would on a real machine.
@Suite struct CircuitPhysicsTests {
    func settle(_ physics: inout CircuitPhysics, _ inputs: CircuitPhysics.Inputs, seconds: Double = 3) {
        var t = 0.0
        while t < seconds {
            physics.step(0.01, inputs: inputs)
            t += 0.01
        }
    }

    var treating: CircuitPhysics.Inputs {
        var i = CircuitPhysics.Inputs()
        i.bloodFlow = 150
        i.bloodPumpSpeed = 18.75
        i.plasmaFlow = 30
        i.recirculationFlow = 200
        i.heaterEnabled = true
        return i
    }

    @Test func nominalTreatmentPressuresAreWithinLimits() {
        var physics = CircuitPhysics()
        settle(&physics, treating)
        let r = physics.readings
        #expect(abs(r.arterialPressure - -100) < 5)
        #expect(abs(r.venousPressure - 120) < 5)
        #expect(abs(r.preFilterPressure - 210) < 5)
        #expect(r.transmembranePressure > 20 && r.transmembranePressure < 50)
    }

    @Test func occludedReturnLineRaisesVenousPressure() {
        var physics = CircuitPhysics()
        physics.conditions.returnLineRestriction = 5
        settle(&physics, treating)
        #expect(physics.readings.venousPressure > 300)  // SR-2 territory
    }

    @Test func kinkedAccessLineDropsArterialPressure() {
        var physics = CircuitPhysics()
        physics.conditions.accessLineRestriction = 3
        settle(&physics, treating)
        #expect(physics.readings.arterialPressure < -250)  // SR-4 territory
    }

    @Test func disconnectionDropsVenousPressure() {
        var physics = CircuitPhysics()
        physics.conditions.returnLineDisconnected = true
        settle(&physics, treating)
        #expect(physics.readings.venousPressure < 10)  // SR-3 territory
    }

    @Test func clottingSeparatorRaisesPreFilterAndTransmembranePressure() {
        var clean = CircuitPhysics()
        settle(&clean, treating)
        var clotted = CircuitPhysics()
        clotted.conditions.separatorClotting = 0.8
        settle(&clotted, treating)
        #expect(clotted.readings.preFilterPressure > clean.readings.preFilterPressure + 100)
        #expect(clotted.readings.transmembranePressure > 50)  // SR-6 territory
        #expect(clotted.readings.preFilterPressure > 400)     // SR-5 territory
    }

    @Test func closedClampDeadHeadsARunningBloodPump() {
        var physics = CircuitPhysics()
        var inputs = treating
        inputs.returnClampOpen = false
        settle(&physics, inputs)
        #expect(physics.readings.venousPressure > 450)
        inputs.bloodFlow = 0
        inputs.bloodPumpSpeed = 0
        settle(&physics, inputs)
        #expect(physics.readings.venousPressure < 20)
    }

    @Test func heaterWarmsWithAFirstOrderLagAndPlasmaCoolsWithout() {
        var physics = CircuitPhysics(initialTemperature: 30)
        var inputs = treating
        inputs.heaterSetpoint = 37
        settle(&physics, inputs, seconds: 20)  // one time constant
        let afterOneTau = physics.readings.plasmaTemperature
        #expect(abs(afterOneTau - (37 - 7 * 0.3679)) < 0.2)
        settle(&physics, inputs, seconds: 100)
        #expect(abs(physics.readings.plasmaTemperature - 37) < 0.1)
        inputs.heaterEnabled = false
        settle(&physics, inputs, seconds: 60)
        #expect(physics.readings.plasmaTemperature < 36)
    }

    @Test func runningPumpKeepsPressuresAlive() {
        var physics = CircuitPhysics()
        settle(&physics, treating)
        var seen = Set<Int>()
        for _ in 0..<50 {
            physics.step(0.01, inputs: treating)
            seen.insert(Int((physics.readings.venousPressure * 10).rounded()))
        }
        #expect(seen.count > 5)  // not bit-identical: SR-17 must not fire on a healthy sensor
    }

    @Test func airAndBloodLeakPassThrough() {
        var physics = CircuitPhysics()
        physics.conditions.airInReturnLine = true
        physics.conditions.bloodLeakPartsPerMillion = 420
        physics.step(0.01, inputs: treating)
        #expect(physics.readings.airPresent)
        #expect(physics.readings.bloodLeak == 420)
    }
}
