import Foundation
public import Yams

/// Strict reading of a YAML mapping: every key must be known, every value of
/// the right type, and every complaint names the file, line, column and key.
public struct NodeReader {
    /// The file read, as messages name it.
    public let file: String
    /// The node being read.
    public let node: Node
    /// What the node is, for messages ("the circuit", "bus 'blood'").
    public let context: String

    /// A reader of `node` of `file`, called `context` in messages.
    public init(file: String, node: Node, context: String) {
        self.file = file
        self.node = node
        self.context = context
    }

    /// Parses `text` (YAML) into a reader of its root, or says where it is broken.
    public static func root(_ text: String, file: String, context: String = "the file") throws(YAMLError) -> NodeReader {
        do {
            guard let node = try Yams.compose(yaml: text, untaggedResolver) else {
                throw YAMLError(file: file, line: 1, column: 1, message: "the file is empty")
            }
            try refuseTags(node, file: file)
            return NodeReader(file: file, node: node, context: context)
        } catch let error as YAMLError {
            throw error
        } catch {
            throw YAMLError(file: file, line: 0, column: 0, message: "not valid YAML: \(error)")
        }
    }

    /// Resolves every untagged scalar to one private tag, so a scalar the file tagged
    /// itself (`!!str`, `!foo`, `!`) is told apart from a plain one: Yams resolves both
    /// to `str` by default, and would let a tag silently change nothing.
    private static let untagged = Tag.Name(rawValue: "tag:hepabus,2026:untagged")
    private static let untaggedResolver = Resolver.basic.appending(try! Resolver.Rule(untagged, "^"))  // "^" matches every string

    /// Refuses YAML tags anywhere in the tree: these files are plain data, and a tag is
    /// either a typo or an attempt to make a value mean something it does not say.
    private static func refuseTags(_ node: Node, file: String) throws(YAMLError) {
        func refuse(_ tag: String, _ mark: Mark?) -> YAMLError {
            let shown = tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst("tag:yaml.org,2002:".count) : tag
            return YAMLError(file: file, line: mark?.line ?? 0, column: mark?.column ?? 0,
                             message: "YAML tag '\(shown)' is not allowed: write the value plainly")
        }
        switch node {
        case .scalar(let scalar):
            // The stored tag: an untagged plain scalar resolves to our private tag, a tagged one keeps
            // its own. Yams gives every untagged quoted or block scalar `str`, so there (and only
            // there) `!!str` cannot be told apart from nothing, and changes nothing either.
            let name = scalar.tag.description
            let untaggedText = scalar.style != .plain && name == Tag.Name.str.rawValue
            guard name.isEmpty || name == untagged.rawValue || untaggedText else { throw refuse(name, node.mark) }
        case .mapping(let mapping):
            // Mappings and sequences are never hashed while composing: their stored tag is still
            // empty unless the file wrote one.
            guard mapping.tag.description.isEmpty else { throw refuse(mapping.tag.description, node.mark) }
            for (key, value) in mapping {
                try refuseTags(key, file: file)
                try refuseTags(value, file: file)
            }
        case .sequence(let sequence):
            guard sequence.tag.description.isEmpty else { throw refuse(sequence.tag.description, node.mark) }
            for item in sequence { try refuseTags(item, file: file) }
        case .alias:
            break
        }
    }

    /// An error saying `message` at `node`'s place (this reader's node if nil), to throw.
    public func fail(_ message: String, at node: Node? = nil) -> YAMLError {
        let mark = (node ?? self.node).mark
        return YAMLError(file: file, line: mark?.line ?? 0, column: mark?.column ?? 0, message: message)
    }

    /// The mapping's pairs, refusing keys not in `allowed`.
    public func mapping(allowed: Set<String>) throws -> [String: Node] {
        guard case .mapping(let mapping) = node else { throw fail("\(context) must be a mapping") }
        var result: [String: Node] = [:]
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else { throw fail("\(context): keys must be plain words", at: key) }
            guard allowed.contains(scalar.string) else {
                throw fail("unknown key '\(scalar.string)' in \(context) (expected one of: \(allowed.sorted().joined(separator: ", ")))", at: key)
            }
            guard result[scalar.string] == nil else { throw fail("duplicate key '\(scalar.string)' in \(context)", at: key) }
            result[scalar.string] = value
        }
        return result
    }

    /// A key's value read without checking the others (to name the thing before judging it).
    public func namedValue(_ key: String) -> Node? {
        guard case .mapping(let mapping) = node else { return nil }
        return mapping.first { if case .scalar(let s) = $0.key { return s.string == key } else { return false } }?.value
    }

    /// A reader of `node` in the same file, called `context`.
    public func child(_ node: Node, _ context: String) -> NodeReader { NodeReader(file: file, node: node, context: context) }

    /// `key`'s value in `fields`.
    ///
    /// - Throws: ``YAMLError`` "missing key" when it is absent.
    public func required(_ fields: [String: Node], _ key: String) throws -> Node {
        guard let value = fields[key] else { throw fail("missing key '\(key)' in \(context)") }
        return value
    }

    /// `node` as text, trimmed.
    ///
    /// - Throws: ``YAMLError`` when it is not a scalar.
    public func string(_ node: Node, key: String) throws -> String {
        guard case .scalar(let scalar) = node else { throw fail("'\(key)' in \(context) must be text", at: node) }
        return scalar.string.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A whole number, decimal or 0x-hex, that fits in an `Int` (one too large for that is
    /// refused, naming it, rather than read as something else).
    public func integer(_ node: Node, key: String) throws -> Int {
        guard case .scalar(let scalar) = node else {
            throw fail("'\(key)' in \(context) must be a whole number (decimal or 0x-hex)", at: node)
        }
        guard let value = Self.parseInteger(scalar.string) else {
            if Self.looksInteger(scalar.string) {
                throw fail("'\(key)' in \(context) is \(scalar.string), out of range \(Int.min)-\(Int.max)", at: node)
            }
            throw fail("'\(key)' in \(context) must be a whole number (decimal or 0x-hex)", at: node)
        }
        return value
    }

    /// A whole number in `range`; the error names the value and the range.
    public func integer(_ node: Node, key: String, in range: ClosedRange<Int>) throws -> Int {
        let value = try integer(node, key: key)
        guard range.contains(value) else {
            throw fail("'\(key)' in \(context) is \(value), out of range \(range.lowerBound)-\(range.upperBound)", at: node)
        }
        return value
    }

    /// A finite number.
    public func number(_ node: Node, key: String) throws -> Double {
        guard case .scalar(let scalar) = node else { throw fail("'\(key)' in \(context) must be a number", at: node) }
        if let int = Self.parseInteger(scalar.string) { return Double(int) }
        guard let value = Double(scalar.string.trimmingCharacters(in: .whitespaces)) else {
            throw fail("'\(key)' in \(context) must be a number", at: node)
        }
        guard value.isFinite else {
            throw fail("'\(key)' in \(context) is \(scalar.string), not a finite number", at: node)
        }
        return value
    }

    /// A finite number in `range`; the error names the value and the range.
    public func number(_ node: Node, key: String, in range: ClosedRange<Double>) throws -> Double {
        let value = try number(node, key: key)
        guard range.contains(value) else {
            throw fail("'\(key)' in \(context) is \(Self.text(value)), out of range \(Self.text(range.lowerBound))-\(Self.text(range.upperBound))", at: node)
        }
        return value
    }

    /// A number for messages: whole numbers without ".0" (when they are small enough to be whole in print).
    static func text(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// Digits (with an optional sign or 0x): a whole number, even when too large for an Int.
    static func looksInteger(_ text: String) -> Bool {
        var t = Substring(text.trimmingCharacters(in: .whitespaces))
        if t.hasPrefix("-") || t.hasPrefix("+") { t = t.dropFirst() }
        if t.hasPrefix("0x") || t.hasPrefix("0X") { return !t.dropFirst(2).isEmpty && t.dropFirst(2).allSatisfy(\.isHexDigit) }
        return !t.isEmpty && t.allSatisfy(\.isASCII) && t.allSatisfy(\.isNumber)
    }

    /// `node`'s items.
    ///
    /// - Throws: ``YAMLError`` when it is not a list.
    public func sequence(_ node: Node, key: String) throws -> [Node] {
        guard case .sequence(let sequence) = node else { throw fail("'\(key)' in \(context) must be a list", at: node) }
        return Array(sequence)
    }

    /// `node` as one of `T`'s cases, by raw value.
    ///
    /// - Throws: ``YAMLError`` naming the value and every case allowed.
    public func oneOf<T: RawRepresentable & CaseIterable>(_ node: Node, key: String, as: T.Type) throws -> T where T.RawValue == String {
        let text = try string(node, key: key)
        guard let value = T(rawValue: text) else {
            throw fail("'\(key)' in \(context) is '\(text)'; expected one of: \(T.allCases.map(\.rawValue).joined(separator: ", "))", at: node)
        }
        return value
    }

    /// A decimal or 0x-hex whole number (optionally negative) that fits an `Int`; nil otherwise.
    public static func parseInteger(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("0x") || t.hasPrefix("0X") { return Int(t.dropFirst(2), radix: 16) }
        if t.hasPrefix("-0x") { return Int(t.dropFirst(3), radix: 16).map { -$0 } }
        return Int(t)
    }
}

