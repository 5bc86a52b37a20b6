public import Circuit
public import CircuitConfiguration
import Drivers
import FirmwareProtocols
import HardwareInterfaces

/// The plot panel a signal is drawn in.
public enum SignalPanel: String, Sendable, CaseIterable {
    /// Pressures (mmHg), temperatures (°C), flows (mL/min).
    case pressure, temperature, flow

    /// The panel's axis label, with its unit.
    public var axisLabel: String {
        switch self {
        case .pressure: "pressure (mmHg)"
        case .temperature: "temperature (°C)"
        case .flow: "flow (mL/min)"
        }
    }
}

/// One traced signal: a value the runtime's snapshot carries, in one unit.
public struct Signal: Sendable {
    /// Its name in scenarios and in the CSV trace (`venousPressure`).
    public var name: String
    /// Its unit.
    public var unit: String
    /// Where the plot draws it (nil: traced, not plotted — states, speeds, ppm).
    public var panel: SignalPanel?
    /// Its value in a snapshot; nil when the role has no reading yet.
    public var value: @Sendable (CircuitSnapshot) -> Double?
}

/// The signals of a circuit: every role's values, named as scenarios name them.
public enum SignalCatalog {
    /// Every signal of `circuit`'s roles, in role order.
    public static func signals(for circuit: CircuitConfiguration) -> [Signal] {
        var result: [Signal] = []
        let roles = Set(circuit.roles)
        for role in CircuitRole.allCases where roles.contains(role) {
            switch role.signalClass {
            case .pressure:
                result.append(Signal(name: role.rawValue, unit: "mmHg", panel: .pressure) { pressure($0, role) })
            case .temperature:
                if role == .plasmaTemperature {
                    result.append(Signal(name: "plasmaTemperatureA", unit: "°C", panel: .temperature) { probe($0, role, a: true) })
                    result.append(Signal(name: "plasmaTemperatureB", unit: "°C", panel: .temperature) { probe($0, role, a: false) })
                } else {
                    result.append(Signal(name: role.rawValue, unit: "°C", panel: .temperature) { probe($0, role, a: true) })
                }
            case .heater:
                result.append(Signal(name: "heaterElementTemperature", unit: "°C", panel: .temperature) {
                    guard case .heater(let r)? = $0[role]?.reading else { return nil }
                    return try? r.elementTemperature.get().degreesCelsius
                })
                result.append(Signal(name: "heaterPower", unit: "%", panel: nil) {
                    guard case .heater(let r)? = $0[role]?.reading else { return nil }
                    return r.outputPower.percent
                })
                result.append(Signal(name: "heaterEnabled", unit: "0/1", panel: nil) {
                    guard case .heater(let r)? = $0[role]?.reading else { return nil }
                    return r.status.contains(.enabled) ? 1 : 0
                })
            case .pump:
                // The line-protocol pump reports its speed, not a flow.
                if circuit.device(role)?.deviceFamily != .asciiPump {
                    result.append(Signal(name: "\(role.rawValue)Flow", unit: "mL/min", panel: .flow) {
                        guard case .pump(let r)? = $0[role]?.reading else { return nil }
                        return r.actualFlow.millilitersPerMinute
                    })
                }
                result.append(Signal(name: "\(role.rawValue)Speed", unit: "rpm", panel: nil) {
                    switch $0[role]?.reading {
                    case .pump(let r)?: r.actualSpeed.revolutionsPerMinute
                    case .linePump(let s)?: s.actualSpeed.revolutionsPerMinute
                    default: nil
                    }
                })
                result.append(Signal(name: "\(role.rawValue)Running", unit: "0/1", panel: nil) {
                    switch $0[role]?.reading {
                    case .pump(let r)?: r.isRunning ? 1 : 0
                    case .linePump(let s)?: s.isRunning ? 1 : 0
                    default: nil
                    }
                })
            case .air:
                result.append(Signal(name: "airDetected", unit: "0/1", panel: nil) {
                    guard case .airDetector(let r)? = $0[role]?.reading else { return nil }
                    return r.isAirDetected ? 1 : 0
                })
                result.append(Signal(name: "returnClampClosed", unit: "0/1", panel: nil) {
                    guard case .airDetector(let r)? = $0[role]?.reading else { return nil }
                    return r.clampPosition == .closed ? 1 : 0
                })
            case .bloodLeak:
                result.append(Signal(name: "bloodLeak", unit: "ppm", panel: nil) {
                    guard case .bloodLeak(let r)? = $0[role]?.reading else { return nil }
                    return r.haemoglobin.partsPerMillion
                })
            }
        }
        // SR-6's quantity, as the interlock computes it: (pre-filter + venous) / 2 - filtrate.
        if roles.isSuperset(of: [.preFilterPressure, .venousPressure, .filtratePressure]) {
            result.append(Signal(name: "transmembranePressure", unit: "mmHg", panel: .pressure) {
                guard let pre = pressure($0, .preFilterPressure), let venous = pressure($0, .venousPressure),
                      let filtrate = pressure($0, .filtratePressure) else { return nil }
                return (pre + venous) / 2 - filtrate
            })
        }
        return result
    }

    static func pressure(_ snapshot: CircuitSnapshot, _ role: CircuitRole) -> Double? {
        guard case .pressure(let r)? = snapshot[role]?.reading else { return nil }
        return r.pressure.millimetersOfMercury
    }

    static func probe(_ snapshot: CircuitSnapshot, _ role: CircuitRole, a: Bool) -> Double? {
        guard case .temperature(let r)? = snapshot[role]?.reading else { return nil }
        return try? (a ? r.probeA : r.probeB).get().degreesCelsius
    }
}
