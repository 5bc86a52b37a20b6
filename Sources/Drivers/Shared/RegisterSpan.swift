import FirmwareProtocols
import HardwareInterfaces

/// Registers of one table that belong together, and the one contiguous block of
/// registers that covers them: what a grouped read asks for in a single transaction,
/// so the values in a reading were all sampled by the device at the same moment.
struct RegisterSpan: Sendable, Hashable {
    /// The table every register lives in.
    let table: RegisterTable
    /// The lowest address of the block.
    let start: UInt16
    /// How many registers the block holds (holes between registers included).
    let count: Int

    /// The block covering `registers`, or nil if there are none or they are not all in one table
    /// (two tables cannot be read in one transaction).
    init?(covering registers: [RegisterDefinition]) {
        guard let first = registers.first, registers.allSatisfy({ $0.table == first.table }) else { return nil }
        let start = registers.map { Int($0.address) }.min() ?? 0
        let end = registers.map { Int($0.address) + $0.width }.max() ?? 0
        table = first.table
        self.start = UInt16(start)
        count = end - start
    }

    /// Where `register`'s words sit in a block read with this span, or nil if it is not inside.
    func offsets(of register: RegisterDefinition) -> Range<Int>? {
        guard register.table == table else { return nil }
        let offset = Int(register.address) - Int(start)
        guard offset >= 0, offset + register.width <= count else { return nil }
        return offset..<(offset + register.width)
    }
}

/// One grouped read as it came off the wire: the span and its words, with the device's
/// name for messages. Each register's words are sliced out of the one reply.
struct RegisterWords: Sendable {
    let span: RegisterSpan
    let words: [UInt16]
    let device: String
    /// What was being read, for messages ("reading pump status").
    let operation: String

    /// The words of `register`. Asking for a register outside the span is a bug in the
    /// driver; it surfaces as `.invalidRequest` rather than a trap, so a treatment is
    /// never ended by a crash.
    func words(of register: RegisterDefinition) throws(DeviceError) -> ArraySlice<UInt16> {
        guard let offsets = span.offsets(of: register) else {
            throw DeviceError(kind: .invalidRequest, device: device,
                              detail: "\(operation): \(register) is not in the block read")
        }
        return words[offsets]
    }

    /// The register's value as the specification decodes it (range and sentinel enforced),
    /// leaving the caller to decide what an unavailable or out-of-range value means.
    func decoded(_ register: RegisterDefinition) throws(DeviceError) -> Result<Double, RegisterValueError> {
        let raw = try words(of: register)
        do throws(RegisterValueError) {
            return .success(try register.decode(raw))
        } catch {
            return .failure(error)
        }
    }

    /// The register's value; anything the specification refuses (out of range, sentinel)
    /// is `.implausibleValue`. For registers whose sentinel has no fault bit to explain it.
    func value(_ register: RegisterDefinition) throws(DeviceError) -> Double {
        switch try decoded(register) {
        case .success(let value): return value
        case .failure(let error): throw try implausible(register, error)
        }
    }

    /// The raw 16-bit word of a one-register value (counters, bit fields).
    func word(_ register: RegisterDefinition) throws(DeviceError) -> UInt16 {
        let raw = try words(of: register)
        guard raw.count == 1, let word = raw.first else {
            throw DeviceError(kind: .invalidRequest, device: device,
                              detail: "\(operation): \(register) is \(register.width) registers wide, not one")
        }
        return word
    }

    /// A status register, refusing bits the specification does not define: a device
    /// that sets them is not speaking this protocol (or the frame is not what it seems).
    func status<Bits: SpecifiedBits>(_ register: RegisterDefinition, as _: Bits.Type) throws(DeviceError) -> Bits {
        let raw = try word(register)
        let bits = Bits(rawValue: raw)
        let undefined = bits.intersection(Bits.undefined)
        guard undefined.isEmpty else {
            throw DeviceError(kind: .implausibleValue, device: device,
                              detail: "\(operation): \(register.name) reads \(hex(raw)), with bits \(hex(undefined.rawValue)) the specification does not define")
        }
        return bits
    }

    /// `.implausibleValue` for a refused value, naming the register and its raw words.
    func implausible(_ register: RegisterDefinition, _ error: RegisterValueError) throws(DeviceError) -> DeviceError {
        DeviceError(kind: .implausibleValue, device: device,
                    detail: "\(operation): \(error) (raw \(hex(try words(of: register))))")
    }
}

extension RegisterDevice {
    /// Reads the registers in `registers` (all of one table) in ONE transaction over the
    /// contiguous block that covers them, and checks the reply has exactly that length.
    ///
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.invalidRequest` with nothing sent if the registers are
    ///   empty or span two tables; the transport's kind if the transaction fails;
    ///   `.corruptFrame` if the reply does not have the length asked for.
    func readSpan(_ registers: [RegisterDefinition], during operation: String) async throws(DeviceError) -> RegisterWords {
        guard let span = RegisterSpan(covering: registers) else {
            throw DeviceError(kind: .invalidRequest, device: deviceDescription,
                              detail: "\(operation): \(registers.map(\.description)) cannot be read in one transaction")
        }
        let words = try await transactRead(span.table, address: span.start, count: span.count, during: operation)
        guard words.count == span.count else {
            throw DeviceError(kind: .corruptFrame, device: deviceDescription,
                              detail: "\(operation): asked for \(span.count) \(span.table.rawValue) registers at \(hex(span.start)), got \(words.count)")
        }
        return RegisterWords(span: span, words: words, device: deviceDescription, operation: operation)
    }
}
