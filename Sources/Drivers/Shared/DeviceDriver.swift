public import FirmwareProtocols
public import HardwareInterfaces

/// What every family driver shares: the device it drives and the family protocol it
/// speaks, from which it identifies the device.
public protocol DeviceDriver: Sendable {
    /// The register device the driver talks to.
    associatedtype Device: RegisterDevice
    /// The family protocol this driver speaks (from firmware-protocols/).
    static var family: FamilyProtocol { get }
    /// The device this driver talks to.
    var device: Device { get }
}

extension DeviceDriver {
    /// Reads and checks the identity block in one transaction: this family, this
    /// protocol's major version and, when given, this serial number.
    /// The same check as `RegisterDevice.readIdentity(expecting:serialNumber:)`.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.identityMismatch`, or the transport's kind.
    public func identify(serialNumber: UInt32? = nil) async throws(DeviceError) -> DeviceIdentity {
        try await device.readIdentity(expecting: Self.family, serialNumber: serialNumber)
    }
}
