import Glibc
import Modbus
import Serial

/// The server side of the benchmark, in the parent's process: a Modbus RTU
/// server on a pseudo-terminal and a Modbus TCP server on 127.0.0.1, each with
/// unit 1 holding ``Workload/servedHoldingRegisters`` registers. The clients run
/// in child processes, so the servers' CPU time never counts against them.
final class BenchServers {
    let rtuUnits: ServedUnits
    let tcpUnits: ServedUnits
    let pty: PseudoTerminal
    private let rtuServer: ModbusRTUServer
    private let tcpServer: ModbusTCPServer
    /// Our own descriptor on the pty's secondary side, used only to clear TIOCEXCL.
    private let secondaryDescriptor: Int32

    init() throws {
        rtuUnits = ServedUnits([Workload.unit: RegisterMap(holdingRegisters: Workload.servedHoldingRegisters)])
        tcpUnits = ServedUnits([Workload.unit: RegisterMap(holdingRegisters: Workload.servedHoldingRegisters)])
        pty = try PseudoTerminal()
        rtuServer = ModbusRTUServer(pty: pty, units: rtuUnits, settings: SerialSettings(baudRate: 115200))
        tcpServer = try ModbusTCPServer(host: "127.0.0.1", port: 0, units: tcpUnits)
        // Opened before any client marks the line exclusive (see releaseExclusivity()).
        secondaryDescriptor = open(pty.secondaryPath, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        rtuServer.start()
        tcpServer.start()
    }

    deinit {
        rtuServer.stop()
        tcpServer.stop()
        if secondaryDescriptor >= 0 { close(secondaryDescriptor) }
    }

    var rtu: BenchTransport { .rtu(path: pty.secondaryPath) }
    var tcp: BenchTransport { .tcp(host: tcpServer.host, port: tcpServer.port) }

    func units(for transport: BenchTransport) -> ServedUnits {
        switch transport {
        case .rtu: rtuUnits
        case .tcp: tcpUnits
        }
    }

    /// Readies the pty for the next client process.
    ///
    /// ModbusClient marks its line TIOCEXCL. On a real port the flag dies with
    /// the last close, but a pty's secondary stays open (PseudoTerminal's
    /// keep-alive), so the flag outlives the client and, without CAP_SYS_ADMIN,
    /// the next open(2) would fail with EBUSY. We clear it between clients, and
    /// drop anything a failed client may have left in the queues.
    func readyLineForNextClient() {
        if secondaryDescriptor >= 0 {
            _ = ioctl(secondaryDescriptor, UInt(TIOCNXCL))
            tcflush(secondaryDescriptor, TCIOFLUSH)
        }
    }
}
