/// Pressure in millimetres of mercury (gauge).
public struct Pressure: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The value in mmHg, gauge (relative to atmosphere; negative below it).
    public var millimetersOfMercury: Double
    /// A pressure of `millimetersOfMercury` mmHg (gauge).
    public init(millimetersOfMercury: Double) { self.millimetersOfMercury = millimetersOfMercury }
    /// A pressure of `value` mmHg (gauge).
    public static func mmHg(_ value: Double) -> Pressure { Pressure(millimetersOfMercury: value) }
    public static func < (a: Pressure, b: Pressure) -> Bool { a.millimetersOfMercury < b.millimetersOfMercury }
    public var description: String { "\(formatted(millimetersOfMercury, 1)) mmHg" }
}

/// Temperature in degrees Celsius.
public struct Temperature: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The value in °C.
    public var degreesCelsius: Double
    /// A temperature of `degreesCelsius` °C.
    public init(degreesCelsius: Double) { self.degreesCelsius = degreesCelsius }
    /// A temperature of `value` °C.
    public static func celsius(_ value: Double) -> Temperature { Temperature(degreesCelsius: value) }
    public static func < (a: Temperature, b: Temperature) -> Bool { a.degreesCelsius < b.degreesCelsius }
    public var description: String { "\(formatted(degreesCelsius, 2)) °C" }
}

/// Volumetric flow in millilitres per minute.
public struct FlowRate: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The value in mL/min.
    public var millilitersPerMinute: Double
    /// A flow of `millilitersPerMinute` mL/min.
    public init(millilitersPerMinute: Double) { self.millilitersPerMinute = millilitersPerMinute }
    /// A flow of `value` mL/min.
    public static func mLPerMinute(_ value: Double) -> FlowRate { FlowRate(millilitersPerMinute: value) }
    /// No flow.
    public static let zero = FlowRate(millilitersPerMinute: 0)
    public static func < (a: FlowRate, b: FlowRate) -> Bool { a.millilitersPerMinute < b.millilitersPerMinute }
    public var description: String { "\(formatted(millilitersPerMinute, 1)) mL/min" }
}

/// Rotor speed in revolutions per minute.
public struct RotationalSpeed: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The value in rpm.
    public var revolutionsPerMinute: Double
    /// A speed of `revolutionsPerMinute` rpm.
    public init(revolutionsPerMinute: Double) { self.revolutionsPerMinute = revolutionsPerMinute }
    /// A speed of `value` rpm.
    public static func rpm(_ value: Double) -> RotationalSpeed { RotationalSpeed(revolutionsPerMinute: value) }
    /// A stopped rotor.
    public static let zero = RotationalSpeed(revolutionsPerMinute: 0)
    public static func < (a: RotationalSpeed, b: RotationalSpeed) -> Bool { a.revolutionsPerMinute < b.revolutionsPerMinute }
    public var description: String { "\(formatted(revolutionsPerMinute, 1)) rpm" }
}

/// Volume in millilitres.
public struct Volume: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The value in mL.
    public var milliliters: Double
    /// A volume of `milliliters` mL.
    public init(milliliters: Double) { self.milliliters = milliliters }
    /// A volume of `value` mL.
    public static func mL(_ value: Double) -> Volume { Volume(milliliters: value) }
    public static func < (a: Volume, b: Volume) -> Bool { a.milliliters < b.milliliters }
    public var description: String { "\(formatted(milliliters, 1)) mL" }
}

/// Tubing calibration: volume delivered per rotor revolution.
public struct TubingCalibration: Hashable, Sendable, CustomStringConvertible {
    /// Millilitres delivered per rotor revolution (depends on the tubing's bore).
    public var millilitersPerRevolution: Double
    /// A calibration of `millilitersPerRevolution` mL per revolution.
    public init(millilitersPerRevolution: Double) { self.millilitersPerRevolution = millilitersPerRevolution }
    public var description: String { "\(formatted(millilitersPerRevolution, 3)) mL/rev" }

    /// The rotor speed that delivers `flow`.
    public func speed(for flow: FlowRate) -> RotationalSpeed {
        .rpm(flow.millilitersPerMinute / millilitersPerRevolution)
    }

    /// The flow `speed` delivers.
    public func flow(at speed: RotationalSpeed) -> FlowRate {
        .mLPerMinute(speed.revolutionsPerMinute * millilitersPerRevolution)
    }
}

/// A concentration in parts per million (blood-leak detector: haemoglobin equivalent).
public struct Concentration: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The value in ppm.
    public var partsPerMillion: Double
    /// A concentration of `partsPerMillion` ppm.
    public init(partsPerMillion: Double) { self.partsPerMillion = partsPerMillion }
    /// A concentration of `value` ppm.
    public static func ppm(_ value: Double) -> Concentration { Concentration(partsPerMillion: value) }
    public static func < (a: Concentration, b: Concentration) -> Bool { a.partsPerMillion < b.partsPerMillion }
    public var description: String { "\(formatted(partsPerMillion, 0)) ppm" }
}

/// A fraction of full scale, in percent (heater output power).
public struct Percentage: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The value in percent of full scale (0-100).
    public var percent: Double
    /// A fraction of `percent` % of full scale.
    public init(percent: Double) { self.percent = percent }
    public static func < (a: Percentage, b: Percentage) -> Bool { a.percent < b.percent }
    public var description: String { "\(formatted(percent, 1)) %" }
}

/// Fixed decimals without Foundation; never traps (NaN, infinities and huge values print as such).
func formatted(_ value: Double, _ decimals: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
    guard abs(value) < 1e15 else { return "\(value)" }
    var factor = 1.0
    for _ in 0..<decimals { factor *= 10 }
    let scaled = (abs(value) * factor).rounded()
    let whole = Int64(scaled / factor)
    let fraction = Int64(scaled) - whole * Int64(factor)
    let sign = value < 0 && scaled != 0 ? "-" : ""
    guard decimals > 0 else { return sign + String(whole) }
    let digits = String(fraction)
    return sign + String(whole) + "." + String(repeating: "0", count: decimals - digits.count) + digits
}
