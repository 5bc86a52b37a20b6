/// A problem in a YAML file (a protocol specification, a circuit file), located to the line and column.
public struct YAMLError: Error, Equatable, CustomStringConvertible {
    /// The file.
    public var file: String
    /// The line (0 when not known, as for a file that cannot be read).
    public var line: Int
    /// The column (0 when not known).
    public var column: Int
    /// What was wrong.
    public var message: String

    /// A problem `message` at `file`:`line`:`column`.
    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// "firmware-protocols/heater.yaml:14:5: unknown key 'adress' …": the form editors jump to.
    public var description: String { "\(file):\(line):\(column): \(message)" }
}
