// The simulated circuit, apart from the controller's library (as swift-nio ships NIOEmbedded
// apart from NIOPosix): simulated device firmware on pseudo-terminals and loopback TCP, the
// circuit's physics and fault injection. For tests, rigs and demonstrations; a controller
// that drives real hardware never links it.

@_exported import Simulator
