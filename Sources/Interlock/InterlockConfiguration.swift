/// What the interlock protects: the roles present in the circuit and the validated limits.
///
/// The only way to give the machine limits: the initializer validates them, so an
/// ``Interlock`` never runs on limits loosened past a hard bound.
public struct InterlockConfiguration: Hashable, Sendable {
    /// The roles present in this circuit (a circuit may lack some: no recirculation pump,
    /// no bioreactor, one temperature probe).
    public let roles: Set<DeviceRole>
    /// The validated limits.
    public let limits: InterlockLimits
    /// Every condition that applies to this circuit, in evaluation order (blood side
    /// first). SR-18 is raised by the self-test result and is not in this list.
    public let conditions: [Condition]

    /// The roles without which the interlock cannot reach S1 or see its blood-side
    /// hazards: a pump on the patient's line (the blood pump, or in a cell infusion the
    /// infusion pump), the venous pressure and the air detector with its clamp.
    public static let essentialRoles: Set<DeviceRole> = [.bloodPump, .venousPressure, .airDetector]

    /// The pumps that can stand for the patient's line (one of them is essential).
    public static let patientLinePumps: Set<DeviceRole> = [.bloodPump, .infusionPump]

    /// A configuration for `roles` with `limits`.
    ///
    /// - Throws: ``ConfigurationError/missingEssentialRole(_:)`` if an essential role is
    ///   absent; ``ConfigurationError/invalidLimit(_:)`` with the ``LimitError`` naming
    ///   the limit and its hard bound.
    public init(roles: Set<DeviceRole> = Set(DeviceRole.allCases),
                limits: InterlockLimits = .standard) throws(ConfigurationError) {
        for role in DeviceRole.allCases where Self.essentialRoles.contains(role) && !roles.contains(role) {
            if Self.patientLinePumps.contains(role), !roles.isDisjoint(with: Self.patientLinePumps) { continue }
            throw .missingEssentialRole(role)
        }
        do {
            self.limits = try limits.validated()
        } catch {
            throw .invalidLimit(error)
        }
        self.roles = roles
        self.conditions = Self.conditions(for: roles)
    }

    /// The full bioartificial liver circuit (every role) with SAFETY.md's limits.
    public static let fullCircuit: InterlockConfiguration = {
        do { return try InterlockConfiguration() } catch { fatalError("the SAFETY.md defaults are valid: \(error)") }
    }()

    /// The circuit has `role`.
    public func has(_ role: DeviceRole) -> Bool { roles.contains(role) }

    /// The pumps present, in safe order (blood first).
    public var pumps: [PumpRole] { PumpRole.allCases.filter { has($0.deviceRole) } }

    private static func conditions(for roles: Set<DeviceRole>) -> [Condition] {
        var list: [Condition] = [.airAtReturnLine, .venousPressureHigh, .venousPressureLow]
        if roles.contains(.arterialPressure) { list.append(.arterialPressureLow) }
        if roles.contains(.preFilterPressure) { list.append(.preFilterPressureHigh) }
        if roles.isSuperset(of: [.preFilterPressure, .venousPressure, .filtratePressure]) {
            list.append(.transmembranePressureHigh)
        }
        if roles.contains(.bloodLeakDetector) { list.append(.bloodLeak) }
        if roles.contains(.plasmaTemperatureA) || roles.contains(.plasmaTemperatureB) {
            list += [.plasmaTemperatureHigh, .plasmaTemperatureLow, .plasmaTemperatureVeryLow]
        }
        if roles.isSuperset(of: [.plasmaTemperatureA, .plasmaTemperatureB]) { list.append(.temperatureProbesDisagree) }
        if roles.contains(.plasmaHeater) { list.append(.heaterElementOverTemperature) }
        for pump in PumpRole.allCases where roles.contains(pump.deviceRole) {
            list += [.pumpSpeedDeviation(pump), .pumpFirmwareFault(pump)]
        }
        list.append(.bloodPumpStopped)
        for role in DeviceRole.allCases where roles.contains(role) { list.append(.staleData(role)) }
        for role in DeviceRole.allCases where roles.contains(role) { list.append(.deviceLost(role)) }
        for sensor in PressureSensor.allCases where roles.contains(sensor.deviceRole) {
            list.append(.frozenSensor(sensor))
        }
        return list
    }
}

/// Why a configuration was refused.
public enum ConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A limit was loosened past its hard bound or made nonsensical.
    case invalidLimit(LimitError)
    /// A role the interlock cannot protect the patient without is absent.
    case missingEssentialRole(DeviceRole)

    private static let patientLinePumpRoles = InterlockConfiguration.patientLinePumps

    /// What was wrong.
    public var description: String {
        switch self {
        case .invalidLimit(let error): error.description
        case .missingEssentialRole(let role) where Self.patientLinePumpRoles.contains(role):
            "the circuit has no pump on the patient's line (bloodPump or infusionPump): the interlock cannot protect the patient without it"
        case .missingEssentialRole(let role): "the circuit has no \(role): the interlock cannot protect the patient without it"
        }
    }
}
