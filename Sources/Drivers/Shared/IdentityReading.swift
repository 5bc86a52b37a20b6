public import FirmwareProtocols
public import HardwareInterfaces

extension RegisterDevice {
    /// Reads the identity block (input 0x0000…0x0008, nine registers) in ONE transaction
    /// and checks it is the device `family` expects: the word-order probe, the family
    /// code, the protocol's major version, and, when given, the serial number.
    ///
    /// A different minor protocol version is accepted (minor versions only add);
    /// a different major version is a different register map and is refused.
    ///
    /// - Parameters:
    ///   - family: the family the caller is about to drive (e.g. `PeristalticPumpProtocol.description`).
    ///   - serialNumber: the unit expected, when re-identifying a device after a reconnection.
    /// - Throws: ``/HardwareInterfaces/DeviceError`` `.identityMismatch` naming expected and actual; the
    ///   transport's kind if the transaction fails; `.corruptFrame` for a short reply.
    public func readIdentity(expecting family: FamilyProtocol, serialNumber: UInt32? = nil) async throws(DeviceError) -> DeviceIdentity {
        let operation = "reading identity"
        let block = try await readSpan(IdentityBlock.registers, during: operation)

        func mismatch(_ what: String) -> DeviceError {
            DeviceError(kind: .identityMismatch, device: deviceDescription, detail: "\(operation): \(what)")
        }
        func raw(_ register: RegisterDefinition) throws(DeviceError) -> UInt32 {
            let words = try block.words(of: register)
            return words.reduce(0) { $0 << 16 | UInt32($1) }
        }

        // The probe first: with the wrong word order every 32-bit field is garbage.
        let probe = try raw(IdentityBlock.wordOrderProbe)
        if case .failure = try block.decoded(IdentityBlock.wordOrderProbe) {
            let expected = IdentityBlock.wordOrderProbe.range.map { hex(UInt32($0.lowerBound)) } ?? "?"
            throw mismatch("word-order probe reads \(hex(probe)), expected \(expected): not a HepaBus device, or 32-bit words swapped")
        }

        let familyCode = UInt16(try raw(IdentityBlock.familyCode))
        guard familyCode == family.familyCode else {
            let found = FamilyCatalog.family(code: familyCode)?.family ?? "no known family"
            throw mismatch("expected family \(family.familyCode) (\(family.family)), found \(familyCode) (\(found))")
        }

        let version = VersionNumber(rawValue: UInt16(try raw(IdentityBlock.protocolVersion)))
        let expectedVersion = VersionNumber(rawValue: family.protocolVersion)
        guard version.major == expectedVersion.major else {
            throw mismatch("\(family.family) protocol version \(version) found, this driver speaks \(expectedVersion) (major versions differ)")
        }

        let identity = DeviceIdentity(
            familyCode: familyCode,
            protocolVersion: version,
            vendorID: UInt16(try raw(IdentityBlock.vendorID)),
            modelCode: UInt16(try raw(IdentityBlock.modelCode)),
            firmwareVersion: VersionNumber(rawValue: UInt16(try raw(IdentityBlock.firmwareVersion))),
            serialNumber: try raw(IdentityBlock.serialNumber))
        if let serialNumber, identity.serialNumber != serialNumber {
            throw mismatch("expected serial number \(serialNumber), found \(identity.serialNumber): a different unit")
        }
        return identity
    }
}
