/// One check of the self-test of the protective system (SR-18), as the supervisor ran it.
public struct SelfTestCheck: Hashable, Sendable, CustomStringConvertible {
    /// What a check is about.
    public enum Item: Hashable, Sendable, CustomStringConvertible {
        /// The device answers with the expected identity.
        case devicePresent(DeviceRole)
        /// The device's reading is within its plausible range.
        case plausibleReading(DeviceRole)
        /// The actuator's host watchdog is armed.
        case watchdogArmed(DeviceRole)
        /// The return-line clamp's feedback follows its command.
        case returnClampFeedback
        /// Any other check the supervisor runs.
        case other(String)

        /// "devicePresent(bloodPump)".
        public var description: String {
            switch self {
            case .devicePresent(let role): "devicePresent(\(role))"
            case .plausibleReading(let role): "plausibleReading(\(role))"
            case .watchdogArmed(let role): "watchdogArmed(\(role))"
            case .returnClampFeedback: "returnClampFeedback"
            case .other(let name): name
            }
        }
    }

    /// What was checked.
    public var item: Item
    /// The check passed.
    public var passed: Bool
    /// What was found (for the alarm text).
    public var detail: String

    /// A check from its parts.
    public init(_ item: Item, passed: Bool, detail: String = "") {
        self.item = item
        self.passed = passed
        self.detail = detail
    }

    /// "watchdogArmed(plasmaHeater): failed (register reads 0)".
    public var description: String {
        "\(item): \(passed ? "passed" : "failed")" + (detail.isEmpty ? "" : " (\(detail))")
    }

    /// The checks a self-test must report as passed for `configuration` (SR-18: any device
    /// missing, out of plausible range, clamp feedback wrong, watchdog not armed). A
    /// self-test that leaves one out has failed.
    public static func requiredItems(for configuration: InterlockConfiguration) -> [Item] {
        let roles = DeviceRole.allCases.filter(configuration.has)
        return roles.map(Item.devicePresent) + roles.map(Item.plausibleReading)
            + roles.filter(\.isActuator).map(Item.watchdogArmed) + [.returnClampFeedback]
    }
}
