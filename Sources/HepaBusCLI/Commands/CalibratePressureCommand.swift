import ArgumentParser
import BusRuntime
import CircuitConfiguration
import Drivers
import FirmwareProtocols
import HardwareInterfaces

/// `hepabus calibrate pressure ROLE --zero`: zeroes a pressure sensor open to atmosphere.
struct CalibratePressureCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pressure",
        abstract: "Zero a pressure sensor open to atmosphere.",
        discussion: """
            Open the sensor's port to atmosphere first. The sensor takes its present reading as zero
            (command 0x5A5A); it refuses if that reading is more than 50 mmHg off, which is reported
            with the reading (exit 1). The new offset is read back and the sensor must then read
            within 2 mmHg of zero. The bus is opened exclusively: refused while another process
            holds it.
            """)

    /// How far from zero a freshly zeroed sensor, still open to atmosphere, may read.
    static let zeroTolerance = 2.0

    @Argument(help: "The pressure sensor's role in the circuit (e.g. venousPressure).")
    var role: String

    @OptionGroup var circuitOptions: CircuitOptions

    @Flag(help: "Zero the sensor (it must be open to atmosphere).")
    var zero = false

    @Flag(name: .customLong("allow-unlocked-tcp"), help: "Zero over a Modbus TCP bus, which cannot be locked (you checked no treatment uses it).")
    var allowUnlockedTCP = false

    @Flag(help: "Print the result as one JSON object.")
    var json = false

    func validate() throws {
        guard zero else { throw ValidationError("say --zero: zeroing, with the sensor open to atmosphere, is the pressure calibration") }
        let configuration = try circuitOptions.configuration()
        _ = try CircuitOptions.role(role, in: configuration, where: { $0.family == PressureSensorProtocol.family }, kind: "pressure sensor")
        _ = try circuitOptions.endpoints(for: configuration)
    }

    func run() async throws {
        let configuration = try circuitOptions.configuration()
        let device = try CircuitOptions.role(role, in: configuration, where: { $0.family == PressureSensorProtocol.family },
                                             kind: "pressure sensor")
        let session = try await DeviceSession.open(device, of: configuration, endpoints: try circuitOptions.endpoints(for: configuration),
                                                   allowUnlockedTCP: allowUnlockedTCP, doing: "zero \(role)")
        do {
            try await zeroSensor(session)
        } catch {
            await session.close()
            throw error
        }
        await session.close()
    }

    private func zeroSensor(_ session: DeviceSession) async throws {
        guard let unit = session.modbusUnit else {
            throw CommandFailure.usage("\(role) is not on a Modbus bus: a pressure sensor speaks Modbus")
        }
        let sensor = PressureSensorDriver(device: unit)
        let place = "\(role) (unit \(session.device.unit) on bus \(session.device.bus), \(session.endpoint.text))"
        func deviceStep<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
            do { return try await body() } catch { throw CommandFailure.device("\(what) of \(place): \(error)") }
        }
        _ = try await deviceStep("identifying") { try await sensor.identify() }
        let before = try await deviceStep("reading the pressure") { try await sensor.read() }
        let oldOffset = try await deviceStep("reading the zero offset") { try await sensor.readZeroOffset() }
        do {
            try await sensor.zero()
        } catch where error.kind == .deviceRefused {
            // What the element senses: the reported pressure with the present offset added back.
            let element = Pressure.mmHg(before.pressure.millimetersOfMercury + oldOffset.millimetersOfMercury)
            throw CommandFailure.device("\(role) refused to zero: it reads \(before.pressure) with its present zero offset of "
                + "\(oldOffset), so its element senses \(element), more than the 50 mmHg a zero may correct. Is it open to "
                + "atmosphere? If it is, the transducer has drifted too far: replace it. (\(error))")
        } catch {
            throw CommandFailure.device("zeroing \(place): \(error)")
        }
        let newOffset = try await deviceStep("reading the new zero offset back") { try await sensor.readZeroOffset() }
        let after = try await deviceStep("reading the pressure after zeroing") { try await sensor.read() }
        guard after.isZeroed else {
            throw CommandFailure.device("\(role) accepted the zero command but does not report itself zeroed (status bit 3)")
        }
        guard abs(after.pressure.millimetersOfMercury) <= Self.zeroTolerance else {
            throw CommandFailure.device("\(role) zeroed (offset \(oldOffset) -> \(newOffset)) but reads \(after.pressure) now, "
                + "more than \(Self.zeroTolerance) mmHg from zero: the pressure is changing. Is it open to atmosphere and still? Zero again")
        }
        if json {
            Terminal.line("{\"role\":\"\(role)\",\"before_mmHg\":\(before.pressure.millimetersOfMercury),"
                + "\"old_offset_mmHg\":\(oldOffset.millimetersOfMercury),\"new_offset_mmHg\":\(newOffset.millimetersOfMercury),"
                + "\"after_mmHg\":\(after.pressure.millimetersOfMercury),\"zeroed\":true}")
        } else {
            Terminal.line("\(role) zeroed: it read \(before.pressure), reads \(after.pressure) now; "
                + "zero offset \(oldOffset) -> \(newOffset), read back")
        }
    }
}
