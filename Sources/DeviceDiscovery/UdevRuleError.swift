/// Why ``UdevRuleGenerator`` refused its input. Every case names the role and
/// field at fault, so `hepabus udev-rules` can print it as is.
public enum UdevRuleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No port to bind: a rules file without rules is a mistake, not a result.
    case noBindings
    /// The role is not a valid port name.
    case invalidRole(String, reason: String)
    /// A field of the binding for `role` is invalid; `field` is its name as the
    /// API spells it (`vendorID`, `serialNumber`, `interfaceNumber`, ...).
    case invalidField(role: String, field: String, value: String, reason: String)
    /// The group name is not a valid system group name.
    case invalidGroup(String, reason: String)
    /// The circuit label for the header is unusable (it would end the comment).
    case invalidCircuit(String, reason: String)
    /// Two bindings have the same role: they would fight over one link.
    case duplicateRole(String)
    /// Two roles bind the same hardware: one tty cannot carry two roles.
    case duplicateIdentity(roles: [String], identity: String)

    /// One sentence naming the role, field and value, and what is wrong.
    public var description: String {
        switch self {
        case .noBindings:
            return "no ports to bind: give at least one role with its adapter"
        case .invalidRole(let role, let reason):
            return "role \(quoted(role)) is invalid: \(reason)"
        case .invalidField(let role, let field, let value, let reason):
            return "role \(quoted(role)): \(field) \(quoted(value)) is invalid: \(reason)"
        case .invalidGroup(let group, let reason):
            return "group \(quoted(group)) is invalid: \(reason)"
        case .invalidCircuit(let circuit, let reason):
            return "circuit \(quoted(circuit)) is invalid: \(reason)"
        case .duplicateRole(let role):
            return "role \(quoted(role)) is bound twice"
        case .duplicateIdentity(let roles, let identity):
            return "roles \(roles.map(quoted).joined(separator: " and ")) bind the same hardware (\(identity))"
        }
    }
}

/// Quotes a user-supplied value for a message, escaping what would be invisible.
private func quoted(_ value: String) -> String {
    var result = "'"
    for scalar in value.unicodeScalars {
        if scalar.value < 0x20 || scalar.value == 0x7F {
            result += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
        } else {
            result.unicodeScalars.append(scalar)
        }
    }
    return result + "'"
}
