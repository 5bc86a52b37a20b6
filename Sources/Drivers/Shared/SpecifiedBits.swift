import FirmwareProtocols

/// A generated bit-field type (status or control word) that knows which bits its
/// specification defines, so any driver can refuse the others and name the set ones.
protocol SpecifiedBits: OptionSet, Sendable where RawValue == UInt16, Element == Self {
    /// Every bit the specification defines, with its name.
    static var named: [(bit: Self, name: String)] { get }
    /// Bits the specification does not define.
    static var undefined: Self { get }
}

extension SpecifiedBits {
    /// The specification's names of the bits set in `self`, in specification order.
    var names: [String] { Self.named.filter { contains($0.bit) }.map(\.name) }
}

extension PeristalticPumpProtocol.Status: SpecifiedBits {}
extension PressureSensorProtocol.Status: SpecifiedBits {}
extension TemperatureSensorProtocol.Status: SpecifiedBits {}
extension HeaterProtocol.Status: SpecifiedBits {}
extension AirDetectorProtocol.Status: SpecifiedBits {}
extension BloodLeakDetectorProtocol.Status: SpecifiedBits {}
