/// The hydraulics and heat of a plasma-separation circuit with a bioreactor loop,
/// good enough to test the interlock honestly: each hazard moves the pressures and
/// temperatures the way it does on a real machine, with plausible magnitudes.
///
/// Blood is drawn by the blood pump through the access line (arterial pressure
/// falls with flow and with a kinked line), pushed through the plasma separator
/// (pre-filter pressure), and returned through the venous line (venous pressure
/// rises with flow and with an occluded line; a closed return clamp dead-heads the
/// pump). The plasma pump pulls plasma through the membrane (filtrate pressure; a
/// clotting membrane raises transmembrane pressure), the heater warms it with a
/// first-order lag toward its set-point, the recirculation pump drives it through
/// the bioreactor, and it rejoins the blood before the venous chamber.
///
/// Pure and deterministic: time and inputs come in, readings go out.
public struct CircuitPhysics: Sendable {
    /// Line and membrane constants (mmHg per mL/min), from typical adult settings:
    /// at 150 mL/min blood flow, about −100 mmHg arterial, +115 venous, +205 pre-filter.
    public struct Constants: Sendable {
        /// Pressure at the patient's access with no flow, mmHg (arterial = this − access resistance × flow).
        public var accessSourcePressure = 20.0
        /// Access line resistance, mmHg per mL/min (multiplied by `accessLineRestriction`).
        public var accessResistance = 0.8
        /// Pressure at the patient's return with no flow, mmHg.
        public var returnSinkPressure = 15.0
        /// Return line resistance, mmHg per mL/min (multiplied by `returnLineRestriction`).
        public var returnResistance = 0.7
        /// Blood-path resistance of the plasma separator, mmHg per mL/min.
        public var separatorResistance = 0.6
        /// Membrane resistance to plasma flow, mmHg per mL/min (raised by fouling).
        public var membraneResistance = 1.0
        /// Venous pressure a running blood pump builds against a closed return clamp.
        public var deadHeadPressure = 550.0
        /// Pressure lag (line compliance), seconds.
        public var pressureTimeConstant = 0.15
        /// Plasma temperature lag toward the heater set-point, seconds.
        public var heatingTimeConstant = 20.0
        /// Cooling toward ambient without heating, seconds.
        public var coolingTimeConstant = 240.0
        /// Peak-to-peak pressure ripple of the pump rollers, mmHg (keeps live sensors from looking frozen).
        public var rollerRipple = 4.0
        /// The typical adult constants above.
        public init() {}
    }

    /// What the devices do that the physics responds to.
    public struct Inputs: Sendable, Equatable {
        /// Blood flow, mL/min, from the blood pump's tachometer.
        public var bloodFlow = 0.0          // mL/min, from the blood pump's tachometer
        /// Blood pump speed, rpm, for the roller ripple.
        public var bloodPumpSpeed = 0.0     // rpm, for the roller ripple
        /// Plasma flow through the membrane, mL/min.
        public var plasmaFlow = 0.0         // mL/min
        /// Flow through the bioreactor loop, mL/min.
        public var recirculationFlow = 0.0  // mL/min
        /// Whether the return clamp is open (closed dead-heads the blood pump).
        public var returnClampOpen = true
        /// Whether the heater heats.
        public var heaterEnabled = false
        /// The heater's set-point, °C.
        public var heaterSetpoint = 37.0    // °C
        /// The heater's own outlet temperature, when a heater model computes it:
        /// the plasma then follows it (a closed loop through the heater's controller)
        /// instead of the idealised lag toward the set-point.
        public var heaterOutletTemperature: Double? = nil
        /// Everything stopped, clamp open, heater off (set-point 37 °C).
        public init() {}
    }

    /// What the sensors see.
    public struct Readings: Sendable, Equatable {
        /// Access (arterial) pressure, mmHg.
        public var arterialPressure = 0.0
        /// Pressure before the separator, mmHg.
        public var preFilterPressure = 0.0
        /// Return (venous) pressure, mmHg.
        public var venousPressure = 0.0
        /// Plasma-side pressure of the separator, mmHg.
        public var filtratePressure = 0.0
        /// Plasma temperature, °C.
        public var plasmaTemperature = 37.0
        /// Bioreactor temperature, °C.
        public var bioreactorTemperature = 37.0
        /// Air at the return-line detector.
        public var airPresent = false
        /// Haemoglobin in the plasma, ppm.
        public var bloodLeak = 0.0
        /// Zero pressures, 37 °C, no air, no leak.
        public init() {}

        /// Transmembrane pressure at the separator: mean blood-side minus filtrate.
        public var transmembranePressure: Double { (preFilterPressure + venousPressure) / 2 - filtratePressure }
    }

    /// The line and membrane constants.
    public var constants: Constants
    /// The physical causes in force (restrictions, clotting, air, leak, ambient temperature).
    public var conditions = CircuitConditions()
    /// What the sensors see after the latest step.
    public private(set) var readings: Readings
    /// Seconds simulated so far.
    public private(set) var time = 0.0
    private var rollerPhase = 0.0

    /// A circuit at rest: pressures at their no-flow values, the plasma at
    /// `initialTemperature` °C.
    public init(constants: Constants = Constants(), initialTemperature: Double = 37.0) {
        self.constants = constants
        var r = Readings()
        r.arterialPressure = constants.accessSourcePressure
        r.venousPressure = constants.returnSinkPressure
        r.preFilterPressure = constants.returnSinkPressure
        r.filtratePressure = constants.returnSinkPressure
        r.plasmaTemperature = initialTemperature
        r.bioreactorTemperature = initialTemperature - 0.3
        readings = r
    }

    /// The steady-state pressures for these inputs and conditions (no lag, no ripple).
    public func steadyPressures(_ inputs: Inputs) -> (arterial: Double, preFilter: Double, venous: Double, filtrate: Double) {
        let c = constants, k = conditions
        let qb = max(0, inputs.bloodFlow)
        let arterial = c.accessSourcePressure - c.accessResistance * k.accessLineRestriction * qb
        let venous: Double
        if k.returnLineDisconnected {
            venous = 0
        } else if !inputs.returnClampOpen && qb > 0 {
            venous = c.deadHeadPressure
        } else {
            venous = c.returnSinkPressure + c.returnResistance * k.returnLineRestriction * qb
        }
        let clot = max(0, min(1, k.separatorClotting))
        // Clots in the blood path raise the blood side only; fouling raises the membrane only.
        let bloodPath = 1 + 4 * max(0, min(1, k.bloodPathClotting))
        let fouling = 1 + 6 * max(0, min(1, k.membraneFouling))
        let preFilter = venous + c.separatorResistance * (1 + 3 * clot) * bloodPath * qb
        let mean = (preFilter + venous) / 2
        let filtrate = mean - c.membraneResistance * (1 + 6 * clot) * fouling * max(0, inputs.plasmaFlow)
        return (arterial, preFilter, venous, filtrate)
    }

    /// Advances the circuit by `dt` seconds under `inputs`.
    public mutating func step(_ dt: Double, inputs: Inputs) {
        guard dt > 0 else { return }
        time += dt
        let target = steadyPressures(inputs)
        let alpha = 1 - exp(-dt / constants.pressureTimeConstant)
        // Roller ripple: two rollers per revolution.
        rollerPhase += dt * inputs.bloodPumpSpeed / 60 * 2 * 2 * Double.pi
        let ripple = inputs.bloodPumpSpeed > 0 ? constants.rollerRipple / 2 * sin(rollerPhase) : 0
        readings.arterialPressure += (target.arterial - ripple - readings.arterialPressure) * alpha
        readings.venousPressure += (target.venous + ripple - readings.venousPressure) * alpha
        readings.preFilterPressure += (target.preFilter + ripple - readings.preFilterPressure) * alpha
        readings.filtratePressure += (target.filtrate + ripple / 2 - readings.filtratePressure) * alpha

        // Heat: toward the set-point while heating (and plasma flows past the heater), else toward ambient.
        let flowing = inputs.plasmaFlow + inputs.recirculationFlow > 0
        if let outlet = inputs.heaterOutletTemperature, flowing {
            // Mixing toward what leaves the heater, and losing heat to the room.
            let t = readings.plasmaTemperature
            let mix = (outlet - t) * (1 - exp(-dt / constants.heatingTimeConstant))
            let loss = (t - conditions.ambientTemperature) * (1 - exp(-dt / constants.coolingTimeConstant))
            readings.plasmaTemperature = t + mix - loss
        } else {
            let heating = inputs.heaterEnabled && flowing
            let goal = heating ? inputs.heaterSetpoint : conditions.ambientTemperature
            let tau = heating ? constants.heatingTimeConstant : constants.coolingTimeConstant
            readings.plasmaTemperature += (goal - readings.plasmaTemperature) * (1 - exp(-dt / tau))
        }
        // The bioreactor sits downstream: a little cooler, a little later.
        let reactorGoal = readings.plasmaTemperature - (inputs.recirculationFlow > 0 ? 0.3 : 1.0)
        readings.bioreactorTemperature += (reactorGoal - readings.bioreactorTemperature) * (1 - exp(-dt / 10))

        readings.airPresent = conditions.airInReturnLine
        readings.bloodLeak = max(0, conditions.bloodLeakPartsPerMillion)
    }
}

import Foundation
