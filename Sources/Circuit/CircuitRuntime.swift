public import BusRuntime
public import CircuitConfiguration
import Drivers
import FirmwareProtocols
import Foundation
public import HardwareInterfaces
public import Logging
import Modbus
import Serial
import Synchronization
internal import SystemCalls

/// Where a bus is reached at run time (the circuit file's port, or the simulator's).
public enum BusEndpoint: Sendable, Equatable {
    /// A serial port (RS-485 or RS-232 adapter, or a pseudo-terminal): Modbus RTU or a line protocol.
    case serial(path: String)
    /// A Modbus TCP server (a bench gateway or the simulator).
    case tcp(host: String, port: UInt16)
}

/// The circuit's hardware at run time: its buses opened, a driver per role, each
/// bus polled by its own scheduler on its own thread (grouped reads at each
/// signal class's rate, watchdog heartbeats planned in), the latest sample of
/// every role, and actuator commands that jump the poll queue.
public final class CircuitRuntime: Sendable {
    /// The circuit this runtime opened.
    public let configuration: CircuitConfiguration
    /// Heartbeat period: a third of the devices' default 500 ms watchdog.
    public static let heartbeatPeriod: Duration = .milliseconds(150)

    private struct BusHandle: Sendable {
        var name: String
        var modbus: ModbusBus?
        var line: SerialLineBus?
        var executor: BusThreadExecutor
        var scheduler: PollScheduler<ContinuousClock>?
    }

    /// Where each bus is reached (the circuit file's port unless overridden).
    public let endpoints: [String: BusEndpoint]
    /// The host's logger (the circuit's name in its metadata). Each bus logs through it with
    /// its name as `bus` metadata: frames at `.trace`, failed polls at `.debug`.
    public let logger: Logger
    private let busLoggers: [String: Logger]
    private let devices: [CircuitRole: RoleDevice]
    private let busOfRole: [CircuitRole: String]
    private let handles: Mutex<[String: BusHandle]>
    private let samples: Mutex<[CircuitRole: RoleSample]>
    private let tasks = Mutex<[Task<Void, Never>]>([])
    private let heartbeatCounter = Mutex<UInt16>(0)
    /// Each pump's tubing calibration in use, once configured (else the circuit file's).
    private let calibrations = Mutex<[CircuitRole: (calibration: TubingCalibration, source: String)]>([:])
    /// Set once a supervisor owns the circuit: from then on only it commands actuators.
    private let supervised = Mutex<Bool>(false)

    /// Opens every bus of `configuration` (at `endpoints` where given, else the file's ports).
    ///
    /// `logger`: the host's logger for everything below the supervisor (by default nothing
    /// is logged); a ``Supervisor`` on this runtime logs through it too unless given its own.
    public init(configuration: CircuitConfiguration, endpoints: [String: BusEndpoint] = [:],
                logger: Logger = Logger(label: "hepabus.circuit", factory: { _ in SwiftLogNoOpLogHandler() })) async throws {
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "circuit"] = "\(configuration.name)"
        self.logger = logger
        var busLoggers: [String: Logger] = [:]
        var handles: [String: BusHandle] = [:]
        var devices: [CircuitRole: RoleDevice] = [:]
        var busOfRole: [CircuitRole: String] = [:]
        var resolved: [String: BusEndpoint] = [:]
        try Self.requireOnePortPerBus(configuration.buses.map { ($0.name, endpoints[$0.name] ?? Self.defaultEndpoint($0)) })
        do {
            for bus in configuration.buses {
                let endpoint = endpoints[bus.name] ?? Self.defaultEndpoint(bus)
                resolved[bus.name] = endpoint
                var busLogger = logger
                busLogger[metadataKey: "bus"] = "\(bus.name)"
                busLoggers[bus.name] = busLogger
                let options = ModbusClientOptions(responseTimeout: bus.responseTimeout, byteTimeout: .milliseconds(20),
                                                  resynchronisationQuiet: .milliseconds(10))
                switch (bus.protocolKind, endpoint) {
                case (.line, .serial(let path)):
                    let line = try await SerialLineBus(path: path, settings: bus.settings, minimumGap: AsciiPumpLineProtocol.minimumCommandGap,
                                                       logger: busLogger)
                    handles[bus.name] = BusHandle(name: bus.name, line: line, executor: line.executor)
                case (.line, .tcp):
                    throw CircuitError("bus \(bus.name): a line-protocol bus needs a serial port")
                case (_, .serial(let path)):
                    let modbus = try await ModbusBus(endpoint: .rtu(path: path, settings: bus.settings), options: options, logger: busLogger)
                    handles[bus.name] = BusHandle(name: bus.name, modbus: modbus, executor: modbus.executor)
                case (_, .tcp(let host, let port)):
                    let modbus = try await ModbusBus(endpoint: .tcp(host: host, port: port), options: options, logger: busLogger)
                    handles[bus.name] = BusHandle(name: bus.name, modbus: modbus, executor: modbus.executor)
                }
            }
        } catch {
            for handle in handles.values {
                await handle.modbus?.close()
                await handle.line?.close()
            }
            throw error
        }
        for device in configuration.devices {
            let handle = handles[device.bus]!
            busOfRole[device.role] = device.bus
            devices[device.role] = try RoleDevice(device, modbus: handle.modbus, line: handle.line)
        }
        for device in configuration.devices {
            busLoggers[device.bus]?.debug("\(device.role.rawValue): \(device.family) at unit \(device.unit)",
                                          metadata: ["role": "\(device.role.rawValue)", "unit": "\(device.unit)"])
        }
        self.busLoggers = busLoggers
        self.devices = devices
        self.busOfRole = busOfRole
        self.endpoints = resolved
        self.handles = Mutex(handles)
        self.samples = Mutex(Dictionary(uniqueKeysWithValues: configuration.roles.map {
            ($0, RoleSample(role: $0, reading: nil, sampledAt: nil, consecutiveFailures: 0, lastError: nil))
        }))
    }

    /// Two buses on one serial port is a configuration error, said as one: opened in turn,
    /// the second would find the port locked by the first and blame another process.
    /// (The same path reached through a symlink, as udev's /dev/hepabus/ names are, counts.)
    static func requireOnePortPerBus(_ buses: [(name: String, endpoint: BusEndpoint)]) throws {
        var busOfPort: [String: (bus: String, path: String)] = [:]
        for (name, endpoint) in buses {
            guard case .serial(let path) = endpoint else { continue }
            let device = FileSystem.resolvedPath(path) ?? path
            if let other = busOfPort[device] {
                let shown = other.path == path ? path : "\(other.path) and \(path) (both \(device))"
                throw CircuitError("configuration error: buses \(other.bus) and \(name) are both on \(shown); each bus needs its own port")
            }
            busOfPort[device] = (name, path)
        }
    }

    static func defaultEndpoint(_ bus: CircuitConfiguration.Bus) -> BusEndpoint {
        if let tcp = bus.tcp, let colon = tcp.lastIndex(of: ":"), let port = UInt16(tcp[tcp.index(after: colon)...]) {
            return .tcp(host: String(tcp[..<colon]), port: port)
        }
        return .serial(path: bus.port ?? "/dev/null")
    }

    /// Reads every device's identity (before a treatment, after a reconnection).
    public func identifyAll() async -> [CircuitRole: Result<String, DeviceError>] {
        var results: [CircuitRole: Result<String, DeviceError>] = [:]
        for (role, device) in devices {
            do {
                results[role] = .success(try await device.identify())
            } catch {
                results[role] = .failure(error)
            }
        }
        return results
    }

    /// Reads one device's identity (family checked by its driver; serial number included).
    public func identify(_ role: CircuitRole) async -> Result<String, DeviceError> {
        guard let device = devices[role] else {
            return .failure(DeviceError(kind: .invalidRequest, device: role.rawValue, detail: "this circuit has no \(role.rawValue)"))
        }
        do {
            return .success(try await device.identify())
        } catch {
            return .failure(error)
        }
    }

    /// Starts polling every bus; `onSample` hears every poll's outcome (on the bus's thread: keep it short).
    ///
    /// `feedingWatchdogs: false` polls read-only (a monitor): no heartbeat is written, so
    /// any actuator left running falls back to its own safe state when its watchdog lapses.
    public func start(feedingWatchdogs: Bool = true, onSample: @escaping @Sendable (RoleSample) -> Void) {
        let busNames = handles.withLock { Array($0.keys) }
        for busName in busNames {
            var jobs: [PollJob] = []
            for (role, device) in devices where busOfRole[role] == busName {
                let period = configuration.pollPeriods[role.signalClass] ?? .milliseconds(100)
                let priority = [.pressure, .air].contains(role.signalClass) ? 0 : (role.signalClass == .pump ? 2 : 5)
                jobs.append(PollJob(name: role.rawValue, period: period, priority: priority) { [self] in
                    await self.poll(role, device, onSample: onSample)
                })
                if feedingWatchdogs && device.hasWatchdog {
                    jobs.append(PollJob(name: "\(role.rawValue) heartbeat", period: Self.heartbeatPeriod, priority: 1) { [self] in
                        let counter = heartbeatCounter.withLock { c -> UInt16 in
                            c &+= 1
                            return c
                        }
                        do {
                            try await device.feedWatchdog(counter: counter)
                            return true
                        } catch {
                            return false
                        }
                    })
                }
            }
            let executor = handles.withLock { $0[busName]!.executor }
            let scheduler = PollScheduler(clock: ContinuousClock(), jobs: jobs, timerExecutor: executor, logger: busLoggers[busName] ?? logger)
            handles.withLock { $0[busName]!.scheduler = scheduler }
            // On the bus's own thread: each transaction costs no thread switch.
            let task = Task(executorPreference: executor) { await scheduler.run() }
            tasks.withLock { $0.append(task) }
        }
    }

    private func poll(_ role: CircuitRole, _ device: RoleDevice, onSample: @Sendable (RoleSample) -> Void) async -> Bool {
        let outcome: Result<RoleReading, DeviceError>
        do {
            outcome = .success(try await device.read())
        } catch {
            outcome = .failure(error)
        }
        let now = ContinuousClock.now
        let sample = samples.withLock { s -> RoleSample in
            var sample = s[role]!
            switch outcome {
            case .success(let reading):
                sample.reading = reading
                sample.sampledAt = now
                sample.consecutiveFailures = 0
                sample.lastError = nil
            case .failure(let error):
                sample.consecutiveFailures += 1
                sample.lastError = error
            }
            s[role] = sample
            return sample
        }
        if case .failure(let error) = outcome, let bus = busOfRole[role] {
            busLoggers[bus]?.debug("\(role.rawValue): poll failed (\(sample.consecutiveFailures) in a row): \(error)",
                                   metadata: ["role": "\(role.rawValue)", "kind": "\(error.kind.rawValue)"])
        }
        onSample(sample)
        if case .success = outcome { return true }
        return false
    }

    /// Every role's latest sample.
    public var snapshot: CircuitSnapshot {
        CircuitSnapshot(takenAt: .now, samples: samples.withLock { $0 })
    }

    /// Carries out `command` on its device ahead of every poll waiting on that bus,
    /// between transactions. Returns once the device acknowledged it on the wire.
    ///
    /// Refused once a ``Supervisor`` owns this runtime: during a treatment nothing but the
    /// supervisor (applying the interlock's outputs) commands an actuator.
    public func perform(_ command: ActuatorCommand) async -> Result<Void, DeviceError> {
        if isSupervised {
            return .failure(DeviceError(kind: .invalidRequest, device: command.role.rawValue,
                                        detail: "refused: a supervisor owns this circuit, and only it commands actuators"))
        }
        return await performSupervised(command)
    }

    /// Whether a supervisor owns this runtime.
    public var isSupervised: Bool { supervised.withLock { $0 } }

    /// Makes the supervisor the only commander of this runtime's actuators.
    func claimForSupervision() throws {
        let already = supervised.withLock { claimed -> Bool in
            defer { claimed = true }
            return claimed
        }
        if already { throw CircuitError("this circuit runtime already has a supervisor: one circuit, one supervisor") }
    }

    /// ``perform(_:)`` for the supervisor.
    func performSupervised(_ command: ActuatorCommand) async -> Result<Void, DeviceError> {
        guard let device = devices[command.role], let busName = busOfRole[command.role] else {
            return .failure(DeviceError(kind: .invalidRequest, device: command.role.rawValue, detail: "this circuit has no \(command.role.rawValue)"))
        }
        let scheduler = handles.withLock { $0[busName]?.scheduler }
        guard let scheduler else { return await self.execute(command, on: device) }
        return await withCheckedContinuation { continuation in
            scheduler.submit {
                continuation.resume(returning: await self.execute(command, on: device))
            }
        }
    }

    func execute(_ command: ActuatorCommand, on device: RoleDevice) async -> Result<Void, DeviceError> {
        do {
            switch (command, device) {
            case (.runPump(let role, let flow), .pump(let d, let nominal)):
                try await d.setFlow(flow, calibration: calibration(of: role)?.calibration ?? nominal)
                try await d.run(direction: .forward)
            case (.runPump(let role, let flow), .linePump(let d, let nominal)):
                _ = try await d.setFlow(flow, calibration: calibration(of: role)?.calibration ?? nominal)
                try await d.start()
            case (.stopPump, .pump(let d, _)): try await d.stop()
            case (.stopPump, .linePump(let d, _)): try await d.stop()
            case (.openClamp, .airDetector(let d)): try await d.openClamp()
            case (.closeClamp, .airDetector(let d)): try await d.closeClamp()
            case (.enableHeater(let t), .heater(let d)):
                try await d.setSetpoint(t)
                try await d.enable()
            case (.disableHeater, .heater(let d)): try await d.disable()
            case (.faultReset, _):
                // Whatever the family: a device with a latch (its family declares one) resets it.
                guard let latch = device.latch else {
                    return .failure(DeviceError(kind: .invalidRequest, device: command.role.rawValue, detail: "\(command) does not apply to this device"))
                }
                try await latch.faultReset()
            default:
                return .failure(DeviceError(kind: .invalidRequest, device: command.role.rawValue, detail: "\(command) does not apply to this device"))
            }
            return .success(())
        } catch {
            return .failure(error)
        }
    }

    /// How far a pump's stored tubing calibration may lie from the circuit file's nominal
    /// figure and still be trusted as a technician's calibration of the fitted tubing
    /// (`hepabus calibrate pump`); beyond it the stored figure is taken for stale or wrong.
    public static let calibrationTolerance = 0.2

    /// Each pump's tubing calibration in use (mL per revolution) and where it came from.
    public func calibration(of role: CircuitRole) -> (calibration: TubingCalibration, source: String)? {
        calibrations.withLock { $0[role] }
    }

    /// Settles each pump's tubing calibration before polling, so that the flow it reports is
    /// the flow the circuit commands: a figure stored in the pump within
    /// ``calibrationTolerance`` of the circuit file's nominal is kept (a calibration of the
    /// tubing actually fitted); anything else is overwritten by the nominal figure, read back
    /// to confirm. Returns the roles that could not be configured.
    /// Refused (every device reported) once a supervisor owns the runtime: it configures them.
    public func configureDevices(onBus bus: String? = nil) async -> [(role: CircuitRole, error: DeviceError)] {
        if isSupervised {
            return configuration.devices.filter { bus == nil || $0.bus == bus }.map {
                ($0.role, DeviceError(kind: .invalidRequest, device: $0.role.rawValue, detail: "refused: a supervisor owns this circuit"))
            }
        }
        return await configureSupervised(onBus: bus)
    }

    /// ``configureDevices(onBus:)`` for the supervisor.
    func configureSupervised(onBus bus: String? = nil) async -> [(role: CircuitRole, error: DeviceError)] {
        var problems: [(CircuitRole, DeviceError)] = []
        for (role, device) in devices where bus == nil || busOfRole[role] == bus {
            do throws(DeviceError) {
                switch device {
                case .pump(let d, let nominal):
                    let stored = try await d.readCalibration()
                    if Self.trusts(stored, nominal) {
                        calibrations.withLock { $0[role] = (stored, "stored in the pump (nominal \(nominal.millilitersPerRevolution) mL/rev)") }
                        continue
                    }
                    try await d.writeCalibration(nominal)
                    let back = try await d.readCalibration()
                    guard abs(back.millilitersPerRevolution - nominal.millilitersPerRevolution) < 0.001 else {
                        throw DeviceError(kind: .implausibleValue, device: role.rawValue,
                                          detail: "tubing calibration reads back \(back), not \(nominal)")
                    }
                    calibrations.withLock {
                        $0[role] = (nominal, "nominal, written (the pump held \(stored.millilitersPerRevolution) mL/rev, "
                                    + "more than \(Int(Self.calibrationTolerance * 100)) % off)")
                    }
                case .linePump(let d, let nominal):
                    let stored = try await d.readCalibration()
                    if Self.trusts(stored, nominal) {
                        calibrations.withLock { $0[role] = (stored, "stored in the pump (nominal \(nominal.millilitersPerRevolution) mL/rev)") }
                        continue
                    }
                    let set = try await d.setCalibration(nominal)
                    calibrations.withLock { $0[role] = (set, "nominal, written (the pump held \(stored.millilitersPerRevolution) mL/rev)") }
                case .pressure, .temperature, .heater, .airDetector, .bloodLeak:
                    break
                }
            } catch {
                problems.append((role, error))
            }
        }
        return problems
    }

    static func trusts(_ stored: TubingCalibration, _ nominal: TubingCalibration) -> Bool {
        let value = stored.millilitersPerRevolution, reference = nominal.millilitersPerRevolution
        return value.isFinite && value > 0 && abs(value - reference) <= calibrationTolerance * reference
    }

    /// Reads an actuator's host watchdog timeout (to check it is armed before a treatment).
    public func readWatchdogTimeout(_ role: CircuitRole) async -> Result<Duration, DeviceError> {
        guard let device = devices[role] else {
            return .failure(DeviceError(kind: .invalidRequest, device: role.rawValue, detail: "this circuit has no \(role.rawValue)"))
        }
        guard let watchdog = device.watchdog else {
            return .failure(DeviceError(kind: .invalidRequest, device: role.rawValue, detail: "\(role.rawValue) has no host watchdog"))
        }
        do {
            return .success(try await watchdog.readWatchdogTimeout())
        } catch {
            return .failure(error)
        }
    }

    /// The poll schedulers' figures per bus.
    public var pollReports: [String: [PollJobReport]] {
        handles.withLock { h in h.compactMapValues { $0.scheduler?.reports } }
    }

    /// Stops polling and closes every bus.
    public func stop() async {
        let schedulers = handles.withLock { h in h.values.compactMap(\.scheduler) }
        for scheduler in schedulers { scheduler.stop() }
        for task in tasks.withLock({ $0 }) { await task.value }
        let all = handles.withLock { Array($0.values) }
        for handle in all {
            await handle.modbus?.close()
            await handle.line?.close()
        }
    }

    /// Reconnects a bus whose line came back (after a replug or a port error).
    public func reconnect(bus name: String) async throws {
        let handle = handles.withLock { $0[name] }
        if let modbus = handle?.modbus { try await modbus.connect() }
        if let line = handle?.line { try await line.reconnect() }
    }

    /// Closes a bus whose port vanished: its file descriptor goes, polls and commands on
    /// it fail at once ("bus closed") until ``reconnect(bus:)``.
    public func release(bus name: String) async {
        let handle = handles.withLock { $0[name] }
        await handle?.modbus?.close()
        await handle?.line?.close()
    }

    /// The bus a role sits on.
    public func bus(of role: CircuitRole) -> String? { busOfRole[role] }

    /// The roles on a bus, in the circuit file's order.
    public func roles(onBus name: String) -> [CircuitRole] {
        configuration.devices.filter { $0.bus == name }.map(\.role)
    }
}

/// A circuit set-up failure, in words.
public struct CircuitError: Error, CustomStringConvertible, Sendable {
    public var description: String
    /// A failure described in words (what was wrong, and where).
    public init(_ description: String) { self.description = description }
}
