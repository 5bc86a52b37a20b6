/// Who a device is, from its identity block (firmware-protocols/common.yaml), read in
/// one transaction and checked against the family a driver expects.
public struct DeviceIdentity: Hashable, Sendable {
    /// The device family (1 pump … 6 blood-leak detector), as `FamilyCatalog` numbers them.
    public var familyCode: UInt16
    /// The register-set version the device speaks.
    public var protocolVersion: VersionNumber
    /// Vendor number.
    public var vendorID: UInt16
    /// Product code within the vendor's range.
    public var modelCode: UInt16
    /// Firmware version.
    public var firmwareVersion: VersionNumber
    /// Serial number.
    public var serialNumber: UInt32

    /// An identity from its fields.
    public init(familyCode: UInt16, protocolVersion: VersionNumber, vendorID: UInt16, modelCode: UInt16,
                firmwareVersion: VersionNumber, serialNumber: UInt32) {
        self.familyCode = familyCode
        self.protocolVersion = protocolVersion
        self.vendorID = vendorID
        self.modelCode = modelCode
        self.firmwareVersion = firmwareVersion
        self.serialNumber = serialNumber
    }
}
