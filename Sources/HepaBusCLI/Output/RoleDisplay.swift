import Circuit
import CircuitConfiguration
import Foundation
import HardwareInterfaces

/// One role as the monitor shows it: its main value with its unit, the other channels
/// its device reports, how old the reading is, its limits and what the interlock's rules
/// say about it.
struct RoleDisplay {
    var role: CircuitRole
    var bus: String
    var unitID: UInt8
    /// The main value: a number, a flag, or nil before the first reading (or a failed probe).
    var value: Value?
    var unit: String
    var summary: String
    /// Further channels, JSON-ready ("speed_rpm": "18.8").
    var channels: [(String, Value)]
    var age: Duration?
    var limits: [RoleLimit]
    var alarms: [RoleAlarm]
    /// The latest poll's failure, if it failed.
    var error: String?

    enum Value {
        case number(Double)
        case flag(Bool)
        case text(String)

        var json: String {
            switch self {
            case .number(let v): v.isFinite ? "\((v * 1000).rounded() / 1000)" : "null"
            case .flag(let b): "\(b)"
            case .text(let s): "\"\(jsonEscaped(s))\""
            }
        }
    }

    /// "alarm", "pending", "ok", or "no data" while nothing has been read (nothing to call ok).
    var alarmState: String {
        if alarms.contains(where: { $0.state != .pending }) { return "alarm" }
        if !alarms.isEmpty { return "pending" }
        return hasReading ? "ok" : "no data"
    }

    /// A reading has been taken (``value`` may still be nil for a failed probe).
    var hasReading: Bool

    init(sample: RoleSample?, device: CircuitConfiguration.Device, at now: ContinuousClock.Instant, observer: CircuitObserver) {
        role = device.role
        bus = device.bus
        unitID = device.unit
        limits = observer.limits(for: device.role)
        alarms = observer.alarms(for: device.role)
        age = sample?.age(at: now)
        error = sample?.lastError.map { "\($0)" }
        channels = []
        summary = sample?.reading?.summary ?? "no reading"
        hasReading = sample?.reading != nil
        switch sample?.reading {
        case nil:
            value = nil
            unit = ""
        case .pump(let r)?:
            value = .number(r.actualFlow.millilitersPerMinute)
            unit = "mL/min"
            channels = [("speed_rpm", .number(r.actualSpeed.revolutionsPerMinute)), ("running", .flag(r.isRunning)),
                        ("delivered_ml", .number(r.deliveredVolume.milliliters))] + r.faultNames.map { ($0, .flag(true)) }
        case .linePump(let s)?:
            value = .number(s.actualSpeed.revolutionsPerMinute)
            unit = "rpm"
            channels = [("setpoint_rpm", .number(s.speedSetpoint.revolutionsPerMinute)), ("running", .flag(s.isRunning))]
                + s.faultNames.map { ($0, .flag(true)) }
        case .pressure(let r)?:
            value = .number(r.pressure.millimetersOfMercury)
            unit = "mmHg"
            channels = [("zeroed", .flag(r.isZeroed)), ("within_sensor_range", .flag(r.isWithinSensorRange))]
        case .temperature(let r)?:
            value = (try? r.probeA.get()).map { .number($0.degreesCelsius) }
            unit = "°C"
            channels = [("probe_b_celsius", (try? r.probeB.get()).map { .number($0.degreesCelsius) } ?? .text("fault"))]
        case .heater(let r)?:
            value = .number(r.outputPower.percent)
            unit = "%"
            channels = [("element_celsius", (try? r.elementTemperature.get()).map { .number($0.degreesCelsius) } ?? .text("fault")),
                        ("outlet_celsius", (try? r.outletTemperature.get()).map { .number($0.degreesCelsius) } ?? .text("fault")),
                        ("heating", .flag(r.isHeating))] + r.faultNames.map { ($0, .flag(true)) }
        case .airDetector(let r)?:
            value = .flag(r.isAirDetected)
            unit = "air"
            channels = [("clamp", .text("\(r.clampPosition)")), ("air_events", .number(Double(r.airEventCount)))]
                + r.faultNames.map { ($0, .flag(true)) }
        case .bloodLeak(let r)?:
            value = .number(r.haemoglobin.partsPerMillion)
            unit = "ppm"
            channels = [("leak_detected", .flag(r.isLeakDetected))]
        }
    }

    var json: String {
        var fields = ["\"role\":\"\(role.rawValue)\"", "\"bus\":\"\(jsonEscaped(bus))\"", "\"unit_id\":\(unitID)",
                      "\"value\":\(value?.json ?? "null")", "\"unit\":\"\(jsonEscaped(unit))\"",
                      "\"summary\":\"\(jsonEscaped(summary))\""]
        fields.append("\"channels\":{" + channels.map { "\"\(jsonEscaped($0.0))\":\($0.1.json)" }.joined(separator: ",") + "}")
        fields.append("\"age_ms\":" + (age.map { String(Int($0.milliseconds.rounded())) } ?? "null"))
        fields.append("\"limits\":[" + limits.map(Self.json).joined(separator: ",") + "]")
        fields.append("\"alarm\":\"\(alarmState)\"")
        fields.append("\"alarms\":[" + alarms.map {
            "{\"requirement\":\"\($0.requirement)\",\"condition\":\"\(jsonEscaped($0.condition))\",\"state\":\"\($0.state.rawValue)\","
                + "\"detail\":\"\(jsonEscaped($0.detail))\"}"
        }.joined(separator: ",") + "]")
        fields.append("\"error\":" + (error.map { "\"\(jsonEscaped($0))\"" } ?? "null"))
        return "{" + fields.joined(separator: ",") + "}"
    }

    static func json(_ limit: RoleLimit) -> String {
        var fields = ["\"name\":\"\(limit.name)\"", "\"comparison\":\"\(limit.comparison.rawValue)\"", "\"unit\":\"\(jsonEscaped(limit.unit))\""]
        if let requirement = limit.requirement { fields.append("\"requirement\":\"\(requirement)\"") }
        if let value = limit.value { fields.append("\"value\":\(value)") }
        if let maximum = limit.maximum { fields.append("\"maximum\":\(maximum)") }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// One line for a person.
    var line: String {
        let ageText = age.map { String(format: "%5.0f ms", $0.milliseconds) } ?? "    - ms"
        var text = role.rawValue.padded(22) + " " + summary.padded(34) + " " + ageText + "  "
        let shownLimits = limits.filter { $0.comparison != .olderThan }.map(\.description)
        text += (shownLimits.isEmpty ? "-" : shownLimits.joined(separator: ", ")).padded(44)
        switch alarmState {
        case "ok", "no data": text += "  " + alarmState
        default: text += "  " + alarms.map(\.description).joined(separator: "; ").uppercasedFirst(alarmState == "alarm")
        }
        if let error { text += "  ! \(error)" }
        return text
    }
}

extension String {
    /// Padded with spaces to `width`, never cut: a long value widens its column.
    func padded(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }

    /// "ALARM …" for an alarm, as is otherwise.
    fileprivate func uppercasedFirst(_ loud: Bool) -> String { loud ? "ALARM " + self : "pending " + self }
}
