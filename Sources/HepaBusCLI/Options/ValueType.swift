import ArgumentParser
import Modbus

/// How registers are shown and typed: `--type`.
enum ValueType: String, ExpressibleByArgument, CaseIterable {
    case u16, s16, u32, s32, f32, hex

    /// Registers one value occupies.
    var registerCount: Int {
        switch self {
        case .u16, .s16, .hex: 1
        case .u32, .s32, .f32: 2
        }
    }

    /// Decodes registers into values (as JSON-ready numbers or strings).
    func decode(_ registers: [UInt16], order: WordOrder) -> [ValueText] {
        stride(from: 0, to: registers.count, by: registerCount).map { i in
            let words = Array(registers[i..<min(i + registerCount, registers.count)])
            switch self {
            case .u16: return .number(String(words[0]))
            case .s16: return .number(String(Int16(bitPattern: words[0])))
            case .hex: return .string("0x" + String(words[0], radix: 16, uppercase: true).leftPadded(to: 4))
            case .u32: return .number(String(RegisterCodec.decodeUInt32(words, order: order) ?? 0))
            case .s32: return .number(String(RegisterCodec.decodeInt32(words, order: order) ?? 0))
            case .f32:
                let value = RegisterCodec.decodeFloat(words, order: order) ?? .nan
                // JSON has no NaN/inf: those travel as strings.
                return value.isFinite ? .number("\(value)") : .string("\(value)")
            }
        }
    }

    /// Encodes what a technician typed into registers, or says why it cannot.
    func encode(_ text: String, order: WordOrder) throws -> [UInt16] {
        func fail(_ rule: String) -> ValidationError { ValidationError("value '\(text)' is not \(rule)") }
        switch self {
        case .u16:
            guard let v = try? ArgumentParsing.integer(text, in: 0...65535, what: "value") else { throw fail("a u16 (0-65535)") }
            return [UInt16(v)]
        case .hex:
            guard let v = try? ArgumentParsing.integer(text, in: 0...65535, what: "value") else { throw fail("a 16-bit value (0x0000-0xFFFF)") }
            return [UInt16(v)]
        case .s16:
            guard let v = Int16(text) else { throw fail("an s16 (-32768 to 32767)") }
            return [UInt16(bitPattern: v)]
        case .u32:
            guard let v = UInt32(text) else { throw fail("a u32 (0-4294967295)") }
            return RegisterCodec.encode(v, order: order)
        case .s32:
            guard let v = Int32(text) else { throw fail("an s32 (-2147483648 to 2147483647)") }
            return RegisterCodec.encode(v, order: order)
        case .f32:
            guard let v = Float(text), v.isFinite else { throw fail("a finite f32 (e.g. 37.5)") }
            return RegisterCodec.encode(v, order: order)
        }
    }
}

/// A decoded value: a JSON number, or a string where JSON has no number for it.
enum ValueText: Equatable {
    case number(String)
    case string(String)

    var plain: String {
        switch self {
        case .number(let s), .string(let s): s
        }
    }

    var json: String {
        switch self {
        case .number(let s): s
        case .string(let s): "\"\(s)\""
        }
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
