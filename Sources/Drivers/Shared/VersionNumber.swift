/// A major.minor version packed in one register: major in the high byte, minor in the
/// low byte (0x0100 = 1.0), as the identity block carries protocol and firmware versions.
public struct VersionNumber: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The register as read.
    public var rawValue: UInt16

    /// A version from its register value.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// A version from its parts.
    public init(major: UInt8, minor: UInt8) { rawValue = UInt16(major) << 8 | UInt16(minor) }

    /// The high byte: a different major version is a different register map.
    public var major: UInt8 { UInt8(rawValue >> 8) }
    /// The low byte: compatible additions.
    public var minor: UInt8 { UInt8(rawValue & 0xFF) }

    /// Orders by major, then minor.
    public static func < (a: VersionNumber, b: VersionNumber) -> Bool { a.rawValue < b.rawValue }

    /// "1.0".
    public var description: String { "\(major).\(minor)" }
}
