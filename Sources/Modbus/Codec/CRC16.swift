/// The Modbus RTU CRC-16 (polynomial 0xA001 reflected, initial 0xFFFF),
/// transmitted low byte first.
public enum CRC16 {
    private static let table: [UInt16] = (0..<256).map { byte in
        var crc = UInt16(byte)
        for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xA001 : crc >> 1 }
        return crc
    }

    /// The CRC of no bytes.
    static let initial: UInt16 = 0xFFFF

    /// `crc` extended by one byte: for CRCs of a growing prefix without starting over.
    static func updated(_ crc: UInt16, with byte: UInt8) -> UInt16 {
        (crc >> 8) ^ table[Int((crc ^ UInt16(byte)) & 0xFF)]
    }

    /// The Modbus CRC-16 (polynomial 0xA001 reflected, initial 0xFFFF) of `bytes`; sent low byte first.
    public static func compute(_ bytes: some Sequence<UInt8>) -> UInt16 {
        var crc: UInt16 = 0xFFFF
        for byte in bytes {
            crc = (crc >> 8) ^ table[Int((crc ^ UInt16(byte)) & 0xFF)]
        }
        return crc
    }

    /// `frame` with its CRC appended (low byte first).
    public static func appending(to frame: [UInt8]) -> [UInt8] {
        let crc = compute(frame)
        return frame + [UInt8(crc & 0xFF), UInt8(crc >> 8)]
    }

    /// Whether the last two bytes of `adu` are the CRC of the rest.
    public static func isValid(_ adu: some Collection<UInt8>) -> Bool {
        guard adu.count >= 4 else { return false }
        let body = adu.dropLast(2)
        let crc = compute(body)
        let tail = Array(adu.suffix(2))
        return tail[0] == UInt8(crc & 0xFF) && tail[1] == UInt8(crc >> 8)
    }
}
