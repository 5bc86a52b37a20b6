// The treatment controller's library: one `import HepaBus` brings the whole controller API.
//
// Re-exported, so a controller names types without knowing how the package is cut into
// modules (the way `import NIO` brings NIOCore and NIOPosix): the circuit file and its
// presets, the runtime on the real buses, the supervisor, the interlock's types, the
// journal, the drivers and their units, and the wire layers under them for diagnostics.
// The simulator is not here: it is its own product, `HepaBusSimulator`, for tests and rigs.

@_exported import BusRuntime
@_exported import Circuit
@_exported import CircuitConfiguration
@_exported import DeviceDiscovery
@_exported import Drivers
@_exported import FirmwareProtocols
@_exported import HardwareInterfaces
@_exported import Interlock
@_exported import Journal
@_exported import Modbus
@_exported import Serial
