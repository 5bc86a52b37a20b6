/// How a step went.
public struct StepOutcome: Sendable, Codable {
    public enum Status: String, Sendable, Codable {
        case passed, failed, skipped
    }

    /// 1-based position in the scenario.
    public var number: Int
    public var title: String
    /// "Scenarios/sr-2.yaml:14:5".
    public var location: String
    public var status: Status
    /// What was seen (passed), or expected vs. seen with the time (failed), or why skipped.
    public var message: String
    /// Seconds since the run's start.
    public var startedAt: Double
    public var duration: Double

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
    public var scenario: String
    public var file: String
    public var target: String
    /// Wall-clock start, ISO 8601.
    public var timestamp: String
    public var duration: Double
    public var steps: [StepOutcome]
    /// The circuit or the stack could not be brought up (or torn down) properly.
    public var setupError: String?

    public init(scenario: String, file: String, target: String, timestamp: String, duration: Double, steps: [StepOutcome], setupError: String?) {
        self.scenario = scenario
        self.file = file
        self.target = target
        self.timestamp = timestamp
        self.duration = duration
        self.steps = steps
        self.setupError = setupError
    }

    public var failures: [StepOutcome] { steps.filter { $0.status == .failed } }
    /// Every step ran and held, and the stack came up.
    public var passed: Bool { setupError == nil && steps.allSatisfy { $0.status == .passed } }
}
