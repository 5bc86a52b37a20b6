import Foundation
public import Interlock

/// The words a scenario uses for operator commands, pumps and signals.
public enum ScenarioVocabulary {
    /// Operator commands that take no argument, by step name.
    public static let plainCommands: [String: OperatorCommand] = [
        "prime": .startPriming, "startPriming": .startPriming, "finishPriming": .finishPriming,
        "startTreatment": .startTreatment, "pause": .pause, "resume": .resume, "acknowledge": .acknowledge(.all),
        "end": .endTreatment, "endTreatment": .endTreatment, "returnToIdle": .returnToIdle,
    ]

    /// Every step name, for "unknown step" messages.
    public static let stepNames: [String] = (["selfTest", "setFlow", "wait", "waitFor", "inject", "clear", "reconnect", "expect"]
        + plainCommands.keys).sorted()

    /// The step name of `command`.
    public static func name(of command: OperatorCommand) -> String {
        switch command {
        case .startSelfTest: "selfTest"
        case .startPriming: "prime"
        case .finishPriming: "finishPriming"
        case .startTreatment: "startTreatment"
        case .setFlow(let pump, let flow): "setFlow \(pump) \(formatNumber(flow.millilitersPerMinute)) mL/min"
        case .pause: "pause"
        case .resume: "resume"
        case .acknowledge: "acknowledge"
        case .endTreatment: "end"
        case .returnToIdle: "returnToIdle"
        }
    }

    /// Pumps by the role name a scenario uses (bloodPump) or the short one (blood).
    public static func pump(_ text: String) -> PumpRole? {
        switch text {
        case "bloodPump", "blood": .blood
        case "plasmaPump", "plasma": .plasma
        case "recirculationPump", "recirculation": .recirculation
        default: nil
        }
    }

    /// SAFETY.md ids: "SR-2" (or "SR2", "sr-2").
    public static func requirement(_ text: String) -> SafetyRequirement? {
        let digits = text.uppercased().replacingOccurrences(of: "SR-", with: "").replacingOccurrences(of: "SR", with: "")
        guard let n = Int(digits) else { return nil }
        return SafetyRequirement(rawValue: n)
    }
}
