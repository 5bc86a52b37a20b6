public import CircuitConfiguration
import Interlock

/// A hardware-in-the-loop scenario: a circuit, where it runs, the limits tightened
/// for the run, and the steps that provoke and check it (`Scenarios/README.md`).
public struct Scenario: Sendable {
    /// The scenario's name (the JUnit test suite).
    public var name: String
    /// What it shows, in words.
    public var summary: String
    /// The file it was read from.
    public var file: String
    /// The circuit as named in the file (a preset or a path).
    public var circuitName: String
    /// The circuit, loaded and checked.
    public var circuit: CircuitConfiguration
    /// Where it runs.
    public var target: ScenarioTarget
    /// Limits tightened for this run only (long windows shortened), checked against the hard bounds.
    public var tightening: LimitTightening
    /// The steps, in order.
    public var steps: [Step]

    /// A scenario of `steps` on `circuit` at `target`, with `tightening` for the run.
    public init(name: String, summary: String, file: String, circuitName: String, circuit: CircuitConfiguration,
                target: ScenarioTarget, tightening: LimitTightening, steps: [Step]) {
        self.name = name
        self.summary = summary
        self.file = file
        self.circuitName = circuitName
        self.circuit = circuit
        self.target = target
        self.tightening = tightening
        self.steps = steps
    }
}

/// Where a scenario runs.
public enum ScenarioTarget: String, Sendable, CaseIterable {
    /// The circuit simulator on pseudo-terminals, started by the runner, wire time emulated.
    case simulator
    /// Real devices at the circuit file's endpoints; injections are asked of the operator.
    case rig
}

/// A place in a scenario file, for messages and reports.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file.
    public var file: String
    /// The line.
    public var line: Int
    /// The column.
    public var column: Int

    /// The place `file`:`line`:`column`.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// "Scenarios/sr-2.yaml:14:5".
    public var description: String { "\(file):\(line):\(column)" }
}
