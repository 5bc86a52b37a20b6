public import FirmwareProtocols

/// Who a line (ASCII) pump says it is (command `ID`).
public struct AsciiPumpIdentity: Hashable, Sendable {
    /// Model name.
    public var model: String
    /// Firmware version.
    public var firmwareVersion: AsciiPumpLineProtocol.Version
    /// Serial number as printed on the pump.
    public var serialNumber: String
    /// The line-protocol version the firmware implements.
    public var protocolVersion: AsciiPumpLineProtocol.Version

    /// An identity from its parts.
    public init(model: String, firmwareVersion: AsciiPumpLineProtocol.Version, serialNumber: String,
                protocolVersion: AsciiPumpLineProtocol.Version) {
        self.model = model
        self.firmwareVersion = firmwareVersion
        self.serialNumber = serialNumber
        self.protocolVersion = protocolVersion
    }
}
