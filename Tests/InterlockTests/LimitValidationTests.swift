import HardwareInterfaces
import Interlock
import Testing

/// Operators may only tighten; the hard bounds are constants in code; a limit that makes no
/// sense is refused; every refusal names the limit and the bound.
@Suite("Limit validation")
struct LimitValidationTests {
    @Test("SAFETY.md's defaults are valid and are what the machine runs on")
    func defaultsAreValid() throws {
        let limits = try InterlockLimits.standard.validated()
        #expect(limits == InterlockLimits())
        #expect(limits.venousPressureHigh == .mmHg(300))
        #expect(limits.venousPressureLow == .mmHg(10))
        #expect(limits.arterialPressureLow == .mmHg(-250))
        #expect(limits.preFilterPressureHigh == .mmHg(400))
        #expect(limits.transmembranePressureHigh == .mmHg(50))
        #expect(limits.bloodLeak == .ppm(350))
        #expect(limits.plasmaTemperatureHigh == .celsius(41))
        #expect(limits.plasmaTemperatureLow == .celsius(35))
        #expect(limits.plasmaTemperatureVeryLow == .celsius(33))
        #expect(limits.temperatureProbeDisagreement == 1.0)
        #expect(limits.heaterElementHigh == .celsius(45))
        #expect(limits.tachometerDeviationPercent == 10)
        #expect(limits.bloodPumpStopTime == 120)
        #expect(limits.consecutiveFailures == 3)
        #expect(limits.frozenSensorWindow == 10)
        #expect(limits.staleDeadlines[.venousPressure] == 0.3)
        #expect(limits.staleDeadlines[.airDetector] == 0.3)
        #expect(limits.persistence[.venousPressureHigh] == 1)
        #expect(limits.persistence[.bloodLeak] == 5)
        #expect(limits.persistence[.plasmaTemperatureLow] == 60)
        #expect(limits.persistence[.plasmaTemperatureVeryLow] == 5)
        #expect(limits.persistence[.airAtReturnLine] == 0)
        #expect(InterlockConfiguration.fullCircuit.limits == limits)
    }

    /// A loosening past a hard bound, and the error it must raise.
    struct Loosening: Sendable, CustomTestStringConvertible {
        let change: @Sendable (inout InterlockLimits) -> Void
        let limit: InterlockLimit
        let value: Double
        let bound: Double
        var testDescription: String { "\(limit) to \(value)" }
    }

    static let loosenings: [Loosening] = [
        Loosening(change: { $0.venousPressureHigh = .mmHg(451) }, limit: .venousPressureHigh, value: 451, bound: 450),
        Loosening(change: { $0.venousPressureLow = .mmHg(-51) }, limit: .venousPressureLow, value: -51, bound: -50),
        Loosening(change: { $0.arterialPressureLow = .mmHg(-351) }, limit: .arterialPressureLow, value: -351, bound: -350),
        Loosening(change: { $0.preFilterPressureHigh = .mmHg(401) }, limit: .preFilterPressureHigh, value: 401, bound: 400),
        Loosening(change: { $0.transmembranePressureHigh = .mmHg(76) }, limit: .transmembranePressureHigh, value: 76, bound: 75),
        Loosening(change: { $0.transmembraneLatchTime = 11 }, limit: .transmembraneLatchTime, value: 11, bound: 10),
        Loosening(change: { $0.bloodLeak = .ppm(351) }, limit: .bloodLeak, value: 351, bound: 350),
        Loosening(change: { $0.plasmaTemperatureHigh = .celsius(42.5) }, limit: .plasmaTemperatureHigh, value: 42.5, bound: 42),
        Loosening(change: { $0.plasmaTemperatureLow = .celsius(34.5) }, limit: .plasmaTemperatureLow, value: 34.5, bound: 35),
        Loosening(change: { $0.plasmaTemperatureVeryLow = .celsius(32) }, limit: .plasmaTemperatureVeryLow, value: 32, bound: 33),
        Loosening(change: { $0.temperatureProbeDisagreement = 1.5 }, limit: .temperatureProbeDisagreement, value: 1.5, bound: 1),
        Loosening(change: { $0.heaterElementHigh = .celsius(46) }, limit: .heaterElementHigh, value: 46, bound: 45),
        Loosening(change: { $0.tachometerDeviationPercent = 15 }, limit: .tachometerDeviation, value: 15, bound: 10),
        Loosening(change: { $0.tachometerDeadband = .rpm(2) }, limit: .tachometerDeadband, value: 2, bound: 1),
        Loosening(change: { $0.bloodPumpStopTime = 180 }, limit: .bloodPumpStopTime, value: 180, bound: 120),
        Loosening(change: { $0.consecutiveFailures = 5 }, limit: .consecutiveFailures, value: 5, bound: 3),
        Loosening(change: { $0.frozenSensorWindow = 20 }, limit: .frozenSensorWindow, value: 20, bound: 10),
        Loosening(change: { $0.persistence.venousPressureHigh = 1.5 }, limit: .persistence(.venousPressureHigh), value: 1.5, bound: 1),
        Loosening(change: { $0.persistence.plasmaTemperatureLow = 90 }, limit: .persistence(.plasmaTemperatureLow), value: 90, bound: 60),
        Loosening(change: { $0.staleDeadlines[.venousPressure] = 0.4 }, limit: .staleDeadline(.venousPressure), value: 0.4, bound: 0.3),
        Loosening(change: { $0.staleDeadlines[.airDetector] = 0.5 }, limit: .staleDeadline(.airDetector), value: 0.5, bound: 0.3),
        // Three poll periods of 150 ms: 450 ms, past the 300 ms bound of pressures.
        Loosening(change: { $0.staleDeadlines.setPollPeriod(0.15, for: .arterialPressure) },
                  limit: .staleDeadline(.arterialPressure), value: 3 * 0.15, bound: 0.3),
        Loosening(change: { $0.flowRanges.blood.maximum = .mLPerMinute(500) }, limit: .flowMaximum(.blood), value: 500, bound: 400),
        Loosening(change: { $0.flowRanges.recirculation.minimum = .mLPerMinute(50) }, limit: .flowMinimum(.recirculation), value: 50, bound: 100),
    ]

    @Test("a limit cannot be loosened past its hard bound; the error names the limit and the bound", arguments: loosenings)
    func cannotLoosenPastHardBound(_ loosening: Loosening) {
        #expect(throws: LimitError.pastHardBound(loosening.limit, value: loosening.value, hardBound: loosening.bound)) {
            try InterlockLimits.standard.tightened(loosening.change)
        }
        do {
            _ = try InterlockLimits.standard.tightened(loosening.change)
        } catch {
            let text = error.description
            #expect(text.contains(loosening.limit.description), "\(text)")
            #expect(text.contains("hard bound"), "\(text)")
            #expect(text.contains(loosening.limit.unit), "\(text)")
            #expect(!text.contains("9999"), "\(text)")
        }
    }

    @Test("the error reads: limit, value, hard bound, unit (SR-2)")
    func errorText() {
        #expect(throws: LimitError.self) { try InterlockLimits.standard.tightened { $0.venousPressureHigh = .mmHg(500) } }
        let error = LimitError.pastHardBound(.venousPressureHigh, value: 500, hardBound: 450)
        #expect(error.description == "SR-2 venous pressure high limit: 500 mmHg is past its hard bound 450 mmHg (operators may only tighten)")
        #expect(error.limit.requirement == .sr2)
    }

    @Test("loosening up to the hard bound, and any tightening, are accepted")
    func upToTheBoundAndTighter() throws {
        let loosened = try InterlockLimits.standard.tightened {
            $0.venousPressureHigh = .mmHg(450)
            $0.venousPressureLow = .mmHg(-50)
            $0.arterialPressureLow = .mmHg(-350)
            $0.transmembranePressureHigh = .mmHg(75)
            $0.plasmaTemperatureHigh = .celsius(42)
        }
        #expect(loosened.venousPressureHigh == .mmHg(450))
        let tightened = try InterlockLimits.standard.tightened {
            $0.venousPressureHigh = .mmHg(250)
            $0.venousPressureLow = .mmHg(20)
            $0.arterialPressureLow = .mmHg(-200)
            $0.bloodLeak = .ppm(200)
            $0.plasmaTemperatureLow = .celsius(36)
            $0.plasmaTemperatureVeryLow = .celsius(34)
            $0.persistence = .zero
            $0.staleDeadlines.setPollPeriod(0.05, for: .venousPressure)
            $0.flowRanges.blood = FlowRange(minimum: .mLPerMinute(100), maximum: .mLPerMinute(250))
        }
        #expect(tightened.persistence[.bloodLeak] == 0)
        #expect(tightened.staleDeadlines[.venousPressure] == 3 * 0.05)
        #expect(throws: Never.self) { try InterlockConfiguration(limits: tightened) }
    }

    /// A limit made nonsensical, and the limit the error must name.
    struct Nonsense: Sendable, CustomTestStringConvertible {
        let name: String
        let change: @Sendable (inout InterlockLimits) -> Void
        let limit: InterlockLimit
        var testDescription: String { name }
    }

    static let nonsense: [Nonsense] = [
        // A broken relation names the limit that was changed, not its untouched partner.
        Nonsense(name: "venous high set below venous low", change: { $0.venousPressureHigh = .mmHg(5) }, limit: .venousPressureHigh),
        Nonsense(name: "venous low set above venous high", change: { $0.venousPressureLow = .mmHg(350) }, limit: .venousPressureLow),
        Nonsense(name: "plasma high set below the target", change: { $0.plasmaTemperatureHigh = .celsius(36.5) }, limit: .plasmaTemperatureHigh),
        Nonsense(name: "target set above plasma high", change: { $0.plasmaTemperatureTarget = .celsius(41.5) }, limit: .plasmaTemperatureTarget),
        Nonsense(name: "arterial low not below zero", change: { $0.arterialPressureLow = .mmHg(0) }, limit: .arterialPressureLow),
        Nonsense(name: "NaN venous high", change: { $0.venousPressureHigh = .mmHg(.nan) }, limit: .venousPressureHigh),
        Nonsense(name: "infinite TMP", change: { $0.transmembranePressureHigh = .mmHg(-.infinity) }, limit: .transmembranePressureHigh),
        Nonsense(name: "zero TMP", change: { $0.transmembranePressureHigh = .mmHg(0) }, limit: .transmembranePressureHigh),
        Nonsense(name: "zero blood-leak limit", change: { $0.bloodLeak = .ppm(0) }, limit: .bloodLeak),
        Nonsense(name: "very-low above low", change: { $0.plasmaTemperatureLow = .celsius(35.5); $0.plasmaTemperatureVeryLow = .celsius(36) },
                 limit: .plasmaTemperatureVeryLow),
        Nonsense(name: "target above the high limit", change: { $0.plasmaTemperatureTarget = .celsius(41.5) }, limit: .plasmaTemperatureTarget),
        Nonsense(name: "target below the low limit", change: { $0.plasmaTemperatureTarget = .celsius(34) }, limit: .plasmaTemperatureTarget),
        Nonsense(name: "element limit below target", change: { $0.heaterElementHigh = .celsius(36) }, limit: .heaterElementHigh),
        Nonsense(name: "zero disagreement", change: { $0.temperatureProbeDisagreement = 0 }, limit: .temperatureProbeDisagreement),
        Nonsense(name: "negative deadband", change: { $0.tachometerDeadband = .rpm(-1) }, limit: .tachometerDeadband),
        Nonsense(name: "zero failures", change: { $0.consecutiveFailures = 0 }, limit: .consecutiveFailures),
        Nonsense(name: "zero frozen window", change: { $0.frozenSensorWindow = 0 }, limit: .frozenSensorWindow),
        Nonsense(name: "negative persistence", change: { $0.persistence.bloodLeak = -1 }, limit: .persistence(.bloodLeak)),
        Nonsense(name: "zero stale deadline", change: { $0.staleDeadlines[.bloodPump] = 0 }, limit: .staleDeadline(.bloodPump)),
        Nonsense(name: "flow minimum above maximum",
                 change: { $0.flowRanges.plasma = FlowRange(minimum: .mLPerMinute(100), maximum: .mLPerMinute(50)) },
                 limit: .flowMinimum(.plasma)),
    ]

    @Test("a nonsensical limit is refused, naming the limit", arguments: nonsense)
    func nonsensicalLimits(_ case_: Nonsense) {
        do {
            _ = try InterlockLimits.standard.tightened(case_.change)
            Issue.record("accepted: \(case_.name)")
        } catch {
            #expect(error.limit == case_.limit, "\(error)")
            guard case .nonsensical = error else {
                Issue.record("expected nonsensical, got \(error)")
                return
            }
            #expect(error.description.contains(case_.limit.description))
        }
    }

    @Test("the machine only runs on validated limits: the configuration refuses others, and circuits without an essential role")
    func configurationValidates() {
        var limits = InterlockLimits()
        limits.venousPressureHigh = .mmHg(600)
        #expect(throws: ConfigurationError.invalidLimit(.pastHardBound(.venousPressureHigh, value: 600, hardBound: 450))) {
            try InterlockConfiguration(limits: limits)
        }
        for role in InterlockConfiguration.essentialRoles {
            var roles = Set(DeviceRole.allCases)
            roles.remove(role)
            // The patient's line needs a pump: the blood pump, or the infusion pump instead.
            if role == .bloodPump {
                #expect(throws: Never.self) { try InterlockConfiguration(roles: roles) }
                roles.remove(.infusionPump)
            }
            #expect(throws: ConfigurationError.missingEssentialRole(role)) { try InterlockConfiguration(roles: roles) }
        }
    }

    @Test("persistence of the immediate rows (SR-1, SR-11, SR-13…) is fixed at zero")
    func immediateRowsHaveNoPersistence() {
        var times = PersistenceTimes()
        for kind in [ConditionKind.airAtReturnLine, .heaterElementOverTemperature, .pumpFirmwareFault, .deviceLost, .staleData] {
            #expect(!times.isConfigurable(kind))
            times[kind] = 5
            #expect(times[kind] == 0)
        }
        #expect(PersistenceTimes.zero[.plasmaTemperatureLow] == 0)
    }
}
