/// A Modbus exception code, as a device sends it in an exception response
/// (function code | 0x80, then this code).
public struct ModbusExceptionCode: RawRepresentable, Hashable, Sendable, Error, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// 0x01: the device does not support the function.
    public static let illegalFunction = Self(rawValue: 0x01)
    /// 0x02: an address the device does not have (our devices: undefined registers).
    public static let illegalDataAddress = Self(rawValue: 0x02)
    /// 0x03: a value the device refuses (our devices: out of the register's range).
    public static let illegalDataValue = Self(rawValue: 0x03)
    /// 0x04: the device failed while acting on the request.
    public static let serverDeviceFailure = Self(rawValue: 0x04)
    /// 0x05: accepted, will take long; poll for completion.
    public static let acknowledge = Self(rawValue: 0x05)
    /// 0x06: busy with a long command; retry later.
    public static let serverDeviceBusy = Self(rawValue: 0x06)
    /// 0x07: the device cannot perform the request (legacy).
    public static let negativeAcknowledge = Self(rawValue: 0x07)
    /// 0x08: a memory parity error in the device's file record.
    public static let memoryParityError = Self(rawValue: 0x08)
    /// 0x0A: the gateway has no path to the target.
    public static let gatewayPathUnavailable = Self(rawValue: 0x0A)
    /// 0x0B: the gateway's target did not answer.
    public static let gatewayTargetFailedToRespond = Self(rawValue: 0x0B)

    /// The name the Modbus specification gives the code.
    public var name: String {
        switch rawValue {
        case 0x01: "illegal function"
        case 0x02: "illegal data address"
        case 0x03: "illegal data value"
        case 0x04: "server device failure"
        case 0x05: "acknowledge"
        case 0x06: "server device busy"
        case 0x07: "negative acknowledge"
        case 0x08: "memory parity error"
        case 0x0A: "gateway path unavailable"
        case 0x0B: "gateway target device failed to respond"
        default: "non-standard exception code \(rawValue)"
        }
    }

    public var description: String { "exception 0x\(hex2(rawValue)) (\(name))" }
}

/// The function codes HepaBus speaks.
public struct ModbusFunction: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// FC 0x01.
    public static let readCoils = Self(rawValue: 0x01)
    /// FC 0x02.
    public static let readDiscreteInputs = Self(rawValue: 0x02)
    /// FC 0x03.
    public static let readHoldingRegisters = Self(rawValue: 0x03)
    /// FC 0x04.
    public static let readInputRegisters = Self(rawValue: 0x04)
    /// FC 0x05.
    public static let writeSingleCoil = Self(rawValue: 0x05)
    /// FC 0x06.
    public static let writeSingleRegister = Self(rawValue: 0x06)
    /// FC 0x0F.
    public static let writeMultipleCoils = Self(rawValue: 0x0F)
    /// FC 0x10.
    public static let writeMultipleRegisters = Self(rawValue: 0x10)
    /// FC 0x11.
    public static let reportServerID = Self(rawValue: 0x11)
    /// FC 0x16.
    public static let maskWriteRegister = Self(rawValue: 0x16)
    /// FC 0x17.
    public static let readWriteMultipleRegisters = Self(rawValue: 0x17)

    /// The name the Modbus specification gives the function.
    public var name: String {
        switch rawValue {
        case 0x01: "read coils"
        case 0x02: "read discrete inputs"
        case 0x03: "read holding registers"
        case 0x04: "read input registers"
        case 0x05: "write single coil"
        case 0x06: "write single register"
        case 0x0F: "write multiple coils"
        case 0x10: "write multiple registers"
        case 0x11: "report server id"
        case 0x16: "mask write register"
        case 0x17: "read/write multiple registers"
        default: "function 0x\(hex2(rawValue))"
        }
    }

    public var description: String { "\(name) (FC\(rawValue))" }
}

/// The four Modbus data tables.
public enum ModbusTable: String, Sendable, CaseIterable, Codable {
    /// Coils (read/write bits), discrete inputs (read-only bits), holding registers
    /// (read/write words), input registers (read-only words).
    case coil, discrete, holding, input

    /// Whether entries are single bits (coils, discrete inputs) or 16-bit registers.
    public var isBit: Bool { self == .coil || self == .discrete }
    /// Whether the master may write it.
    public var isWritable: Bool { self == .coil || self == .holding }
}

@inline(__always)
func hex2(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
}

/// "01 03 00 00 00 0A C5 CD": how frames are shown to technicians.
public func hexString(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map(hex2).joined(separator: " ")
}
