import CircuitConfiguration
import Foundation
import HardwareInterfaces
import Interlock

/// Ports coming and going during supervision.
///
/// A bus whose port vanishes (a udev `remove`, the port path gone, or the line itself
/// failing as disconnected) is lost at once: every device on it is reported lost to the
/// interlock (SR-16 trips without waiting for timeouts), the bus is closed, and its
/// samples are no longer believed. When the port is back, the bus is reopened and every
/// device on it re-identified (identity block and serial number against what the
/// self-test saw) before anything it says reaches the interlock again; then the pumps'
/// calibration is rewritten and the interlock's present demand re-sent to its actuators
/// (a replugged device may have restarted in its own default state). A different device
/// at a role's address is not the device configured: the interlock declares it gone for good.
extension Supervisor {
    /// How a returned port was taken.
    public enum PortReturn: Sendable, Equatable, CustomStringConvertible {
        /// Every device re-identified; the bus is in use again.
        case readmitted
        /// Not in use yet (cannot open, a device not answering); retried later.
        case notYet(String)
        /// A device is not the one configured: the bus stays out of use.
        case rejected(String)
        /// The bus was not lost.
        case notLost

        public var description: String {
            switch self {
            case .readmitted: "readmitted"
            case .notYet(let why): "not yet: \(why)"
            case .rejected(let why): "rejected: \(why)"
            case .notLost: "not lost"
            }
        }
    }

    /// The buses now out of use because their port vanished, with why.
    public var lostBuses: [String: String] { quarantinedBuses }

    /// A bus's port vanished (from a hotplug monitor, or a controller that knows).
    public func portLost(bus: String, reason: String) async {
        guard let inputs else {
            await losePort(bus, reason: reason)
            return
        }
        await withCheckedContinuation { continuation in
            inputs.yield(.portLost(bus: bus, reason: reason, continuation))
        }
    }

    /// A bus's port is back: reopen it and re-identify its devices before using it again.
    @discardableResult
    public func portReturned(bus: String) async -> PortReturn {
        guard quarantinedBuses[bus] != nil else { return .notLost }
        guard busesReturning.insert(bus).inserted else { return .notYet("already being re-identified") }
        defer { busesReturning.remove(bus) }
        do {
            try await runtime.reconnect(bus: bus)
        } catch {
            return notYet(bus, "cannot open the port: \(error)")
        }
        var identified: [String] = []
        for role in runtime.roles(onBus: bus) {
            switch await runtime.identify(role) {
            case .failure(let error):
                // Just plugged in, perhaps still booting: try again later, keep it closed meanwhile.
                await runtime.release(bus: bus)
                return notYet(bus, "\(role.rawValue) did not identify: \(error)")
            case .success(let identity):
                if let known = knownIdentities[role], known != identity {
                    let detail = "\(role.rawValue) is a different device: \(identity), the self-test saw \(known)"
                    await runtime.release(bus: bus)
                    journal(.deviceEvent, source: role.rawValue, "bus \(bus) back, REJECTED: \(detail)")
                    publish(.portRejected(bus: bus, detail: detail))
                    _ = await submitQueued(role.interlockRoles.map { .readingFailed($0, .identityMismatch) })
                    return .rejected(detail)
                }
                identified.append("\(role.rawValue) \(identity)")
            }
        }
        let problems = await runtime.configureSupervised(onBus: bus)
        if let problem = problems.first {
            await runtime.release(bus: bus)
            return notYet(bus, "\(problem.role.rawValue) could not be configured: \(problem.error)")
        }
        journal(.deviceEvent, source: "bus \(bus)", "port back, every device re-identified: " + identified.joined(separator: "; "))
        if let inputs {
            await withCheckedContinuation { continuation in
                inputs.yield(.portBack(bus: bus, continuation))
            }
        } else {
            await readmit(bus)
        }
        publish(.portReturned(bus: bus, detail: identified.joined(separator: "; ")))
        return .readmitted
    }

    /// A returned port not yet taken back (retried later): the host hears why at debug.
    private func notYet(_ bus: String, _ why: String) -> PortReturn {
        logger.debug("bus \(bus) back but not readmitted yet: \(why)", metadata: ["bus": "\(bus)"])
        return .notYet(why)
    }

    /// On the supervision queue: the bus is lost. Every device on it is reported lost to
    /// the interlock (SR-16), then the bus is closed.
    func losePort(_ bus: String, reason: String) async {
        guard quarantinedBuses[bus] == nil else { return }
        quarantinedBuses[bus] = reason
        let roles = runtime.roles(onBus: bus)
        journal(.deviceEvent, source: "bus \(bus)", "port lost (\(reason)): " + roles.map(\.rawValue).joined(separator: ", "),
                ["bus": bus])
        publish(.portLost(bus: bus, detail: reason))
        for role in roles {
            for deviceRole in InterlockMapping.deviceRoles(role) {
                await apply(interlock.handle(.deviceLost(deviceRole)))
            }
        }
        await runtime.release(bus: bus)
    }

    /// On the supervision queue: believe the bus's samples again and re-send the present
    /// demand to its actuators, in the safe order.
    func readmit(_ bus: String) async {
        guard quarantinedBuses.removeValue(forKey: bus) != nil else { return }
        let roles = Set(runtime.roles(onBus: bus))
        for command in interlock.demandCommands {
            guard let actuator = actuatorCommand(for: command), roles.contains(actuator.role) else { continue }
            await apply(command)
        }
    }

    /// An interlock event through the queue when supervising (in order with the samples).
    private func submitQueued(_ events: [InterlockEvent]) async -> [InterlockAction] {
        var all: [InterlockAction] = []
        for event in events {
            guard let inputs else {
                let actions = interlock.handle(event)
                await apply(actions)
                all += actions
                continue
            }
            all += await withCheckedContinuation { continuation in
                inputs.yield(.event(event, continuation))
            }
        }
        return all
    }

    // MARK: Watching

    func startWatchingPorts() {
        let watch = PortWatch(endpoints: runtime.endpoints)
        portWatch = watch
        journal(.note, source: "hotplug", watch.notice)
        watch.start { [weak self] change in
            guard let self else { return }
            switch change {
            case .removed(let bus, let reason): await self.portLost(bus: bus, reason: reason)
            case .added(let bus): await self.portReturned(bus: bus)
            }
        }
        // A bus lost from its line's errors alone may come back at the same path without any
        // event: retry every lost bus until it is re-identified or rejected.
        portRecovery = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                guard let self else { return }
                for bus in await self.quarantinedBuses.keys.sorted() where watch.isPresent(bus: bus) {
                    await self.portReturned(bus: bus)
                }
            }
        }
    }

    func stopWatchingPorts() {
        portRecovery?.cancel()
        portRecovery = nil
        portWatch?.stop()
        portWatch = nil
    }
}

extension CircuitRole {
    /// The interlock's device roles for this circuit role.
    var interlockRoles: [DeviceRole] { InterlockMapping.deviceRoles(self) }
}
