import CircuitConfiguration
import Foundation
import Interlock
import Simulator
public import StrictYAML
import Yams

/// Reads scenario files strictly: an unknown key, a wrong type, an unknown step, a bad
/// duration, a role the circuit does not have, a limit loosened past its hard bound is an
/// error naming the file, line, column and key (a ``YAMLError``).
public enum ScenarioParser {
    /// Reads and checks the scenario at `path`.
    public static func load(_ path: String) throws(YAMLError) -> Scenario {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw YAMLError(file: path, line: 0, column: 0, message: "cannot read the scenario file")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    /// Reads and checks a scenario; `file` names it in messages and resolves a relative circuit path.
    public static func parse(_ text: String, file: String) throws(YAMLError) -> Scenario {
        do {
            return try Reading(text: text, file: file).scenario()
        } catch let error as YAMLError {
            throw located(error)
        } catch {
            throw YAMLError(file: file, line: 0, column: 0, message: "\(error)")
        }
    }
}

/// A YAML syntax error carries its place inside the parser's message ("6:1: error: …"):
/// lift it out, so the error reads file:line:column like every other.
private func located(_ error: YAMLError) -> YAMLError {
    let prefix = "not valid YAML: "
    guard error.line == 0, error.message.hasPrefix(prefix) else { return error }
    let rest = error.message.dropFirst(prefix.count)
    let parts = rest.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
    guard parts.count == 3, let line = Int(parts[0]), let column = Int(parts[1]) else { return error }
    let detail = parts[2].trimmingCharacters(in: .whitespaces)
    return YAMLError(file: error.file, line: line, column: column,
                     message: "not valid YAML: " + (detail.hasPrefix("error: ") ? String(detail.dropFirst(7)) : detail))
}

/// One scenario file being read.
private struct Reading {
    let root: NodeReader
    let file: String

    init(text: String, file: String) throws {
        self.file = file
        self.root = try NodeReader.root(text, file: file, context: "the scenario")
    }

    func location(_ node: Node) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0)
    }

    func scenario() throws -> Scenario {
        let fields = try root.mapping(allowed: ["scenario", "description", "circuit", "target", "tightening", "steps"])
        let name = try root.string(try root.required(fields, "scenario"), key: "scenario")
        let summary = try fields["description"].map { try root.string($0, key: "description") } ?? ""
        let circuitNode = try root.required(fields, "circuit")
        let circuitName = try root.string(circuitNode, key: "circuit")
        let circuit = try loadCircuit(circuitName, at: circuitNode)
        let target = try fields["target"].map { try root.oneOf($0, key: "target", as: ScenarioTarget.self) } ?? .simulator
        let tightening = try fields["tightening"].map { try self.tightening($0) } ?? LimitTightening()
        let stepNodes = try root.sequence(try root.required(fields, "steps"), key: "steps")
        guard !stepNodes.isEmpty else { throw root.fail("'steps' is empty: a scenario needs at least one step", at: fields["steps"]) }
        var steps: [Step] = []
        let context = StepContext(reading: self, circuit: circuit, target: target)
        for (index, node) in stepNodes.enumerated() {
            steps.append(try context.step(node, number: index + 1))
        }
        return Scenario(name: name, summary: summary, file: file, circuitName: circuitName, circuit: circuit,
                        target: target, tightening: tightening, steps: steps)
    }

    /// A preset, or a circuit file relative to the scenario's folder.
    func loadCircuit(_ name: String, at node: Node) throws -> CircuitConfiguration {
        var path = name
        if !CircuitConfigurationLoader.presetNames.contains(name), !name.hasPrefix("/") {
            path = (URL(fileURLWithPath: file).deletingLastPathComponent().path as NSString).appendingPathComponent(name)
        }
        do {
            return try CircuitConfigurationLoader.load(path)
        } catch let error as YAMLError where error.line == 0 {
            throw root.fail("circuit '\(name)': \(error.message)", at: node)
        } catch {
            throw root.fail("circuit '\(name)': \(error)", at: node)
        }
    }

    func tightening(_ node: Node) throws -> LimitTightening {
        let reader = root.child(node, "tightening")
        let allowed = Set(["persistence", "consecutiveFailures"]).union(LimitTightening.windowNames).union(LimitTightening.valueNames)
        let fields = try reader.mapping(allowed: allowed)
        var settings: [LimitTightening.Setting] = []
        for (key, value) in fields.sorted(by: { ($0.value.mark?.line ?? 0) < ($1.value.mark?.line ?? 0) }) {
            switch key {
            case "persistence":
                let persistence = reader.child(value, "tightening.persistence")
                let times = try persistence.mapping(allowed: LimitTightening.persistenceNames)
                for (condition, time) in times.sorted(by: { ($0.value.mark?.line ?? 0) < ($1.value.mark?.line ?? 0) }) {
                    settings.append(.init(name: "persistence.\(condition)", value: try duration(time, key: condition, in: persistence).seconds,
                                          location: location(time)))
                }
            case "consecutiveFailures":
                // Range-checked here: a count past an Int's range has no faithful Double, and the check below works on Doubles.
                let count = try reader.integer(value, key: key, in: 1...HardBounds.consecutiveFailuresMaximum)
                settings.append(.init(name: key, value: Double(count), location: location(value)))
            case _ where LimitTightening.windowNames.contains(key):
                settings.append(.init(name: key, value: try duration(value, key: key, in: reader).seconds, location: location(value)))
            default:
                settings.append(.init(name: key, value: try reader.number(value, key: key), location: location(value)))
            }
        }
        // Each setting checked on its own against the hard bounds, so the error names its line.
        var limits = InterlockLimits.standard
        for setting in settings {
            do {
                limits = try limits.tightened { LimitTightening.apply(setting, to: &$0) }
            } catch {
                throw YAMLError(file: file, line: setting.location.line, column: setting.location.column,
                                message: "tightening '\(setting.name)': \(error)")
            }
        }
        return LimitTightening(settings: settings)
    }

    func duration(_ node: Node, key: String, in reader: NodeReader) throws -> Duration {
        let text = try reader.string(node, key: key)
        guard let d = DurationText.parse(text) else {
            throw reader.fail("'\(key)' in \(reader.context) is '\(text)', not a duration (write it with a unit: 500ms, 2s, 1.5s, 1min)", at: node)
        }
        return d
    }
}

/// Reading the steps, which are checked against the circuit (roles, buses, registers).
private struct StepContext {
    let reading: Reading
    let circuit: CircuitConfiguration
    let target: ScenarioTarget

    var root: NodeReader { reading.root }

    func step(_ node: Node, number: Int) throws -> Step {
        let location = reading.location(node)
        // A bare word: a command without arguments.
        if case .scalar(let scalar) = node {
            let name = scalar.string
            guard let command = ScenarioVocabulary.plainCommands[name] else {
                throw root.fail(unknownStep(name, number), at: node)
            }
            return Step(action: .command(command, .accepted), location: location)
        }
        guard case .mapping(let mapping) = node, mapping.count == 1, let pair = mapping.first,
              case .scalar(let keyScalar) = pair.key
        else {
            throw root.fail("step \(number) must be one step name, alone or with its arguments (steps: \(ScenarioVocabulary.stepNames.joined(separator: ", ")))", at: node)
        }
        let key = keyScalar.string
        let keyNode = pair.key
        let value = pair.value
        let reader = root.child(value, "step \(number) '\(key)'")
        let action: StepAction
        switch key {
        case "selfTest":
            let text = try reader.string(value, key: key)
            guard text == "pass" || text == "fail" else { throw reader.fail("'selfTest' is '\(text)'; expected pass or fail", at: value) }
            action = .selfTest(expectPass: text == "pass")
        case "setFlow":
            let fields = try reader.mapping(allowed: ["pump", "flow", "expect", "reason"])
            let pumpText = try reader.string(try reader.required(fields, "pump"), key: "pump")
            guard let pump = ScenarioVocabulary.pump(pumpText) else {
                throw reader.fail("'pump' in \(reader.context) is '\(pumpText)'; expected bloodPump, plasmaPump or recirculationPump", at: fields["pump"])
            }
            let flow = try reader.number(try reader.required(fields, "flow"), key: "flow")
            action = .command(.setFlow(pump, .mLPerMinute(flow)), try commandExpectation(fields, reader))
        case "wait":
            action = .wait(try reading.duration(value, key: "wait", in: reader))
        case "waitFor":
            let fields = try reader.mapping(allowed: Set(["within"]).union(Self.conditionKeys))
            action = .waitFor(try condition(fields, reader, required: true)!, within: try within(fields, reader))
        case "inject":
            if case .scalar = value {
                action = .inject(command: try controlCommand(value, reader), until: nil, within: .zero)
            } else {
                let fields = try reader.mapping(allowed: ["command", "until", "within"])
                let command = try controlCommand(try reader.required(fields, "command"), reader)
                var until: WaitCondition? = nil
                if let untilNode = fields["until"] {
                    let untilReader = reader.child(untilNode, "\(reader.context) 'until'")
                    until = try condition(try untilReader.mapping(allowed: Self.conditionKeys), untilReader, required: true)
                }
                guard until == nil || fields["within"] != nil else { throw reader.fail("\(reader.context): 'until' needs 'within'", at: fields["until"]) }
                action = .inject(command: command, until: until, within: try fields["within"].map { try reading.duration($0, key: "within", in: reader) } ?? .zero)
            }
        case "clear":
            let role = try reader.string(value, key: key)
            try checkRole(role, at: value, reader)
            action = .inject(command: "clear \(role)", until: nil, within: .zero)
        case "reconnect":
            let bus = try reader.string(value, key: key)
            guard circuit.buses.contains(where: { $0.name == bus }) else {
                throw reader.fail("'reconnect': the circuit has no bus '\(bus)' (buses: \(circuit.buses.map(\.name).joined(separator: ", ")))", at: value)
            }
            action = .reconnect(bus: bus)
        case "expect":
            action = .expect(try expectation(value, reader))
        default:
            if let command = ScenarioVocabulary.plainCommands[key] {
                let fields = try reader.mapping(allowed: ["expect", "reason"])
                action = .command(command, try commandExpectation(fields, reader))
            } else {
                throw root.fail(unknownStep(key, number), at: keyNode)
            }
        }
        return Step(action: action, location: location)
    }

    func unknownStep(_ name: String, _ number: Int) -> String {
        "unknown step '\(name)' (step \(number); steps: \(ScenarioVocabulary.stepNames.joined(separator: ", ")))"
    }

    func commandExpectation(_ fields: [String: Node], _ reader: NodeReader) throws -> CommandExpectation {
        let reason = try fields["reason"].map { try reader.string($0, key: "reason") }
        guard let node = fields["expect"] else {
            if fields["reason"] != nil { throw reader.fail("\(reader.context): 'reason' needs 'expect: refused'", at: fields["reason"]) }
            return .accepted
        }
        switch try reader.string(node, key: "expect") {
        case "accepted":
            if fields["reason"] != nil { throw reader.fail("\(reader.context): 'reason' goes with 'expect: refused'", at: fields["reason"]) }
            return .accepted
        case "refused": return .refused(reasonContaining: reason)
        case let other: throw reader.fail("'expect' in \(reader.context) is '\(other)'; expected accepted or refused", at: node)
        }
    }

    func within(_ fields: [String: Node], _ reader: NodeReader) throws -> Duration {
        try reading.duration(try reader.required(fields, "within"), key: "within", in: reader)
    }

    static let conditionKeys: Set<String> = ["signal", "above", "below", "equals", "tolerance", "lifecycle", "flow", "reaches", "cleared"]

    /// A wait condition from its keys (`signal` + above/below/equals[+tolerance], `flow` + reaches[+tolerance], `lifecycle`,
    /// `cleared`).
    func condition(_ fields: [String: Node], _ reader: NodeReader, required: Bool) throws -> WaitCondition? {
        if let node = fields["cleared"] {
            for other in ["signal", "flow", "lifecycle", "above", "below", "equals", "reaches", "tolerance"] where fields[other] != nil {
                throw reader.fail("\(reader.context): 'cleared' cannot go with '\(other)'", at: fields[other])
            }
            let text = try reader.string(node, key: "cleared")
            guard let sr = ScenarioVocabulary.requirement(text) else {
                throw reader.fail("'cleared' in \(reader.context) is '\(text)', not a SAFETY.md row (SR-1 … SR-18)", at: node)
            }
            return .cleared(sr)
        }
        if let node = fields["lifecycle"] {
            for other in ["signal", "flow", "above", "below", "equals", "reaches", "tolerance"] where fields[other] != nil {
                throw reader.fail("\(reader.context): 'lifecycle' cannot go with '\(other)'", at: fields[other])
            }
            return .lifecycle(try lifecycle(node, key: "lifecycle", reader))
        }
        if let node = fields["flow"] {
            let pump = try reader.string(node, key: "flow")
            guard let circuitRole = CircuitRole(rawValue: pump), circuitRole.isPump, circuit.device(circuitRole) != nil else {
                throw reader.fail("'flow' in \(reader.context) is '\(pump)', not a pump of circuit \(circuit.name)", at: node)
            }
            let target = try reader.number(try reader.required(fields, "reaches"), key: "reaches")
            let tolerance = try fields["tolerance"].map { try reader.number($0, key: "tolerance") } ?? max(2, abs(target) * 0.03)
            return .signal("\(pump)Flow", .near(target, tolerance: tolerance))
        }
        guard let node = fields["signal"] else {
            if !required { return nil }
            throw reader.fail("\(reader.context) needs 'signal' (with above, below or equals), 'flow' (with reaches), 'lifecycle' or 'cleared'")
        }
        let name = try reader.string(node, key: "signal")
        let signals = SignalCatalog.signals(for: circuit)
        guard signals.contains(where: { $0.name == name }) else {
            throw reader.fail("'signal' in \(reader.context) is '\(name)', not a signal of circuit \(circuit.name) (signals: \(signals.map(\.name).joined(separator: ", ")))", at: node)
        }
        return .signal(name, try comparison(fields, reader))
    }

    func comparison(_ fields: [String: Node], _ reader: NodeReader) throws -> Comparison {
        let present = ["above", "below", "equals"].filter { fields[$0] != nil }
        guard present.count == 1 else {
            throw reader.fail("\(reader.context) needs exactly one of above, below, equals" + (present.isEmpty ? "" : " (has \(present.joined(separator: ", ")))"))
        }
        let value = try reader.number(fields[present[0]]!, key: present[0])
        if present[0] != "equals", let t = fields["tolerance"] { throw reader.fail("'tolerance' goes with 'equals'", at: t) }
        switch present[0] {
        case "above": return .above(value)
        case "below": return .below(value)
        default: return .near(value, tolerance: try fields["tolerance"].map { try reader.number($0, key: "tolerance") } ?? 1e-6)
        }
    }

    func lifecycle(_ node: Node, key: String, _ reader: NodeReader) throws -> LifecycleMatch {
        let text = try reader.string(node, key: key)
        guard let match = LifecycleMatch.parse(text) else {
            throw reader.fail("'\(key)' in \(reader.context) is '\(text)'; expected one of: \(LifecycleMatch.vocabulary.joined(separator: ", "))", at: node)
        }
        return match
    }

    /// A control line, parsed by the simulator's own parser and checked against the circuit.
    func controlCommand(_ node: Node, _ reader: NodeReader) throws -> String {
        let text = try reader.string(node, key: "command")
        let command: ControlCommand
        do {
            command = try ControlCommand.parse(text)
        } catch {
            throw reader.fail("'\(text)' is not a simulator control command: \(error)", at: node)
        }
        switch command {
        case .status, .help:
            throw reader.fail("'\(text)' changes nothing: inject a fault, a condition, a device property, unplug or replug", at: node)
        case .transportFault(let role, _, _), .stuck(let role), .drift(let role, _), .statusBits(let role, _), .clear(let role),
             .setProperty(let role, _, _):
            try checkRole(role, at: node, reader)
        case .unplug(let bus), .replug(let bus):
            guard circuit.buses.contains(where: { $0.name == bus }) else {
                throw reader.fail("'\(text)': the circuit has no bus '\(bus)' (buses: \(circuit.buses.map(\.name).joined(separator: ", ")))", at: node)
            }
        case .condition(let name, let value):
            // Checked by the simulator's own rules, so `hil check` catches what `hil run` would fail on.
            var conditions = CircuitConditions()
            do {
                try CircuitConditions.apply(name, value, to: &conditions)
            } catch {
                throw reader.fail("'\(text)': \(error)", at: node)
            }
        }
        if case .setProperty(let role, let property, let value) = command, let device = CircuitRole(rawValue: role).flatMap(circuit.device) {
            do {
                try SimulatedFirmware.checkProperty(family: device.family, name: property, value: value)
            } catch {
                throw reader.fail("'\(text)': \(error)", at: node)
            }
        }
        return text
    }

    func checkRole(_ role: String, at node: Node, _ reader: NodeReader) throws {
        guard let r = CircuitRole(rawValue: role), circuit.device(r) != nil else {
            throw reader.fail("the circuit \(circuit.name) has no role '\(role)' (roles: \(circuit.roles.map(\.rawValue).joined(separator: ", ")))", at: node)
        }
    }

    static let expectationKinds = ["alarm", "lifecycle", "safeState", "noAlarm", "outputs", "register", "onWire", "signal"]

    func expectation(_ node: Node, _ reader: NodeReader) throws -> Expectation {
        let fields = try reader.mapping(allowed: Set(Self.expectationKinds + ["within", "subject", "above", "below", "equals", "tolerance"]))
        let kinds = Self.expectationKinds.filter { fields[$0] != nil }
        guard kinds.count == 1 else {
            throw reader.fail("\(reader.context) needs exactly one of: \(Self.expectationKinds.joined(separator: ", "))"
                + (kinds.isEmpty ? "" : " (has \(kinds.joined(separator: ", ")))"))
        }
        let kind = kinds[0]
        let value = fields[kind]!
        func only(_ allowed: Set<String>) throws {
            for key in fields.keys where key != kind && !allowed.contains(key) {
                throw reader.fail("'\(key)' does not go with '\(kind)' in \(reader.context)", at: fields[key])
            }
        }
        switch kind {
        case "alarm":
            try only(["within", "subject"])
            let text = try reader.string(value, key: "alarm")
            guard let sr = ScenarioVocabulary.requirement(text) else {
                throw reader.fail("'alarm' in \(reader.context) is '\(text)', not a SAFETY.md row (SR-1 … SR-18)", at: value)
            }
            var subject: String? = nil
            if let s = fields["subject"] {
                // A row whose alarms never name a device would never match: the run would fail on it.
                let rowsWithSubject = ConditionKind.allCases.filter(\.hasSubject).map(\.requirement)
                guard rowsWithSubject.contains(sr) else {
                    throw reader.fail("'subject' on \(sr): its alarm never names a device (only "
                        + "\(rowsWithSubject.map { "\($0)" }.joined(separator: ", ")) do)", at: s)
                }
                subject = try reader.string(s, key: "subject")
                try checkRole(subject!, at: s, reader)
            }
            return .alarm(sr, subject: subject, within: try within(fields, reader))
        case "lifecycle", "safeState":
            try only(["within"])
            let match = try lifecycle(value, key: kind, reader)
            if kind == "safeState", case .exactly = match { throw reader.fail("'safeState' is one of: \(SafeState.allCases.reversed().map(\.description).joined(separator: ", "))", at: value) }
            return .lifecycle(match, within: try within(fields, reader))
        case "noAlarm":
            try only([])
            return .noAlarm(for: try reading.duration(value, key: "noAlarm", in: reader))
        case "outputs":
            try only(["within"])
            return .outputs(try outputs(value, reader), within: try within(fields, reader))
        case "register":
            try only(["within"])
            guard target == .simulator else {
                throw reader.fail("'register' reads the simulated device; on a rig expect 'outputs' (the device's read-back)", at: value)
            }
            return .register(try register(value, reader), within: try within(fields, reader))
        case "onWire":
            try only(["within"])
            return .onWire(try wireCommand(value, reader), within: try within(fields, reader))
        default:  // signal
            try only(["within", "above", "below", "equals", "tolerance"])
            guard case .signal(let name, let comparison)? = try condition(fields, reader, required: true) else {
                throw reader.fail("\(reader.context): 'signal' needs above, below or equals", at: value)
            }
            return .signal(name, comparison, within: try within(fields, reader))
        }
    }

    func outputs(_ node: Node, _ reader: NodeReader) throws -> [OutputExpectation] {
        let r = reader.child(node, "\(reader.context) 'outputs'")
        let pumps = circuit.roles.filter(\.isPump).map(\.rawValue)
        let actuators = pumps + ["returnClamp", "heater"]
        let fields = try r.mapping(allowed: Set(actuators))
        guard !fields.isEmpty else { throw r.fail("'outputs' names no actuator (actuators: \(actuators.joined(separator: ", ")))") }
        var result: [OutputExpectation] = []
        for (actuator, valueNode) in fields.sorted(by: { ($0.value.mark?.column ?? 0, $0.value.mark?.line ?? 0) < ($1.value.mark?.column ?? 0, $1.value.mark?.line ?? 0) }) {
            let state = try r.oneOf(valueNode, key: actuator, as: OutputState.self)
            let fits: Set<OutputState> = switch actuator {
            case "returnClamp": [.open, .closed]
            case "heater": [.on, .off]
            default: [.running, .stopped]
            }
            guard fits.contains(state) else {
                throw r.fail("'\(actuator)' is '\(state.rawValue)'; expected \(fits.map(\.rawValue).sorted().joined(separator: " or "))", at: valueNode)
            }
            if actuator == "returnClamp", circuit.device(.airDetector) == nil { throw r.fail("the circuit has no return clamp (air detector)", at: valueNode) }
            if actuator == "heater", circuit.device(.plasmaHeater) == nil { throw r.fail("the circuit has no plasma heater", at: valueNode) }
            result.append(OutputExpectation(actuator: actuator, state: state))
        }
        return result
    }

    func register(_ node: Node, _ reader: NodeReader) throws -> RegisterExpectation {
        let r = reader.child(node, "\(reader.context) 'register'")
        let fields = try r.mapping(allowed: ["role", "name", "bit", "equals", "above", "below", "tolerance"])
        let roleNode = try r.required(fields, "role")
        let role = try r.string(roleNode, key: "role")
        try checkRole(role, at: roleNode, r)
        let family = circuit.device(CircuitRole(rawValue: role)!)!.family
        guard let registers = RegisterCatalog.registers(family: family) else {
            throw r.fail("role '\(role)' is a \(family): its registers cannot be read on the simulator (line protocol)", at: roleNode)
        }
        let nameNode = try r.required(fields, "name")
        let name = try r.string(nameNode, key: "name")
        guard let definition = registers.first(where: { $0.name == name }) else {
            throw r.fail("a \(family) has no register '\(name)' (registers: \(registers.map(\.name).joined(separator: ", ")))", at: nameNode)
        }
        var bit: Int? = nil
        var bitName: String? = nil
        if let bitNode = fields["bit"] {
            guard definition.type == .bits else { throw r.fail("'\(name)' is not a bits register", at: bitNode) }
            let text = try r.string(bitNode, key: "bit")
            let named = RegisterCatalog.bits(family: family, register: name)
            if let index = Int(text), (0...15).contains(index) {
                bit = index
                bitName = named.first { $0.index == index }?.name
            } else if let found = named.first(where: { $0.name == text }) {
                bit = found.index
                bitName = found.name
            } else {
                throw r.fail("'\(name)' has no bit '\(text)' (bits: \(named.map { "\($0.index) \($0.name)" }.joined(separator: ", ")))", at: bitNode)
            }
        }
        let comparison = try self.comparison(fields, r)
        return RegisterExpectation(role: role, register: name, bit: bit, bitName: bitName, comparison: comparison)
    }

    func wireCommand(_ node: Node, _ reader: NodeReader) throws -> WireCommand {
        let text = try reader.string(node, key: "onWire")
        let words = text.split(separator: " ").map(String.init)
        guard let first = words.first, let kind = WireCommand.Kind(rawValue: first) else {
            throw reader.fail("'onWire' is '\(text)'; expected one of: \(WireCommand.Kind.allCases.map(\.rawValue).joined(separator: ", ")) (with a ROLE for the pumps and faultReset)", at: node)
        }
        if kind.takesRole {
            guard words.count == 2 else { throw reader.fail("'onWire: \(kind.rawValue)' needs a ROLE ('\(kind.rawValue) bloodPump')", at: node) }
            try checkRole(words[1], at: node, reader)
            return WireCommand(kind: kind, role: words[1])
        }
        guard words.count == 1 else { throw reader.fail("'onWire: \(kind.rawValue)' takes no role", at: node) }
        return WireCommand(kind: kind, role: nil)
    }
}
