/// The checks ``UdevRuleGenerator`` applies before writing anything.
///
/// udev match values are globs (`*`, `?`, `[...]`) with `|` separating
/// alternatives, and a plain `"..."` value ends at the first `"`. A serial
/// number containing one of those would widen the match to other adapters or
/// break the line, so such values are refused rather than escaped: escaping
/// differs between the rules parser (`\"` only) and `fnmatch` (backslash), and
/// real adapters' serial numbers are letters and digits. `$` and `%` are
/// allowed: udev substitutes them in assignments, never in match values
/// (checked with `udevadm test`).
enum UdevRuleValidation {
    /// Characters that would break a quoted value or widen a match.
    static let forbiddenInMatch: Set<Character> = ["\"", "\\", ",", "*", "?", "[", "]", "|"]

    static func checkRole(_ role: String) throws(UdevRuleError) {
        guard let first = role.unicodeScalars.first else {
            throw .invalidRole(role, reason: "it is empty")
        }
        guard role.unicodeScalars.count <= 64 else {
            throw .invalidRole(role, reason: "it is longer than 64 characters")
        }
        guard ("a"..."z").contains(first) else {
            throw .invalidRole(role, reason: "it must start with a lowercase ASCII letter (lowerCamelCase, e.g. bloodPump)")
        }
        guard role.unicodeScalars.allSatisfy(isASCIIAlphanumeric) else {
            throw .invalidRole(role, reason: "only ASCII letters and digits are allowed (lowerCamelCase, e.g. bloodPump)")
        }
    }

    /// Debian's `groupadd` accepts `[a-z_][a-z0-9_-]*` up to 32 characters
    /// (the trailing `$` of machine accounts is not for us).
    static func checkGroup(_ group: String) throws(UdevRuleError) {
        guard let first = group.unicodeScalars.first else {
            throw .invalidGroup(group, reason: "it is empty")
        }
        guard group.unicodeScalars.count <= 32 else {
            throw .invalidGroup(group, reason: "it is longer than 32 characters")
        }
        let isLowerOrUnderscore: (Unicode.Scalar) -> Bool = { ("a"..."z").contains($0) || $0 == "_" }
        guard isLowerOrUnderscore(first),
              group.unicodeScalars.allSatisfy({ isLowerOrUnderscore($0) || ("0"..."9").contains($0) || $0 == "-" })
        else {
            throw .invalidGroup(group, reason: "a system group name is lowercase letters, digits, '_' and '-', starting with a letter or '_'")
        }
    }

    /// The circuit label goes into a comment: a line break would end the
    /// comment and let the rest be read as a rule.
    static func checkCircuit(_ circuit: String) throws(UdevRuleError) {
        guard !circuit.isEmpty else { throw .invalidCircuit(circuit, reason: "it is empty") }
        guard circuit.unicodeScalars.count <= 256 else {
            throw .invalidCircuit(circuit, reason: "it is longer than 256 characters")
        }
        guard !circuit.unicodeScalars.contains(where: isControl) else {
            throw .invalidCircuit(circuit, reason: "it contains a control character (a line break would end the header comment)")
        }
    }

    /// Checks and normalises one binding: hex ids in lowercase, as sysfs prints them.
    static func normalised(_ binding: UdevPortBinding) throws(UdevRuleError) -> UdevPortBinding {
        try checkRole(binding.role)
        let role = binding.role
        switch binding.match {
        case .usb(var identity):
            identity.vendorID = try hexID(identity.vendorID, role: role, field: "vendorID")
            identity.productID = try hexID(identity.productID, role: role, field: "productID")
            try checkLiteral(identity.serialNumber, role: role, field: "serialNumber", allowInnerSpaces: true)
            if let number = identity.interfaceNumber, !(0...255).contains(number) {
                throw .invalidField(role: role, field: "interfaceNumber", value: String(number),
                                    reason: "a USB interface number is 0...255")
            }
            return UdevPortBinding(role: role, match: .usb(identity))
        case .onBoard(let identity):
            try checkLiteral(identity.kernelName, role: role, field: "kernelName", allowInnerSpaces: false)
            try checkLiteral(identity.parentSubsystem, role: role, field: "parentSubsystem", allowInnerSpaces: false)
            if identity.parentSubsystem == "usb" {
                // Bus position and tty number of a USB adapter change on replugging.
                throw .invalidField(role: role, field: "parentSubsystem", value: identity.parentSubsystem,
                                    reason: "bind USB adapters by vendor, product and serial number (a USB identity)")
            }
            if let name = identity.parentKernelName {
                try checkLiteral(name, role: role, field: "parentKernelName", allowInnerSpaces: false)
            }
            if let driver = identity.parentDriver {
                try checkLiteral(driver, role: role, field: "parentDriver", allowInnerSpaces: false)
            }
            return binding
        }
    }

    static func hexID(_ value: String, role: String, field: String) throws(UdevRuleError) -> String {
        guard value.unicodeScalars.count == 4, value.unicodeScalars.allSatisfy(\.properties.isASCIIHexDigit) else {
            throw .invalidField(role: role, field: field, value: value, reason: "a USB id is exactly 4 hex digits, e.g. 0403")
        }
        return value.lowercased()
    }

    /// A value udev must compare literally: printable ASCII without the
    /// characters that end a quoted value or make it a pattern.
    static func checkLiteral(_ value: String, role: String, field: String, allowInnerSpaces: Bool) throws(UdevRuleError) {
        func fail(_ reason: String) -> UdevRuleError {
            .invalidField(role: role, field: field, value: value, reason: reason)
        }
        guard !value.isEmpty else {
            // An empty match value matches devices without the attribute: far too wide.
            throw fail("it is empty, which would match every device without one")
        }
        guard value.unicodeScalars.count <= 126 else { throw fail("it is longer than 126 characters") }
        guard value.unicodeScalars.allSatisfy({ (0x20...0x7E).contains($0.value) }) else {
            throw fail("only printable ASCII is allowed")
        }
        if let bad = value.first(where: forbiddenInMatch.contains) {
            throw fail("'\(bad)' would break the rule or make the match a pattern (quotes, commas, backslashes, *, ?, [, ], | are refused)")
        }
        if value.first == " " || value.last == " " {
            throw fail("leading or trailing spaces are not allowed (udev ignores trailing spaces of sysfs values: drop them)")
        }
        if !allowInnerSpaces, value.contains(" ") {
            throw fail("spaces are not allowed")
        }
    }

    static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}"
    }
}
