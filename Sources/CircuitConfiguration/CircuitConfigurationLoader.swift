import FirmwareProtocols
import Foundation
import Serial
import StrictYAML

/// Reads circuit files strictly: an unknown key, a wrong type, an unknown role or
/// family, a role on the wrong family, a unit used twice on a bus, a bus nobody
/// defined is an error naming the file, line and key.
public enum CircuitConfigurationLoader {
    /// The circuits shipped with HepaBus.
    public static let presetNames = ["bal", "plasma-adsorption", "cell-infusion"]

    /// A shipped circuit by name. The presets are compiled in (`PresetTexts`, generated from
    /// Presets/*.yaml), so they work from any install location with no resource bundle.
    public static func preset(_ name: String) throws -> CircuitConfiguration {
        guard presetNames.contains(name), let text = PresetTexts.byName[name] else {
            throw YAMLError(file: name, line: 0, column: 0,
                            message: "no circuit preset named '\(name)' (presets: \(presetNames.joined(separator: ", ")))")
        }
        return try parse(text, file: "preset \(name)")
    }

    /// A shipped preset's YAML as it is compiled in, nil for a name that is not a preset.
    public static func presetText(_ name: String) -> String? { PresetTexts.byName[name] }

    /// A preset name, or a path to a circuit file.
    public static func load(_ nameOrPath: String) throws -> CircuitConfiguration {
        if presetNames.contains(nameOrPath) { return try preset(nameOrPath) }
        guard let data = FileManager.default.contents(atPath: nameOrPath) else {
            throw YAMLError(file: nameOrPath, line: 0, column: 0,
                            message: "cannot read the circuit file (and it is not a preset: \(presetNames.joined(separator: ", ")))")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: nameOrPath)
    }

    /// Reads a circuit file's text; `file` names it in messages.
    ///
    /// - Throws: `YAMLError` naming the file, line and column: an unknown key, a wrong type,
    ///   a value out of range, a role played by a family that cannot play it.
    public static func parse(_ text: String, file: String) throws -> CircuitConfiguration {
        let root = try NodeReader.root(text, file: file, context: "the circuit")
        let fields = try root.mapping(allowed: ["circuit", "title", "description", "buses", "devices", "limits", "flows", "poll", "infusion"])
        let name = try root.string(try root.required(fields, "circuit"), key: "circuit")
        // Lookups by name go through dictionaries: a file of many buses or devices is read in linear time.
        var buses: [CircuitConfiguration.Bus] = []
        var busesByName: [String: CircuitConfiguration.Bus] = [:]
        var busesByPort: [String: String] = [:]
        for node in try root.sequence(try root.required(fields, "buses"), key: "buses") {
            let bus = try parseBus(root.child(node, "a bus"))
            if busesByName[bus.name] != nil { throw root.fail("bus name '\(bus.name)' is used twice", at: node) }
            // Opened in turn, the second would find the port locked by the first and blame another process.
            if let port = bus.port, let other = busesByPort[port] {
                throw root.fail("buses '\(other)' and '\(bus.name)' are both on port \(port): each bus needs its own port", at: node)
            }
            busesByName[bus.name] = bus
            if let port = bus.port { busesByPort[port] = bus.name }
            buses.append(bus)
        }
        var devices: [CircuitConfiguration.Device] = []
        var roles: Set<CircuitRole> = []
        var addresses: [String: CircuitRole] = [:]  // "bus/unit" to the role there
        for node in try root.sequence(try root.required(fields, "devices"), key: "devices") {
            let device = try parseDevice(root.child(node, "a device"), buses: buses, byName: busesByName)
            guard roles.insert(device.role).inserted else {
                throw root.fail("role '\(device.role.rawValue)' is played twice", at: node)
            }
            let address = "\(device.bus)/\(device.unit)"
            if let other = addresses[address] {
                throw root.fail("unit \(device.unit) on bus '\(device.bus)' is taken by \(other.rawValue)", at: node)
            }
            addresses[address] = device.role
            devices.append(device)
        }
        var limits: [CircuitConfiguration.LimitSetting] = []
        if let node = fields["limits"] {
            let reader = root.child(node, "limits")
            guard case .mapping(let mapping) = node else { throw reader.fail("'limits' must be a mapping of limit names to values") }
            for (key, value) in mapping {
                let limitName = try reader.string(key, key: "limit name")
                limits.append(.init(name: limitName, value: try reader.number(value, key: limitName),
                                    line: key.mark?.line ?? 0, column: key.mark?.column ?? 0))
            }
        }
        var flows: [CircuitRole: ClosedRange<Double>] = [:]
        if let node = fields["flows"] {
            let reader = root.child(node, "flows")
            guard case .mapping(let mapping) = node else { throw reader.fail("'flows' must map pump roles to {min, max}") }
            for (key, value) in mapping {
                let roleName = try reader.string(key, key: "role")
                guard let role = CircuitRole(rawValue: roleName), role.isPump else {
                    throw reader.fail("'\(roleName)' in flows is not a pump role", at: key)
                }
                guard roles.contains(role) else {
                    throw reader.fail("flows name '\(roleName)', which this circuit has no device for", at: key)
                }
                flows[role] = try parseRange(reader.child(value, "the flows of '\(roleName)'"), limits: 0...1000, unit: "mL/min")
            }
        }
        var poll = CircuitConfiguration.defaultPollPeriods
        if let node = fields["poll"] {
            let reader = root.child(node, "poll")
            let pf = try reader.mapping(allowed: Set(SignalClass.allCases.map(\.rawValue)))
            for (key, value) in pf {
                let ms = try reader.integer(value, key: key)
                guard (10...5000).contains(ms) else { throw reader.fail("poll period \(key) \(ms) ms is out of range 10-5000 ms", at: value) }
                poll[SignalClass(rawValue: key)!] = .milliseconds(ms)
            }
        }
        var infusion: CircuitConfiguration.InfusionPlan? = nil
        if let node = fields["infusion"] {
            let reader = root.child(node, "infusion")
            let f = try reader.mapping(allowed: ["targetCellsPerKilogram", "patientWeightKilograms", "cellsPerMilliliter", "rate"])
            func positive(_ key: String, _ range: ClosedRange<Double>) throws -> Double {
                let v = try reader.number(try reader.required(f, key), key: key)
                guard range.contains(v) else { throw reader.fail("\(key) \(v) is out of range \(range.lowerBound)-\(range.upperBound)", at: f[key]) }
                return v
            }
            infusion = .init(targetCellsPerKilogram: try positive("targetCellsPerKilogram", 1e3...1e9),
                             patientWeightKilograms: try positive("patientWeightKilograms", 2...250),
                             cellsPerMilliliter: try positive("cellsPerMilliliter", 1e3...1e10),
                             rate: try parseRange(reader.child(try reader.required(f, "rate"), "the infusion rate"), limits: 0.01...100, unit: "mL/min"))
            guard roles.contains(.infusionPump) else {
                throw reader.fail("an infusion plan needs an infusionPump device")
            }
        }
        return CircuitConfiguration(
            name: name, title: try fields["title"].map { try root.string($0, key: "title") } ?? name,
            description: try fields["description"].map { try root.string($0, key: "description") } ?? "",
            buses: buses, devices: devices, limits: limits, flows: flows, pollPeriods: poll, infusion: infusion, source: file)
    }

    static func parseRange(_ reader: NodeReader, limits: ClosedRange<Double>, unit: String) throws -> ClosedRange<Double> {
        let f = try reader.mapping(allowed: ["min", "max"])
        let low = try reader.number(try reader.required(f, "min"), key: "min")
        let high = try reader.number(try reader.required(f, "max"), key: "max")
        guard low <= high else { throw reader.fail("\(reader.context): min \(low) is above max \(high)") }
        guard limits.contains(low), limits.contains(high) else {
            throw reader.fail("\(reader.context): \(low)-\(high) \(unit) is outside \(limits.lowerBound)-\(limits.upperBound) \(unit)")
        }
        return low...high
    }

    static func parseBus(_ initial: NodeReader) throws -> CircuitConfiguration.Bus {
        let keys: Set<String> = ["name", "protocol", "port", "udevRole", "tcp", "baud", "parity", "dataBits", "stopBits", "responseTimeoutMs"]
        let name = try initial.namedValue("name").map { try initial.string($0, key: "name") }
        let reader = name.map { initial.child(initial.node, "bus '\($0)'") } ?? initial
        let f = try reader.mapping(allowed: keys)
        guard let name else { throw reader.fail("missing key 'name' in a bus") }
        let kind = try f["protocol"].map { try reader.oneOf($0, key: "protocol", as: CircuitConfiguration.BusProtocol.self) } ?? .modbusRTU
        var port = try f["port"].map { try reader.string($0, key: "port") }
        if let udevRole = try f["udevRole"].map({ try reader.string($0, key: "udevRole") }) {
            guard port == nil else { throw reader.fail("bus '\(name)': give 'port' or 'udevRole', not both", at: f["udevRole"]) }
            port = "/dev/hepabus/" + udevRole
        }
        let tcp = try f["tcp"].map { try reader.string($0, key: "tcp") }
        switch kind {
        case .modbusTCP:
            guard tcp != nil else { throw reader.fail("bus '\(name)' (modbus-tcp) needs 'tcp: HOST:PORT'") }
        case .modbusRTU, .line:
            guard let port else { throw reader.fail("bus '\(name)' needs 'port' (a device path) or 'udevRole'") }
            guard port.hasPrefix("/") else { throw reader.fail("bus '\(name)': port '\(port)' must be an absolute device path", at: f["port"]) }
        }
        let defaultBaud = kind == .line ? 9600 : 115200
        let baud = try f["baud"].map { try reader.integer($0, key: "baud") } ?? defaultBaud
        guard (1200...4_000_000).contains(baud) else { throw reader.fail("bus '\(name)': baud \(baud) is out of range 1200-4000000", at: f["baud"]) }
        let parity = try f["parity"].map { try reader.oneOf($0, key: "parity", as: Parity.self) } ?? (kind == .line ? .none : .even)
        let dataBits = try f["dataBits"].map { try reader.integer($0, key: "dataBits") } ?? 8
        guard dataBits == 7 || dataBits == 8 else { throw reader.fail("bus '\(name)': dataBits must be 7 or 8", at: f["dataBits"]) }
        let stopBits = try f["stopBits"].map { try reader.integer($0, key: "stopBits") } ?? 1
        guard stopBits == 1 || stopBits == 2 else { throw reader.fail("bus '\(name)': stopBits must be 1 or 2", at: f["stopBits"]) }
        let timeout = try f["responseTimeoutMs"].map { try reader.integer($0, key: "responseTimeoutMs") } ?? 100
        guard (10...2000).contains(timeout) else {
            throw reader.fail("bus '\(name)': responseTimeoutMs \(timeout) is out of range 10-2000", at: f["responseTimeoutMs"])
        }
        return .init(name: name, protocolKind: kind, port: port, tcp: tcp,
                     settings: SerialSettings(baudRate: BaudRate(rawValue: UInt32(baud)), parity: parity,
                                              dataBits: dataBits == 7 ? .seven : .eight, stopBits: stopBits == 2 ? .two : .one),
                     responseTimeout: .milliseconds(timeout), line: reader.node.mark?.line ?? 0)
    }

    static func parseDevice(_ initial: NodeReader, buses: [CircuitConfiguration.Bus],
                            byName: [String: CircuitConfiguration.Bus]) throws -> CircuitConfiguration.Device {
        let roleName = try initial.namedValue("role").map { try initial.string($0, key: "role") }
        let reader = roleName.map { initial.child(initial.node, "device '\($0)'") } ?? initial
        let f = try reader.mapping(allowed: ["role", "family", "bus", "unit", "tubingMlPerRev"])
        guard let roleName else { throw reader.fail("missing key 'role' in a device") }
        guard let role = CircuitRole(rawValue: roleName) else {
            throw reader.fail("unknown role '\(roleName)' (roles: \(CircuitRole.allCases.map(\.rawValue).joined(separator: ", ")))", at: f["role"])
        }
        let family = try reader.string(try reader.required(f, "family"), key: "family")
        guard let deviceFamily = DeviceFamily(rawValue: family) else {
            throw reader.fail("unknown family '\(family)' (families: \(DeviceFamily.names.joined(separator: ", ")))", at: f["family"])
        }
        guard role.families.contains(family) else {
            throw reader.fail("role '\(roleName)' cannot be played by a \(family) (expected \(role.families.sorted().joined(separator: " or ")))", at: f["family"])
        }
        let busName = try reader.string(try reader.required(f, "bus"), key: "bus")
        guard let bus = byName[busName] else {
            throw reader.fail("device '\(roleName)': no bus named '\(busName)' (buses: \(buses.map(\.name).joined(separator: ", ")))", at: f["bus"])
        }
        guard (bus.protocolKind == .line) == (deviceFamily.busKind == .line) else {
            throw reader.fail("device '\(roleName)': a \(family) cannot sit on \(bus.protocolKind.rawValue) bus '\(busName)'", at: f["bus"])
        }
        let unit = try reader.integer(try reader.required(f, "unit"), key: "unit")
        let unitRange = deviceFamily.unitRange
        guard unitRange.contains(unit) else {
            throw reader.fail("device '\(roleName)': unit \(unit) is out of range \(unitRange.lowerBound)-\(unitRange.upperBound)", at: f["unit"])
        }
        var tubing: Double? = nil
        if let node = f["tubingMlPerRev"] {
            guard role.isPump else { throw reader.fail("tubingMlPerRev applies to pumps, not '\(roleName)'", at: node) }
            let value = try reader.number(node, key: "tubingMlPerRev")
            guard (0.1...20).contains(value) else { throw reader.fail("tubingMlPerRev \(value) is out of range 0.1-20", at: node) }
            tubing = value
        }
        return .init(role: role, family: family, bus: busName, unit: UInt8(unit), tubingMillilitersPerRevolution: tubing,
                     line: reader.node.mark?.line ?? 0)
    }
}
