/// Pressure in millimetres of mercury (gauge).
public struct Pressure: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var millimetersOfMercury: Double
    public init(millimetersOfMercury: Double) { self.millimetersOfMercury = millimetersOfMercury }
    public static func mmHg(_ value: Double) -> Pressure { Pressure(millimetersOfMercury: value) }
    public static func < (a: Pressure, b: Pressure) -> Bool { a.millimetersOfMercury < b.millimetersOfMercury }
    public var description: String { "\(formatted(millimetersOfMercury, 1)) mmHg" }
}

/// Temperature in degrees Celsius.
public struct Temperature: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var degreesCelsius: Double
    public init(degreesCelsius: Double) { self.degreesCelsius = degreesCelsius }
    public static func celsius(_ value: Double) -> Temperature { Temperature(degreesCelsius: value) }
    public static func < (a: Temperature, b: Temperature) -> Bool { a.degreesCelsius < b.degreesCelsius }
    public var description: String { "\(formatted(degreesCelsius, 2)) °C" }
}

/// Volumetric flow in millilitres per minute.
public struct FlowRate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var millilitersPerMinute: Double
    public init(millilitersPerMinute: Double) { self.millilitersPerMinute = millilitersPerMinute }
    public static func mLPerMinute(_ value: Double) -> FlowRate { FlowRate(millilitersPerMinute: value) }
    public static let zero = FlowRate(millilitersPerMinute: 0)
    public static func < (a: FlowRate, b: FlowRate) -> Bool { a.millilitersPerMinute < b.millilitersPerMinute }
    public var description: String { "\(formatted(millilitersPerMinute, 1)) mL/min" }
}

/// Rotor speed in revolutions per minute.
public struct RotationalSpeed: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var revolutionsPerMinute: Double
    public init(revolutionsPerMinute: Double) { self.revolutionsPerMinute = revolutionsPerMinute }
    public static func rpm(_ value: Double) -> RotationalSpeed { RotationalSpeed(revolutionsPerMinute: value) }
    public static let zero = RotationalSpeed(revolutionsPerMinute: 0)
    public static func < (a: RotationalSpeed, b: RotationalSpeed) -> Bool { a.revolutionsPerMinute < b.revolutionsPerMinute }
    public var description: String { "\(formatted(revolutionsPerMinute, 1)) rpm" }
}

/// Volume in millilitres.
public struct Volume: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var milliliters: Double
    public init(milliliters: Double) { self.milliliters = milliliters }
    public static func mL(_ value: Double) -> Volume { Volume(milliliters: value) }
    public static func < (a: Volume, b: Volume) -> Bool { a.milliliters < b.milliliters }
    public var description: String { "\(formatted(milliliters, 1)) mL" }
}

/// Tubing calibration: volume delivered per rotor revolution.
public struct TubingCalibration: Hashable, Sendable, CustomStringConvertible {
    public var millilitersPerRevolution: Double
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
    public var partsPerMillion: Double
    public init(partsPerMillion: Double) { self.partsPerMillion = partsPerMillion }
    public static func ppm(_ value: Double) -> Concentration { Concentration(partsPerMillion: value) }
    public static func < (a: Concentration, b: Concentration) -> Bool { a.partsPerMillion < b.partsPerMillion }
    public var description: String { "\(formatted(partsPerMillion, 0)) ppm" }
}

/// A fraction of full scale, in percent (heater output power).
public struct Percentage: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var percent: Double
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
