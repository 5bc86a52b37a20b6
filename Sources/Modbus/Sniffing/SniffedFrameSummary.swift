extension SniffedFrame {
    /// The frame on one line, as `hepabus sniff` prints it after the timestamp:
    ///
    ///     REQ  unit 4  FC04 read input registers  addr 0x0200 count 2  CRC ok  [04 04 02 00 00 02 70 26]
    ///     RSP  unit 4  FC04 read input registers  values [100, 0]  CRC ok  [04 04 04 00 64 00 00 …]
    ///     RSP  unit 4  FC04 read input registers  exception 0x02 illegal data address  CRC ok  […]
    ///     ???  unknown bytes (3)  CRC BAD (expected 0x…, got 0x…)  [DE AD BE]
    public var summary: String {
        var parts = [directionTag]
        if let unit { parts.append(unit == 0 ? "unit 0 (broadcast)" : "unit \(unit)") }
        if let function {
            parts.append("\(functionTag(function)) \(function.name)")
        } else {
            parts.append("unknown bytes (\(bytes.count))")
        }
        let detail = detailText
        if !detail.isEmpty { parts.append(detail) }
        if let malformed { parts.append("MALFORMED: \(malformed)") }
        parts.append(crcText)
        parts.append("[\(hexString(bytes))]")
        return parts.joined(separator: "  ")
    }

    /// `REQ`, `RSP` or `???`.
    public var directionTag: String {
        switch direction {
        case .request: "REQ"
        case .response: "RSP"
        case .unknown: "???"
        }
    }

    /// `CRC ok`, `CRC BAD (expected 0x2670, got 0x26D5)` or `no CRC (too short)`.
    public var crcText: String {
        switch crc {
        case .ok: "CRC ok"
        case .bad(let expected, let received): "CRC BAD (expected \(hex4(expected)), got \(hex4(received)))"
        case .missing: "no CRC (too short)"
        }
    }

    /// What the frame carries, in words: addresses, counts, values, exception.
    public var detailText: String {
        if let exception { return "exception 0x\(hex2(exception.rawValue)) \(exception.name)" }
        guard let function else { return "" }
        var parts: [String] = []
        func addressAndCount() {
            if let address { parts.append("addr \(hex4(address))") }
            if let count { parts.append("count \(count)") }
        }
        switch (function.rawValue, direction) {
        case (0x01...0x04, .request), (0x0F, .response), (0x10, .response):
            addressAndCount()
        case (0x0F, .request), (0x10, .request):
            addressAndCount()
            if let values { parts.append("values \(valuesText(values))") }
        case (0x01...0x04, .response):
            if let values { parts.append("values \(valuesText(values))") }
        case (0x05, _):
            if let address { parts.append("addr \(hex4(address))") }
            if case .bits(let bits)? = values, let on = bits.first { parts.append("value \(on ? "on" : "off")") }
        case (0x06, _):
            if let address { parts.append("addr \(hex4(address))") }
            if case .registers(let registers)? = values, let value = registers.first { parts.append("value \(value)") }
        case (0x11, .response):
            if let serverID { parts.append(serverID.description) }
        case (0x16, _):
            if let address { parts.append("addr \(hex4(address))") }
            if let andMask, let orMask { parts.append("and \(hex4(andMask)) or \(hex4(orMask))") }
        case (0x17, .request):
            if let address, let count { parts.append("read addr \(hex4(address)) count \(count)") }
            if let writeAddress, let writeCount { parts.append("write addr \(hex4(writeAddress)) count \(writeCount)") }
            if let values { parts.append("values \(valuesText(values))") }
        case (0x17, .response):
            if let values { parts.append("values \(valuesText(values))") }
        default:
            break
        }
        return parts.joined(separator: " ")
    }

    /// `[100, 0]` for registers, `[1, 0, 1]` for bits.
    public func valuesText(_ values: Values) -> String {
        switch values {
        case .registers(let registers): "[\(registers.map(String.init).joined(separator: ", "))]"
        case .bits(let bits): "[\(bits.map { $0 ? "1" : "0" }.joined(separator: ", "))]"
        }
    }

    /// `FC04`, `FC16`: the function code in decimal, as technicians name them.
    private func functionTag(_ function: ModbusFunction) -> String {
        function.rawValue < 10 ? "FC0\(function.rawValue)" : "FC\(function.rawValue)"
    }
}

/// `0x0200`.
func hex4(_ value: UInt16) -> String {
    "0x" + hex2(UInt8(value >> 8)) + hex2(UInt8(value & 0xFF))
}
