// swift-tools-version: 6.1
// HepaBus: serial-bus drivers and hardware abstraction for extracorporeal circuits.
import PackageDescription

/// Settings every Swift target shares: Swift 6 language mode (strict concurrency),
/// explicit `any` for existentials, and imports internal unless marked `public import`
/// (so a module's public API names only what it says it re-exposes: docs/ARCHITECTURE.md).
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "HepaBus",
    platforms: [.macOS(.v15)],
    products: [
        // What a treatment controller links: `import HepaBus` (docs/ARCHITECTURE.md, "Products").
        .library(name: "HepaBus", targets: ["HepaBus"]),
        // The simulated circuit, for tests, rigs and demonstrations: `import HepaBusSimulator`.
        .library(name: "HepaBusSimulator", targets: ["HepaBusSimulator"]),
        // In-process fakes of the hardware interfaces, for a controller's unit tests.
        .library(name: "HardwareTesting", targets: ["HardwareTesting"]),
        .executable(name: "hepabus", targets: ["hepabus"]),
        .executable(name: "hepabus-bench", targets: ["TransportBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        // Diagnostics go to the host's Logger (SSWG: libraries never print nor bootstrap).
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        // `make docs`: the DocC catalog (Sources/HepaBus/HepaBus.docc) and the modules' references.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        // C system libraries (rule 1: only Serial, Modbus and DeviceDiscovery import these).
        .systemLibrary(
            name: "CModbus",
            pkgConfig: "libmodbus",
            providers: [.apt(["libmodbus-dev"])]
        ),
        .systemLibrary(
            name: "CUdev",
            pkgConfig: "libudev",
            providers: [.apt(["libudev-dev"])]
        ),
        // C helpers for what does not import into Swift: ioctl macros, termios2, RS-485, stdio swapping.
        .target(name: "CSystemSupport"),

        // The one small layer of raw system calls (files, clocks, signals, threads) for the modules
        // above the drivers: rule 1, they never import Glibc themselves (docs/ARCHITECTURE.md).
        .target(name: "SystemCalls", swiftSettings: swiftSettings),
        .target(name: "HardwareInterfaces", swiftSettings: swiftSettings),
        .target(name: "Serial", dependencies: ["CSystemSupport"], swiftSettings: swiftSettings),
        .target(name: "Modbus", dependencies: ["CModbus", "CSystemSupport", "Serial", .product(name: "Logging", package: "swift-log")], swiftSettings: swiftSettings),
        .target(name: "DeviceDiscovery", dependencies: ["CUdev"], swiftSettings: swiftSettings),
        // The device protocols: generated from firmware-protocols/ (FirmwareProtocols,
        // pure data for the runtime) by a generator that reads and checks the YAML (ProtocolSpec).
        .target(name: "FirmwareProtocols", dependencies: ["HardwareInterfaces"], swiftSettings: swiftSettings),
        .target(name: "ProtocolSpec", dependencies: ["StrictYAML", "Yams"], swiftSettings: swiftSettings),
        // Strict YAML reading shared by the protocol specifications and the circuit files.
        .target(name: "StrictYAML", dependencies: ["Yams"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "hepabus-protocolgen",
            dependencies: ["ProtocolSpec", "SystemCalls"],
            path: "Tools/protocolgen",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "BusRuntime",
            dependencies: ["Modbus", "Serial", "HardwareInterfaces", "SystemCalls", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(name: "Interlock", dependencies: ["HardwareInterfaces"], swiftSettings: swiftSettings),
        .target(
            name: "CircuitConfiguration",
            dependencies: ["StrictYAML", "Serial", "FirmwareProtocols", "HardwareInterfaces"],
            // The YAML is compiled in (Generated/PresetTexts.swift, `make presets`): a resource
            // bundle would have to travel with every binary, and Bundle.module traps without it.
            exclude: ["Presets"],
            swiftSettings: swiftSettings
        ),
        .target(name: "Journal", dependencies: ["SystemCalls"], swiftSettings: swiftSettings),
        // Appends to a journal until killed: the crash-durability test's subject.
        .executableTarget(
            name: "hepabus-journal-probe",
            dependencies: ["Journal", "SystemCalls"],
            path: "Tools/journal-probe",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Circuit",
            dependencies: ["CircuitConfiguration", "BusRuntime", "Drivers", "Interlock", "Journal", "HardwareInterfaces",
                           "FirmwareProtocols", "Modbus", "Serial", "DeviceDiscovery", "SystemCalls", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(name: "HardwareTesting", dependencies: ["HardwareInterfaces"], swiftSettings: swiftSettings),
        .target(name: "Drivers", dependencies: ["HardwareInterfaces", "FirmwareProtocols"], swiftSettings: swiftSettings),
        .target(
            name: "Simulator",
            dependencies: ["Modbus", "Serial", "HardwareInterfaces", "FirmwareProtocols", "CircuitConfiguration", "SystemCalls", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        // The products' front doors: each re-exports the modules its users need, so the
        // package's cut into modules can change without breaking a controller's imports.
        .target(
            name: "HepaBus",
            dependencies: ["BusRuntime", "Circuit", "CircuitConfiguration", "DeviceDiscovery", "Drivers", "FirmwareProtocols",
                           "HardwareInterfaces", "Interlock", "Journal", "Modbus", "Serial"],
            swiftSettings: swiftSettings
        ),
        .target(name: "HepaBusSimulator", dependencies: ["Simulator"], swiftSettings: swiftSettings),
        // Hardware-in-the-loop scenarios: the real stack driven through the simulator or a rig.
        .target(
            name: "HIL",
            dependencies: ["Circuit", "CircuitConfiguration", "Simulator", "Interlock", "Journal", "StrictYAML", "HardwareInterfaces",
                           "Drivers", "FirmwareProtocols", "Modbus", "Yams", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HepaBusCLI",
            dependencies: [
                "Modbus", "Serial", "DeviceDiscovery", "BusRuntime", "HardwareInterfaces", "Simulator", "FirmwareProtocols", "Drivers",
                "CircuitConfiguration", "Circuit", "Journal", "HIL", "SystemCalls",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "hepabus",
            dependencies: ["HepaBusCLI"],
            path: "Tools/hepabus",
            swiftSettings: swiftSettings
        ),

        // Benchmarks live apart from tests and print machine-readable figures.
        .executableTarget(
            name: "TransportBench",
            dependencies: ["Modbus", "Serial", "BusRuntime", "Circuit", "CircuitConfiguration", "Simulator", "Interlock", "Journal",
                           "HardwareInterfaces", "FirmwareProtocols"],
            path: "Benchmarks/TransportBench",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "bare-libmodbus-bench",
            dependencies: ["CModbus"],
            path: "Benchmarks/BareLibmodbus"
        ),

        .testTarget(name: "FirmwareProtocolsTests", dependencies: ["ProtocolSpec", "FirmwareProtocols", "HardwareInterfaces"], swiftSettings: swiftSettings),
        .testTarget(name: "DriversTests", dependencies: ["Drivers", "HardwareTesting", "HardwareInterfaces", "FirmwareProtocols"], swiftSettings: swiftSettings),
        .testTarget(
            name: "SimulatorTests",
            dependencies: ["Simulator", "Drivers", "BusRuntime", "Modbus", "Serial", "HardwareInterfaces", "FirmwareProtocols", "HardwareTesting",
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "JournalTests", dependencies: ["Journal", "SystemCalls", "hepabus-journal-probe"], swiftSettings: swiftSettings),
        .testTarget(name: "CircuitConfigurationTests", dependencies: ["CircuitConfiguration", "StrictYAML"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CircuitTests",
            dependencies: ["Circuit", "CircuitConfiguration", "Simulator", "Interlock", "HardwareInterfaces", "Drivers", "BusRuntime", "Journal", "FirmwareProtocols",
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HILTests",
            dependencies: ["HIL", "Circuit", "CircuitConfiguration", "Interlock", "StrictYAML", "Simulator"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "InterlockTests", dependencies: ["Interlock", "HardwareInterfaces"], swiftSettings: swiftSettings),
        .testTarget(name: "HardwareTestingTests", dependencies: ["HardwareTesting", "HardwareInterfaces"], swiftSettings: swiftSettings),
        .testTarget(name: "SerialTests", dependencies: ["Serial"], swiftSettings: swiftSettings),
        .testTarget(name: "SystemCallsTests", dependencies: ["SystemCalls"], swiftSettings: swiftSettings),
        .testTarget(name: "ModbusTests", dependencies: ["Modbus", "Serial", .product(name: "Logging", package: "swift-log")], swiftSettings: swiftSettings),
        .testTarget(name: "BusRuntimeTests", dependencies: ["BusRuntime", "Modbus", "Serial", "HardwareInterfaces"], swiftSettings: swiftSettings),
        .testTarget(name: "DeviceDiscoveryTests", dependencies: ["DeviceDiscovery"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CLITests",
            dependencies: ["hepabus", "Modbus", "Serial", "Journal"],
            swiftSettings: swiftSettings
        ),
    ]
)

// Fuzz targets (Fuzz/, Tools/fuzz.sh, `make fuzz`): libFuzzer entry points, one per decoder of
// outside input. In the manifest only when HEPABUS_FUZZ is set, which only Tools/fuzz.sh does
// (with its own scratch path and -sanitize=fuzzer), so the normal build and tests never see them.
let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
    ("fuzz-rtu-decoder", ["Modbus"]),
    ("fuzz-modbus-pdu", ["Modbus"]),
    ("fuzz-modbus-reply", ["Modbus"]),
    ("fuzz-ascii-pump", ["Drivers", "FirmwareProtocols", "HardwareInterfaces"]),
    ("fuzz-journal", ["Journal"]),
    ("fuzz-circuit-file", ["CircuitConfiguration", "StrictYAML"]),
    ("fuzz-scenario", ["HIL", "StrictYAML"]),
    ("fuzz-firmware-protocol", ["ProtocolSpec"]),
    ("fuzz-control-command", ["Simulator"]),
]
if Context.environment["HEPABUS_FUZZ"] != nil {
    package.targets.append(.target(name: "FuzzSupport", path: "Fuzz/Support", swiftSettings: swiftSettings))
    for target in fuzzTargets {
        package.targets.append(.executableTarget(
            name: target.name,
            dependencies: ["FuzzSupport"] + target.dependencies,
            path: "Fuzz/\(target.name.dropFirst("fuzz-".count))",
            swiftSettings: swiftSettings
        ))
    }
}
