public import FirmwareProtocols
public import Modbus

/// Simulated device firmware: one unit of a firmware-protocols family, served to
/// the bus as a ``/Modbus/ModbusDataModel`` and driven from the physics or a test through
/// Swift properties.
///
/// Implementations follow the family's specification exactly (addresses, ranges,
/// defaults, sentinels, status bits, commands, host watchdog) and add the fault
/// injection the simulator's control interface offers: forced status bits and
/// measurement faults. Transport faults (silence, late replies, bad CRCs, garbage,
/// exception replies) are injected per unit by the server, not here.
///
/// Every access first brings the device's behaviour up to ``time``'s present
/// instant, so reads are always current; ``tick()`` does only that.
public protocol SimulatedDevice: ModbusDataModel {
    /// The family's protocol, as generated from firmware-protocols/.
    var family: FamilyProtocol { get }
    /// Who this unit claims to be in its identity block and FC17 reply.
    var identity: DeviceIdentity { get }
    /// What this unit is in the circuit ("blood pump", "venousPressure"…); the family title by default.
    var roleDescription: String { get }
    /// The time source the device runs on.
    var time: any SimulationTime { get }

    /// The measured values a ``MeasurementFault`` can be put on, by register name, primary first.
    var measurementChannels: [String] { get }
    /// The fault on `channel`, or nil if the device has no such channel.
    func measurementFault(channel: String) -> MeasurementFault?
    /// Puts `fault` on `channel` (``MeasurementFault/none`` clears it).
    func setMeasurementFault(_ fault: MeasurementFault, channel: String) throws(SimulatedDeviceError)

    /// Status bits reported on top of the device's own (OR-ed into the family's
    /// status register). Report only: they do not change what the device does;
    /// the physical-condition properties do that. Bits the specification does not
    /// define may be forced too, to test a driver's plausibility check.
    var forcedStatusBits: UInt16 { get }
    /// Sets ``forcedStatusBits`` (0 clears).
    func setForcedStatusBits(_ bits: UInt16)

    /// The physical conditions ``setCondition(_:to:)`` accepts, by property name.
    var conditionNames: [String] { get }
    /// A physical condition's present value as text ("true", "12.5"), or nil if there is no such condition.
    func condition(_ name: String) -> String?
    /// Sets a physical condition by property name from text (the control interface's
    /// `set ROLE PROPERTY VALUE`): Booleans as true/false/1/0/on/off, numbers as decimals.
    func setCondition(_ name: String, to value: String) throws(SimulatedDeviceError)

    /// Advances the device's behaviour to the present instant of ``time``.
    func tick()
}

extension SimulatedDevice {
    /// The family code (identity register 0 and the FC17 server id by default).
    public var familyCode: UInt16 { family.familyCode }

    /// The channel a fault without a channel name goes to.
    public var primaryMeasurementChannel: String { measurementChannels[0] }

    /// Puts `fault` on the primary measured value.
    public func setMeasurementFault(_ fault: MeasurementFault) throws(SimulatedDeviceError) {
        try setMeasurementFault(fault, channel: primaryMeasurementChannel)
    }

    /// The fault on the primary measured value.
    public var measurementFault: MeasurementFault { measurementFault(channel: primaryMeasurementChannel) ?? .none }

    /// Removes every injected device-level fault: measurement faults and forced status bits.
    public func clearInjectedFaults() {
        setForcedStatusBits(0)
        for channel in measurementChannels { try? setMeasurementFault(.none, channel: channel) }
    }
}

/// A fault on a measured value, as the firmware reports it.
public enum MeasurementFault: Sendable, Hashable, CustomStringConvertible {
    /// The value is what the device measures.
    case none
    /// The value freezes at what the device reported when the fault was set.
    case stuck
    /// The value gains an offset growing by `perSecond` engineering units per
    /// second from the moment the fault was set.
    case drift(perSecond: Double)

    public var description: String {
        switch self {
        case .none: "none"
        case .stuck: "stuck"
        case .drift(let rate): "drift \(rate)/s"
        }
    }
}

/// Why a fault or condition could not be applied to a simulated device.
public enum SimulatedDeviceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The device measures no value of that name; `available` lists those it has.
    case unknownChannel(String, available: [String])
    /// That measured value cannot take that fault.
    case unsupportedFault(MeasurementFault, channel: String)
    /// The device has no property of that name; `available` lists those it has.
    case unknownCondition(String, available: [String])
    /// A value the property does not take, with what it expects.
    case invalidConditionValue(condition: String, value: String, expected: String)

    public var description: String {
        switch self {
        case .unknownChannel(let c, let available):
            "no measured value '\(c)' (this device has \(available.joined(separator: ", ")))"
        case .unsupportedFault(let f, let c):
            "'\(c)' cannot take a \(f) fault"
        case .unknownCondition(let c, let available):
            "no condition '\(c)' (this device has \(available.joined(separator: ", ")))"
        case .invalidConditionValue(let c, let v, let expected):
            "'\(v)' is not a valid value for \(c) (expected \(expected))"
        }
    }
}

/// The identity a simulated unit reports (identity block, FC17).
public struct DeviceIdentity: Sendable, Hashable {
    /// The vendor number simulated devices report by default ("HB").
    public static let simulatorVendorID: UInt16 = 0x4842

    /// The vendor number in the identity block.
    public var vendorID: UInt16
    /// Product code; nil reports the family code.
    public var modelCode: UInt16?
    /// Major in the high byte, minor in the low byte.
    public var firmwareVersion: UInt16
    /// The serial number in the identity block, which re-identification compares.
    public var serialNumber: UInt32
    /// The first byte of the FC17 reply; nil sends the family code's low byte.
    public var serverIDByte: UInt8?

    /// An identity, by default the simulator's vendor, the family code as product code, firmware
    /// 1.0 and serial number 1.
    public init(vendorID: UInt16 = DeviceIdentity.simulatorVendorID, modelCode: UInt16? = nil,
                firmwareVersion: UInt16 = 0x0100, serialNumber: UInt32 = 1, serverIDByte: UInt8? = nil) {
        self.vendorID = vendorID
        self.modelCode = modelCode
        self.firmwareVersion = firmwareVersion
        self.serialNumber = serialNumber
        self.serverIDByte = serverIDByte
    }
}
