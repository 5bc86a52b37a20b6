/// A problem in a YAML file (a protocol specification, a circuit file), located to the line and column.
public struct YAMLError: Error, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// "firmware-protocols/heater.yaml:14:5: unknown key 'adress' …": the form editors jump to.
    public var description: String { "\(file):\(line):\(column): \(message)" }
}
