public import StrictYAML

/// A problem in a protocol specification file, located to the line and column.
public typealias SpecificationError = YAMLError
