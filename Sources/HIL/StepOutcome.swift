/// How a step went.
public struct StepOutcome: Sendable, Codable {
    /// Whether the step held.
    public enum Status: String, Sendable, Codable {
        /// It held; it did not; it did not run (after a failed set-up step).
        case passed, failed, skipped
    }

    /// 1-based position in the scenario.
    public var number: Int
    /// The step in one line.
    public var title: String
    /// "Scenarios/sr-2.yaml:14:5".
    public var location: String
    /// Whether it held.
    public var status: Status
    /// What was seen (passed), or expected vs. seen with the time (failed), or why skipped.
    public var message: String
    /// Seconds since the run's start.
    public var startedAt: Double
    /// How long it took, seconds.
    public var duration: Double

    /// The outcome of step `number`.
    public init(number: Int, title: String, location: String, status: Status, message: String, startedAt: Double, duration: Double) {
        self.number = number
        self.title = title
        self.location = location
        self.status = status
        self.message = message
        self.startedAt = startedAt
        self.duration = duration
    }
}

/// A scenario's run: every step's outcome, and a set-up failure if the circuit never came up.
public struct ScenarioResult: Sendable, Codable {
    /// The scenario's name.
    public var scenario: String
    /// Its file.
    public var file: String
    /// Where it ran (`simulator` or `rig`).
    public var target: String
    /// Wall-clock start, ISO 8601.
    public var timestamp: String
    /// How long the run took, seconds.
    public var duration: Double
    /// Every step's outcome, in order.
    public var steps: [StepOutcome]
    /// The circuit or the stack could not be brought up (or torn down) properly.
    public var setupError: String?

    /// The result of a run of `scenario`.
    public init(scenario: String, file: String, target: String, timestamp: String, duration: Double, steps: [StepOutcome], setupError: String?) {
        self.scenario = scenario
        self.file = file
        self.target = target
        self.timestamp = timestamp
        self.duration = duration
        self.steps = steps
        self.setupError = setupError
    }

    /// The steps that failed.
    public var failures: [StepOutcome] { steps.filter { $0.status == .failed } }
    /// Every step ran and held, and the stack came up.
    public var passed: Bool { setupError == nil && steps.allSatisfy { $0.status == .passed } }
}
