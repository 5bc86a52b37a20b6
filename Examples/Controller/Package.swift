// swift-tools-version: 6.1
// An example treatment controller: a package of its own that links HepaBus as a controller
// team would. `make example` (part of `make test`) builds and runs it against the simulator.
import PackageDescription

let package = Package(
    name: "Controller",
    platforms: [.macOS(.v15)],
    dependencies: [
        // This repository, by path. `name:` keeps the product reference below independent of
        // the folder the repository is cloned into. From another repository, by its URL
        // and a release: `.package(url: "https://<host>/<owner>/hepabus.git", from: "0.1.0")`,
        // then `.product(name: "HepaBus", package: "hepabus")` (the URL's last component).
        .package(name: "HepaBus", path: "../.."),
        // The controller's own logging: HepaBus logs through the Logger it is given.
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .executableTarget(
            name: "Controller",
            dependencies: [
                .product(name: "HepaBus", package: "HepaBus"),
                // Only because this example runs against the simulated circuit.
                .product(name: "HepaBusSimulator", package: "HepaBus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
