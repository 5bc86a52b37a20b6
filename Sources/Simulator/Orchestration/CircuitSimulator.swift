import CircuitConfiguration
import FirmwareProtocols
import Foundation
public import Logging
public import Modbus
import Serial

/// A simulated circuit: simulated device firmware for every role, served on
/// pseudo-terminals (several units per RS-485 segment) and optionally Modbus TCP,
/// coupled through ``CircuitPhysics``, with faults and conditions settable
/// in-process and through the control socket.
public final class CircuitSimulator: @unchecked Sendable {
    /// How to run it.
    public struct Options: Sendable {
        /// Where the stable bus paths, the control socket and the manifest live (a new one in /tmp
        /// if nil). Created mode 0700; an existing one must be this user's alone (`RunDirectory`).
        public var runDirectory: String?
        /// Also serve each Modbus segment over TCP, at `tcpBasePort + index` (0: any free port).
        public var tcpHost: String?
        /// The first TCP port when `tcpHost` is set; 0 binds any free port per segment.
        public var tcpBasePort: UInt16 = 0
        /// Hold replies for their wire time at the segment's baud rate.
        public var emulatesWireTime = false
        /// Physics step, seconds.
        public var physicsPeriod = 0.01
        /// Plasma temperature at start.
        public var initialPlasmaTemperature = 37.0
        /// The host's logger: lines plugged and unplugged and control commands at `.info`,
        /// a refused control command at `.warning`, damaged requests and injected faults at
        /// `.debug`. By default nothing is logged.
        public var logger = Logger(label: "hepabus.simulator", factory: { _ in SwiftLogNoOpLogHandler() })
        /// Defaults: a new run directory in /tmp, no TCP, no wire-time emulation, a 10 ms physics
        /// step, plasma at 37 °C.
        public init() {}
    }

    /// The simulated circuit: its buses and devices.
    public let layout: SimulatedCircuitLayout
    /// How it runs.
    public let options: Options
    /// The run directory in use: bus links, control socket, manifest.
    public let runDirectory: String
    /// Whether the run directory was made here (a fresh /tmp/hepabus-sim-*), and so is ours to remove.
    public let ownsRunDirectory: Bool
    /// The devices' and the physics' clock, from the simulator's creation.
    public let time = MonotonicSimulationTime()
    private var lines: [String: SimulatedBusLine] = [:]
    private var devicesByRole: [String: any SimulatedDevice] = [:]
    private var lineDevices: [String: any LineDeviceHosting] = [:]
    private let lock = NSLock()
    private var physics: CircuitPhysics
    private var control: ControlSocket?
    private var physicsThread: Thread?
    private var running = false
    private let physicsStopped = DispatchSemaphore(value: 0)
    private var tripwires: [Tripwire] = []

    /// Builds the devices; nothing is served until ``start()``.
    public init(layout: SimulatedCircuitLayout, options: Options = Options()) throws {
        self.layout = layout
        self.options = options
        if let dir = options.runDirectory {
            try RunDirectory.make(dir)
            runDirectory = dir
            ownsRunDirectory = false
        } else {
            var template = Array("/tmp/hepabus-sim-XXXXXX".utf8CString)
            guard let made = mkdtemp(&template) else { throw SimulatorError("cannot create a run directory in /tmp") }
            runDirectory = String(cString: made)
            ownsRunDirectory = true
        }
        physics = CircuitPhysics(initialTemperature: options.initialPlasmaTemperature)
        var servedByBus: [String: [UInt8: any ModbusDataModel]] = [:]
        var serial: UInt32 = 24_000_001
        for device in layout.devices {
            guard layout.buses.contains(where: { $0.name == device.bus }) else {
                throw SimulatorError("role \(device.role): no bus named '\(device.bus)'")
            }
            let identity = DeviceIdentity(serialNumber: serial)
            serial += 1
            if case .line(let makeLine) = try Self.family(device.family, role: device.role).simulated {
                lineDevices[device.role] = try makeLine(device.role, device.bus, device.unit, identity)
                continue
            }
            let model = try Self.makeDevice(family: device.family, role: device.role, time: time, identity: identity,
                                            plasmaTemperature: options.initialPlasmaTemperature)
            guard servedByBus[device.bus, default: [:]][device.unit] == nil else {
                throw SimulatorError("role \(device.role): unit \(device.unit) is taken on bus \(device.bus)")
            }
            servedByBus[device.bus, default: [:]][device.unit] = model
            devicesByRole[device.role] = model
        }
        for bus in layout.buses where servedByBus[bus.name] != nil {
            lines[bus.name] = SimulatedBusLine(name: bus.name, settings: bus.settings, units: ServedUnits(servedByBus[bus.name]!),
                                               path: runDirectory + "/" + bus.name, emulatesWireTime: options.emulatesWireTime,
                                               logger: options.logger)
        }
    }

    deinit { stop() }

    /// The line-protocol pump (firmware-protocols/line-ascii-pump.yaml) on its own pty.
    static func makeLineDevice(role: String, bus: String, address: UInt8, identity: DeviceIdentity) throws -> any LineDeviceHosting {
        guard AsciiPumpLineProtocol.addresses.contains(Int(address)) else {
            throw SimulatorError("role \(role): line pump address \(address) is outside \(AsciiPumpLineProtocol.addresses)")
        }
        let serial = String(identity.serialNumber % 100_000_000)
        let configuration = AsciiPumpFirmware.Configuration(
            address: Int(address), serialNumber: String(repeating: "0", count: 8 - serial.count) + serial)
        return HostedAsciiPump(busName: bus, firmware: AsciiPumpFirmware(configuration: configuration, time: MonotonicLineFirmwareTime()))
    }

    /// The device for `family`; a heater powers up at the plasma's temperature (else the
    /// plasma would mix with a cold outlet the moment it first flows).
    static func makeDevice(family: String, role: String, time: any SimulationTime, identity: DeviceIdentity,
                           plasmaTemperature: Double) throws -> any SimulatedDevice {
        guard case .registers(let make) = try Self.family(family, role: role).simulated else {
            throw SimulatorError("role \(role): a \(family) speaks a line protocol, not Modbus")
        }
        return make(time, identity, role, plasmaTemperature)
    }

    /// The registered family a layout names.
    static func family(_ name: String, role: String) throws -> DeviceFamily {
        guard let family = DeviceFamily(rawValue: name) else {
            throw SimulatorError("role \(role): unknown family '\(name)' (known: \(DeviceFamily.names.joined(separator: ", ")))")
        }
        return family
    }

    /// Serves every line, starts the physics and the control socket, writes the manifest.
    /// On failure (a TCP port in use, a pty not to be had) what was started is stopped again,
    /// so a failed start leaves no thread behind and no stop() waiting for one.
    public func start() throws {
        lock.withLock { running = true }
        do {
            try startServing()
        } catch {
            stop()
            throw error
        }
    }

    private func startServing() throws {
        for (index, bus) in layout.buses.enumerated() {
            if let line = lines[bus.name] {
                try line.plug()
                if let host = options.tcpHost {
                    try line.serveTCP(host: host, port: options.tcpBasePort == 0 ? 0 : options.tcpBasePort + UInt16(index))
                }
            }
        }
        for host in lineDevices.values { try host.start(directory: runDirectory) }
        stepPhysics(dt: 0)
        let control = try ControlSocket(path: runDirectory + "/control.sock") { [weak self] line in
            guard let self else { return #"{"ok":false,"error":"the simulator is stopping"}"# }
            return self.handleControlLine(line)
        }
        control.start()
        self.control = control
        let thread = Thread { [weak self] in
            self?.physicsLoop()
        }
        thread.name = "simulator-physics"
        lock.withLock { physicsThread = thread }
        thread.start()
    }

    /// Stops everything: lines closed, threads ended.
    public func stop() {
        let wasRunning = lock.withLock { () -> Bool in
            defer { running = false }
            return running
        }
        guard wasRunning else { return }
        // Only a physics thread that was started will ever signal.
        if lock.withLock({ physicsThread }) != nil { physicsStopped.wait() }
        control?.stop()
        control = nil
        for line in lines.values { line.stop() }
        for host in lineDevices.values { host.stop() }
    }

    /// Removes the run directory after a clean run, if it was made here (a directory the
    /// caller named is left alone). Stops the simulator first: its paths live there.
    public func removeRunDirectory() throws {
        stop()
        guard ownsRunDirectory else { return }
        try FileManager.default.removeItem(atPath: runDirectory)
    }

    // MARK: Access for tests and the control interface

    /// The simulated firmware playing `role`.
    public func device(role: String) -> (any SimulatedDevice)? { devicesByRole[role] }
    /// The line-protocol device playing `role`.
    public func lineDevice(role: String) -> (any LineDeviceHosting)? { lineDevices[role] }

    /// Every Modbus role.
    public var roles: [String] { layout.devices.map(\.role) }

    /// The served units of a bus (for transport fault injection).
    func servedUnits(bus: String) -> ServedUnits? { lines[bus]?.units }

    /// The circuit's physical conditions.
    public var conditions: CircuitConditions {
        get { lock.withLock { physics.conditions } }
        set { lock.withLock { physics.conditions = newValue } }
    }

    /// The physics' latest readings.
    public var readings: CircuitPhysics.Readings { lock.withLock { physics.readings } }

    /// Injects a transport fault on `role`'s unit.
    public func inject(_ fault: ModbusServerFault, role: String, count: Int? = nil) throws {
        guard let device = layout.device(role: role) else { throw SimulatorError("no role '\(role)'") }
        if let host = lineDevices[role] {
            try host.inject(fault, count: count)
            return
        }
        guard let units = lines[device.bus]?.units else { throw SimulatorError("bus \(device.bus) is not served") }
        units.inject(fault, unit: device.unit, count: count)
    }

    /// Removes every fault (transport and device-level) from `role`.
    public func clearFaults(role: String) throws {
        guard let device = layout.device(role: role) else { throw SimulatorError("no role '\(role)'") }
        if let host = lineDevices[role] {
            host.clearFaults()
            return
        }
        lines[device.bus]?.units.clearFault(unit: device.unit)
        devicesByRole[role]?.clearInjectedFaults()
    }

    /// Closes a bus's line (clients see the port vanish).
    public func unplug(bus: String) throws {
        if let line = lines[bus] { line.unplug(); return }
        if let host = lineDevices.values.first(where: { $0.busName == bus }) {
            host.unplug()
            options.logger.info("unplugged: line bus \(bus)", metadata: ["bus": "\(bus)"])
            return
        }
        throw SimulatorError("no bus '\(bus)' (buses: \(layout.buses.map(\.name).joined(separator: ", ")))")
    }

    /// Reopens a bus's line at the same path.
    public func replug(bus: String) throws {
        if let line = lines[bus] { try line.plug(); writeManifestQuietly(); return }
        if let host = lineDevices.values.first(where: { $0.busName == bus }) {
            try host.replug()
            writeManifestQuietly()
            options.logger.info("plugged: line bus \(bus)", metadata: ["bus": "\(bus)"])
            return
        }
        throw SimulatorError("no bus '\(bus)' (buses: \(layout.buses.map(\.name).joined(separator: ", ")))")
    }

    /// Another unit of the same family, with another serial number, answers at `role`'s
    /// address from now on: a device swapped while its port was unplugged. (The newcomer
    /// is not coupled to the circuit physics; it is there to be identified and refused.)
    public func substitute(role: String, serialNumber: UInt32) throws {
        guard let device = layout.devices.first(where: { $0.role == role }) else {
            throw SimulatorError("no role '\(role)' (roles: \(roles.joined(separator: ", ")))")
        }
        guard let line = lines[device.bus] else { throw SimulatorError("role \(role) is not on a Modbus bus") }
        let model = try Self.makeDevice(family: device.family, role: role, time: time, identity: DeviceIdentity(serialNumber: serialNumber),
                                        plasmaTemperature: options.initialPlasmaTemperature)
        line.units.add(unit: device.unit, model: model)
    }

    /// Arms a tripwire: from the next physics step on, records the first instant at which
    /// `condition` holds on this simulator (its readings, its devices). Disarm it when done.
    public func armTripwire(_ condition: @escaping @Sendable (CircuitSimulator) -> Bool) -> Tripwire {
        let wire = Tripwire(condition)
        lock.withLock { tripwires.append(wire) }
        return wire
    }

    /// Stops checking `wire`.
    public func disarm(_ wire: Tripwire) {
        lock.withLock { tripwires.removeAll { $0 === wire } }
    }

    // MARK: Physics

    private func physicsLoop() {
        var last = time.now
        while lock.withLock({ running }) {
            Thread.sleep(forTimeInterval: options.physicsPeriod)
            let now = time.now
            stepPhysics(dt: now - last)
            last = now
        }
        physicsStopped.signal()
    }

    private func pump(_ role: String) -> SimulatedPump? { devicesByRole[role] as? SimulatedPump }
    private func pressure(_ role: String) -> SimulatedPressureSensor? { devicesByRole[role] as? SimulatedPressureSensor }
    private func thermometer(_ role: String) -> SimulatedTemperatureSensor? { devicesByRole[role] as? SimulatedTemperatureSensor }

    /// One physics step: devices → inputs → physics → sensors.
    func stepPhysics(dt: Double) {
        for device in devicesByRole.values { device.tick() }
        var inputs = CircuitPhysics.Inputs()
        let blood = pump(CircuitRole.bloodPump.rawValue) ?? pump(CircuitRole.infusionPump.rawValue)
        inputs.bloodFlow = blood?.trueFlowRate ?? 0
        inputs.bloodPumpSpeed = blood?.rotorSpeed ?? 0
        inputs.plasmaFlow = pump(CircuitRole.plasmaPump.rawValue)?.trueFlowRate ?? 0
        inputs.recirculationFlow = pump(CircuitRole.recirculationPump.rawValue)?.trueFlowRate ?? 0
        let air = devicesByRole[CircuitRole.airDetector.rawValue] as? SimulatedAirDetector
        inputs.returnClampOpen = !(air?.isClampClosed ?? false)
        let heater = devicesByRole[CircuitRole.plasmaHeater.rawValue] as? SimulatedHeater
        // The heater firmware models its own element and outlet (and its cut-out):
        // the plasma follows its outlet, closing the loop through its controller.
        inputs.heaterEnabled = heater?.isEnabled ?? false
        inputs.heaterSetpoint = heater?.setpoint ?? 37
        inputs.heaterOutletTemperature = heater?.outletTemperature
        let (r, conditions) = lock.withLock { () -> (CircuitPhysics.Readings, CircuitConditions) in
            physics.step(dt, inputs: inputs)
            return (physics.readings, physics.conditions)
        }
        pressure(CircuitRole.arterialPressure.rawValue)?.truePressure = r.arterialPressure
        pressure(CircuitRole.preFilterPressure.rawValue)?.truePressure = r.preFilterPressure
        pressure(CircuitRole.venousPressure.rawValue)?.truePressure = r.venousPressure
        pressure(CircuitRole.filtratePressure.rawValue)?.truePressure = r.filtratePressure
        if let t = thermometer(CircuitRole.plasmaTemperature.rawValue) {
            // Two probes in one housing: a hair apart, as real redundant probes are.
            t.probeATemperature = r.plasmaTemperature + 0.03
            t.probeBTemperature = r.plasmaTemperature - 0.03
        }
        if let t = thermometer(CircuitRole.bioreactorTemperature.rawValue) {
            t.probeATemperature = r.bioreactorTemperature + 0.02
            t.probeBTemperature = r.bioreactorTemperature - 0.02
        }
        if let heater {
            heater.inletTemperature = r.plasmaTemperature
            heater.plasmaFlowing = inputs.plasmaFlow + inputs.recirculationFlow > 0
        }
        if let air {
            air.bubbleVolume = conditions.bubbleVolumeMicroliters
            air.airPresent = r.airPresent
        }
        (devicesByRole[CircuitRole.bloodLeakDetector.rawValue] as? SimulatedBloodLeakDetector)?.haemoglobin = min(5000, r.bloodLeak)
        // The devices hold the step's values now: a tripwire's instant is when a poll could first see them.
        for wire in lock.withLock({ tripwires }) { wire.check(self) }
    }

    // MARK: Manifest

    /// What the simulator serves, for any Modbus master to find.
    public var manifest: SimulatorManifest {
        var buses: [SimulatorManifest.Bus] = []
        for bus in layout.buses {
            if let line = lines[bus.name] {
                buses.append(.init(name: bus.name, endpoint: line.path, pty: line.ptyPath, settings: bus.settings.description,
                                   tcp: line.tcp.map { "tcp://\($0.host):\($0.port)" }, tap: line.tapPath, protocolName: "modbus-rtu"))
            } else if let host = lineDevices.values.first(where: { $0.busName == bus.name }) {
                buses.append(.init(name: bus.name, endpoint: host.path, pty: host.ptyPath, settings: bus.settings.description,
                                   tcp: nil, protocolName: "line"))
            }
        }
        let devices = layout.devices.map { d -> SimulatorManifest.Device in
            let bus = buses.first { $0.name == d.bus }
            let family = DeviceFamily(rawValue: d.family)
            return .init(role: d.role, family: d.family, familyCode: family?.registerProtocol.map { Int($0.familyCode) }, bus: d.bus,
                         endpoint: bus?.endpoint ?? "", unit: Int(d.unit), tcp: bus?.tcp,
                         spec: "firmware-protocols/" + (family?.specFile ?? d.family + ".yaml"))
        }
        return SimulatorManifest(circuit: layout.name, control: runDirectory + "/control.sock", runDirectory: runDirectory,
                                 processID: Int(ProcessInfo.processInfo.processIdentifier), buses: buses, devices: devices)
    }

    /// The manifest as pretty JSON.
    public func manifestJSON() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(manifest), as: UTF8.self)
    }

    /// Writes the manifest (atomically, so readers never see half a file).
    public func writeManifest(to path: String) throws {
        manifestPath = path
        try (manifestJSON() + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    private var manifestPath: String?
    private func writeManifestQuietly() {
        if let manifestPath { try? writeManifest(to: manifestPath) }
    }
}
