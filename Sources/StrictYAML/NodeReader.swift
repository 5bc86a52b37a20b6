import Foundation
public import Yams

/// Strict reading of a YAML mapping: every key must be known, every value of
/// the right type, and every complaint names the file, line, column and key.
public struct NodeReader {
    public let file: String
    public let node: Node
    public let context: String

    public init(file: String, node: Node, context: String) {
        self.file = file
        self.node = node
        self.context = context
    }

    /// Parses `text` (YAML) into a reader of its root, or says where it is broken.
    public static func root(_ text: String, file: String, context: String = "the file") throws(YAMLError) -> NodeReader {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw YAMLError(file: file, line: 1, column: 1, message: "the file is empty")
            }
            return NodeReader(file: file, node: node, context: context)
        } catch let error as YAMLError {
            throw error
        } catch {
            throw YAMLError(file: file, line: 0, column: 0, message: "not valid YAML: \(error)")
        }
    }

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

    public func child(_ node: Node, _ context: String) -> NodeReader { NodeReader(file: file, node: node, context: context) }

    public func required(_ fields: [String: Node], _ key: String) throws -> Node {
        guard let value = fields[key] else { throw fail("missing key '\(key)' in \(context)") }
        return value
    }

    public func string(_ node: Node, key: String) throws -> String {
        guard case .scalar(let scalar) = node else { throw fail("'\(key)' in \(context) must be text", at: node) }
        return scalar.string.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A whole number, decimal or 0x-hex.
    public func integer(_ node: Node, key: String) throws -> Int {
        guard case .scalar(let scalar) = node, let value = Self.parseInteger(scalar.string) else {
            throw fail("'\(key)' in \(context) must be a whole number (decimal or 0x-hex)", at: node)
        }
        return value
    }

    public func number(_ node: Node, key: String) throws -> Double {
        guard case .scalar(let scalar) = node else { throw fail("'\(key)' in \(context) must be a number", at: node) }
        if let int = Self.parseInteger(scalar.string) { return Double(int) }
        guard let value = Double(scalar.string), value.isFinite else {
            throw fail("'\(key)' in \(context) must be a number", at: node)
        }
        return value
    }

    public func sequence(_ node: Node, key: String) throws -> [Node] {
        guard case .sequence(let sequence) = node else { throw fail("'\(key)' in \(context) must be a list", at: node) }
        return Array(sequence)
    }

    public func oneOf<T: RawRepresentable & CaseIterable>(_ node: Node, key: String, as: T.Type) throws -> T where T.RawValue == String {
        let text = try string(node, key: key)
        guard let value = T(rawValue: text) else {
            throw fail("'\(key)' in \(context) is '\(text)'; expected one of: \(T.allCases.map(\.rawValue).joined(separator: ", "))", at: node)
        }
        return value
    }

    public static func parseInteger(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("0x") || t.hasPrefix("0X") { return Int(t.dropFirst(2), radix: 16) }
        if t.hasPrefix("-0x") { return Int(t.dropFirst(3), radix: 16).map { -$0 } }
        return Int(t)
    }
}

