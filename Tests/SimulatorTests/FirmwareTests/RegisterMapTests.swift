import FirmwareProtocols
import Modbus
import Simulator
import Testing

/// The parts every family shares: identity block, FC17, address and value checks.
@Suite struct RegisterMapTests {
    static let families = SimulatedFirmware.families

    @Test(arguments: families)
    func identityBlockReportsTheFamilyAndTheUnit(family: String) throws {
        let time = ManualSimulationTime()
        let identity = DeviceIdentity(vendorID: 0x1234, modelCode: 0x0042, firmwareVersion: 0x0203, serialNumber: 0x0102_0304)
        let device = try #require(SimulatedFirmware.makeDevice(family: family, time: time, identity: identity))
        let spec = try #require(FamilyCatalog.families.first { $0.family == family })

        #expect(try device.word(IdentityBlock.familyCode) == spec.familyCode)
        #expect(try device.word(IdentityBlock.protocolVersion) == spec.protocolVersion)
        #expect(try device.word(IdentityBlock.vendorID) == 0x1234)
        #expect(try device.word(IdentityBlock.modelCode) == 0x0042)
        #expect(try device.word(IdentityBlock.firmwareVersion) == 0x0203)
        #expect(try device.words(IdentityBlock.serialNumber) == [0x0102, 0x0304])  // high word first
        #expect(try device.words(IdentityBlock.wordOrderProbe) == [0xAABB, 0xCCDD])
        #expect(try device.value(IdentityBlock.wordOrderProbe) == 2_864_434_397)  // the spec's check passes
        // The whole block in one request, as a master reads it at start-up.
        #expect(try device.read(.input, address: 0, count: 9)
                == [spec.familyCode, spec.protocolVersion, 0x1234, 0x0042, 0x0203, 0x0102, 0x0304, 0xAABB, 0xCCDD])
        // FC17: family code, run indicator, ASCII text.
        #expect(device.serverID() == [UInt8(spec.familyCode), 0xFF] + Array("HepaBus \(family) sim".utf8))
        #expect(device.familyCode == spec.familyCode)
    }

    @Test func serverIDCanBeUnitSpecificAndModelDefaultsToTheFamily() throws {
        let device = SimulatedPressureSensor(time: ManualSimulationTime(), identity: DeviceIdentity(serverIDByte: 0x33), role: "venousPressure")
        #expect(Array(device.serverID().prefix(2)) == [0x33, 0xFF])
        #expect(try device.word(IdentityBlock.modelCode) == PressureSensorProtocol.familyCode)
        #expect(device.roleDescription == "venousPressure")
        #expect(SimulatedPump(time: ManualSimulationTime()).roleDescription == "Peristaltic pump")
    }

    @Test(arguments: families)
    func holdingRegistersStartAtTheirSpecificationDefaults(family: String) throws {
        let device = try #require(SimulatedFirmware.makeDevice(family: family, time: ManualSimulationTime()))
        let blocks = device.family.blocks.contains("watchdog") ? WatchdogBlock.registers : []
        for register in blocks + device.family.registers where register.table == .holding && register.access != .write {
            #expect(try device.words(register) == (register.defaultValue.map { try register.encode($0) } ?? [0]),
                    "\(register)")
        }
    }

    @Test(arguments: families)
    func undefinedAddressesGapsAndBitTablesAreIllegal(family: String) throws {
        let device = try #require(SimulatedFirmware.makeDevice(family: family, time: ManualSimulationTime()))
        // Just past the identity block; the span from its last word into the gap.
        #expect(throws: ModbusExceptionCode.illegalDataAddress) { try device.read(.input, address: 0x0009, count: 1) }
        #expect(throws: ModbusExceptionCode.illegalDataAddress) { try device.read(.input, address: 0x0008, count: 2) }
        #expect(throws: ModbusExceptionCode.illegalDataAddress) { try device.read(.holding, address: 0x0000, count: 1) }
        #expect(throws: ModbusExceptionCode.illegalDataAddress) { try device.read(.input, address: 0xFFFF, count: 1) }
        // Past the family's own registers.
        let lastInput = try #require(device.family.registers.filter { $0.table == .input }.map { $0.address + UInt16($0.width) }.max())
        #expect(throws: ModbusExceptionCode.illegalDataAddress) { try device.read(.input, address: lastInput, count: 1) }
        #expect(throws: ModbusExceptionCode.illegalDataAddress) { try device.read(.input, address: 0x0200, count: Int(lastInput - 0x0200) + 1) }
        #expect(try device.read(.input, address: 0x0200, count: Int(lastInput - 0x0200)).count == Int(lastInput - 0x0200))
        // Our devices have no coils or discrete inputs.
        #expect(throws: ModbusExceptionCode.illegalDataAddress) { try device.read(.coil, address: 0, count: 1) }
        #expect(throws: ModbusExceptionCode.illegalDataAddress) { try device.read(.discrete, address: 0, count: 1) }
        #expect(throws: ModbusExceptionCode.illegalDataAddress) { try device.write(.coil, address: 0, values: [1]) }
        // Input registers and undefined holding registers cannot be written.
        #expect(throws: ModbusExceptionCode.illegalDataAddress) { try device.write(.input, address: 0x0200, values: [0]) }
        #expect(throws: ModbusExceptionCode.illegalDataAddress) { try device.write(.holding, address: 0x0300, values: [0]) }
        #expect(throws: ModbusExceptionCode.illegalDataAddress) { try device.maskWrite(address: 0x0300, andMask: 0, orMask: 0) }
    }

    @Test func aReadSpanningAHoleBetweenHoldingBlocksIsIllegal() throws {
        let pump = SimulatedPump(time: ManualSimulationTime())
        #expect(try pump.read(.holding, address: 0x0100, count: 2) == [0, 500])
        #expect(throws: ModbusExceptionCode.illegalDataAddress) { try pump.read(.holding, address: 0x0101, count: 2) }
        #expect(throws: ModbusExceptionCode.illegalDataAddress) { try pump.write(.holding, address: 0x0101, values: [500, 0]) }
    }

    @Test func writeOnlyCommandRegistersReadAsZero() throws {
        let pump = SimulatedPump(time: ManualSimulationTime())
        try pump.writeWord(PeristalticPumpProtocol.command, PeristalticPumpProtocol.CommandValue.volumeReset.rawValue)
        #expect(try pump.word(PeristalticPumpProtocol.command) == 0)
        #expect(try pump.read(.holding, address: 0x0200, count: 5) == [0, 0, 8000, 4000, 0])
    }

    @Test func valuesOutsideTheSpecificationAreRefusedAndChangeNothing() throws {
        typealias P = PeristalticPumpProtocol
        let pump = SimulatedPump(time: ManualSimulationTime())
        let before = try registerSnapshot(pump)
        #expect(throws: ModbusExceptionCode.illegalDataValue) { try pump.writeWord(P.speedSetpoint, 6001) }  // 600.1 rpm
        #expect(throws: ModbusExceptionCode.illegalDataValue) { try pump.writeWord(P.tubingCalibration, 99) }
        #expect(throws: ModbusExceptionCode.illegalDataValue) { try pump.writeWord(P.tubingCalibration, 20001) }
        #expect(throws: ModbusExceptionCode.illegalDataValue) { try pump.writeWord(P.maxSpeed, 0) }
        #expect(throws: ModbusExceptionCode.illegalDataValue) { try pump.writeWord(WatchdogBlock.watchdogTimeout, 99) }
        #expect(throws: ModbusExceptionCode.illegalDataValue) { try pump.writeWord(WatchdogBlock.watchdogTimeout, 10001) }
        #expect(throws: ModbusExceptionCode.illegalDataValue) { try pump.writeWord(P.controlWord, 0x0004) }  // undefined bit
        #expect(throws: ModbusExceptionCode.illegalDataValue) { try pump.writeWord(P.command, 0x1234) }  // unknown command
        #expect(throws: ModbusExceptionCode.illegalDataValue) { try pump.writeWord(P.command, 0) }
        #expect(try registerSnapshot(pump) == before)

        let heater = SimulatedHeater(time: ManualSimulationTime())
        #expect(throws: ModbusExceptionCode.illegalDataValue) { try heater.writeWord(HeaterProtocol.setpoint, 2999) }  // 29.99 °C
        #expect(throws: ModbusExceptionCode.illegalDataValue) { try heater.writeWord(HeaterProtocol.setpoint, UInt16(bitPattern: -3700)) }
        #expect(throws: ModbusExceptionCode.illegalDataValue) { try heater.writeWord(HeaterProtocol.cutoutTemperature, 4801) }
        #expect(try heater.value(HeaterProtocol.setpoint) == 37)
        try heater.writeWord(HeaterProtocol.setpoint, 4000)
        #expect(try heater.value(HeaterProtocol.setpoint) == 40)
    }

    @Test func aMultiRegisterWriteWithOneBadValueChangesNothing() throws {
        typealias P = PeristalticPumpProtocol
        let time = ManualSimulationTime()
        let pump = SimulatedPump(time: time)
        let before = try registerSnapshot(pump)
        // run, 100 rpm, a calibration below 100 µL/rev, maxSpeed 400: the third is bad.
        #expect(throws: ModbusExceptionCode.illegalDataValue) {
            try pump.write(.holding, address: P.controlWord.address, values: [P.ControlWord.run.rawValue, 1000, 50, 4000])
        }
        #expect(try registerSnapshot(pump) == before)
        time.advance(by: 0.3)
        try pump.heartbeat()
        #expect(pump.rotorSpeed == 0)  // the run bit was not applied either
        // The same write with a good calibration is applied whole.
        try pump.write(.holding, address: P.controlWord.address, values: [P.ControlWord.run.rawValue, 1000, 5000, 4000])
        #expect(try pump.read(.holding, address: P.controlWord.address, count: 4) == [1, 1000, 5000, 4000])
    }

    @Test func anUnknownCommandInsideAMultiRegisterWriteChangesNothing() throws {
        let sensor = SimulatedPressureSensor(time: ManualSimulationTime())
        // zeroOffset 2.0 mmHg then a bad command: neither is applied.
        #expect(throws: ModbusExceptionCode.illegalDataValue) {
            try sensor.write(.holding, address: PressureSensorProtocol.zeroOffset.address, values: [20, 0x1111])
        }
        #expect(try sensor.value(PressureSensorProtocol.zeroOffset) == 0)
        #expect(try sensor.word(PressureSensorProtocol.status) == 0)
    }

    @Test func maskWriteChecksTheResultLikeAnyWrite() throws {
        typealias P = PeristalticPumpProtocol
        let pump = SimulatedPump(time: ManualSimulationTime())
        try pump.maskWrite(address: P.controlWord.address, andMask: 0xFFFE, orMask: P.ControlWord.run.rawValue)
        #expect(try pump.word(P.controlWord) == P.ControlWord.run.rawValue)
        try pump.maskWrite(address: P.controlWord.address, andMask: 0xFFFF, orMask: P.ControlWord.reverse.rawValue)
        #expect(try pump.word(P.controlWord) == P.ControlWord.run.rawValue)  // an AND mask of all ones keeps the register
        try pump.maskWrite(address: P.controlWord.address, andMask: 0xFFFD, orMask: P.ControlWord.reverse.rawValue)
        #expect(try pump.word(P.controlWord) == (P.ControlWord.run.rawValue | P.ControlWord.reverse.rawValue))
        #expect(throws: ModbusExceptionCode.illegalDataValue) {
            try pump.maskWrite(address: P.controlWord.address, andMask: 0x7FFF, orMask: 0x8000)
        }
        #expect(try pump.word(P.controlWord) == 3)
    }

    @Test func quantityOfZeroIsAValueError() throws {
        let pump = SimulatedPump(time: ManualSimulationTime())
        #expect(throws: ModbusExceptionCode.illegalDataValue) { try pump.read(.input, address: 0, count: 0) }
        #expect(throws: ModbusExceptionCode.illegalDataValue) { try pump.write(.holding, address: 0x0200, values: []) }
    }

    @Test func factoryKnowsEveryFamilyAndNothingElse() throws {
        for spec in FamilyCatalog.families {
            let device = try #require(SimulatedFirmware.makeDevice(family: spec.family, time: ManualSimulationTime()))
            #expect(device.familyCode == spec.familyCode)
        }
        #expect(SimulatedFirmware.makeDevice(family: "asciiPump", time: ManualSimulationTime()) == nil)
    }
}
