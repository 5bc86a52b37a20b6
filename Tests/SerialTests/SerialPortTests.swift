import Glibc
import Testing
import Serial

/// The termios layer against real pseudo-terminals.
@Suite struct SerialPortTests {
    @Test func settingsAreAppliedAndReadBack() throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(path: pty.secondaryPath, settings: SerialSettings(baudRate: 19200))
        #expect(try port.currentSettings().baudRate == 19200)
        #expect(try port.isRawWithoutFlowControl())
        for rate: BaudRate in [9600, 57600, 115200, 230400, 921600] {
            try port.apply(SerialSettings(baudRate: rate))
            #expect(try port.currentSettings().baudRate == rate)
        }
    }

    /// The standard rates are plain numbers in the public API; termios's speed_t stays inside Serial.
    @Test func standardRatesAreTermiosConstantsAsNumbers() {
        #expect(BaudRate.standardRates.count == 30)
        #expect(BaudRate.standardRates.isSuperset(of: [50, 9600, 19200, 115200, 921600, 4_000_000]))
        #expect(BaudRate(9600).isStandard && BaudRate(4_000_000).isStandard)
        #expect(!BaudRate(250_000).isStandard && !BaudRate(0).isStandard)
    }

    @Test func arbitraryRateThroughTermios2() throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(path: pty.secondaryPath, settings: SerialSettings(baudRate: 250_000))
        #expect(!BaudRate(250_000).isStandard)
        #expect(try port.currentSettings().baudRate == 250_000)
    }

    /// A pty holds no parity: asking for it again, with nothing else to change,
    /// failed with `tcsetattr failed: Invalid argument` (issue 9, item 5).
    @Test func ptyOpensAt8E1TimeAfterTime() throws {
        let pty = try PseudoTerminal()
        let settings = SerialSettings(baudRate: 115200, parity: .even)
        for _ in 0..<3 {
            let port = try SerialPort(path: pty.secondaryPath, settings: settings)
            #expect(try port.currentSettings().baudRate == 115200)
            try port.apply(settings)
            port.close()
        }
    }

    /// A tool leaves the line as it found it: the next opener is not handed our settings.
    @Test func closeRestoresTheSettingsFoundAtOpen() throws {
        let pty = try PseudoTerminal()
        let observer = open(pty.secondaryPath, O_RDONLY | O_NOCTTY | O_NONBLOCK)
        try #require(observer >= 0)
        defer { Glibc.close(observer) }
        let before = try SerialLine.readSettings(fd: observer)
        #expect(before.baudRate != 19200)
        for rate: BaudRate in [19200, 250_000] {
            let port = try SerialPort(path: pty.secondaryPath, settings: SerialSettings(baudRate: rate, stopBits: .two))
            #expect(try SerialLine.readSettings(fd: observer).baudRate == rate)
            port.close()
            #expect(try SerialLine.readSettings(fd: observer) == before)
            #expect(try SerialLine.captureState(fd: observer) == SerialLine.captureState(fd: observer))
        }
    }

    @Test func secondOpenerIsRefusedAsBusy() throws {
        let pty = try PseudoTerminal()
        let first = try SerialPort(path: pty.secondaryPath, settings: SerialSettings())
        #expect(throws: SerialError.portBusy(path: pty.secondaryPath)) {
            _ = try SerialPort(path: pty.secondaryPath, settings: SerialSettings())
        }
        #expect(throws: SerialError.portBusy(path: pty.secondaryPath)) { _ = try SerialPortLock(path: pty.secondaryPath) }
        first.close()
        _ = try SerialPort(path: pty.secondaryPath, settings: SerialSettings())
    }

    @Test func openingErrorsAreNamed() {
        #expect(throws: SerialError.notFound(path: "/dev/hepabus-no-such-port")) {
            _ = try SerialPort(path: "/dev/hepabus-no-such-port", settings: SerialSettings())
        }
        #expect(throws: SerialError.notATerminal(path: "/dev/null")) {
            _ = try SerialPort(path: "/dev/null", settings: SerialSettings())
        }
    }

    @Test func readWithDeadlineWriteAllAndFlush() throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(path: pty.secondaryPath, settings: SerialSettings())
        // Nothing there: the deadline ends the read, with nothing.
        let start = ContinuousClock.now
        #expect(try port.read(upTo: 10, deadline: .now + .milliseconds(50)).isEmpty)
        #expect(ContinuousClock.now - start >= .milliseconds(50))
        #expect(throws: SerialError.timeout(operation: "read", received: 0, expected: 4)) {
            _ = try port.read(exactly: 4, deadline: .now + .milliseconds(20))
        }

        // Primary -> secondary.
        let message: [UInt8] = Array("01RS\r".utf8)
        _ = message.withUnsafeBytes { write(pty.primaryDescriptor, $0.baseAddress!, $0.count) }
        #expect(try port.read(through: 0x0D, maxLength: 32, deadline: .now + .seconds(2)) == message)

        // Secondary -> primary, larger than one pty buffer chunk.
        let big = (0..<3000).map { UInt8($0 & 0xFF) }
        try port.writeAll(big, deadline: .now + .seconds(2))
        try port.drain()
        var received: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: 4096)
        let end = ContinuousClock.now + .seconds(2)
        while received.count < big.count, ContinuousClock.now < end {
            let n = read(pty.primaryDescriptor, &scratch, scratch.count)
            if n > 0 { received += scratch[0..<n] } else { usleep(1000) }
        }
        #expect(received == big)

        // Unread input is discarded by a flush.
        _ = [UInt8](repeating: 0x55, count: 8).withUnsafeBytes { write(pty.primaryDescriptor, $0.baseAddress!, $0.count) }
        usleep(20_000)
        try port.flush(.input)
        #expect(try port.read(upTo: 8, deadline: .now + .milliseconds(30)).isEmpty)
    }

    @Test func lineLongerThanItsLimitIsAnError() throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(path: pty.secondaryPath, settings: SerialSettings())
        _ = [UInt8](repeating: 0x41, count: 40).withUnsafeBytes { write(pty.primaryDescriptor, $0.baseAddress!, $0.count) }
        #expect(throws: SerialError.self) { _ = try port.read(through: 0x0D, maxLength: 16, deadline: .now + .seconds(1)) }
    }

    @Test func vanishedPortIsReportedAsDisconnected() throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(path: pty.secondaryPath, settings: SerialSettings())
        pty.close()
        #expect(throws: SerialError.disconnected(path: pty.secondaryPath)) {
            _ = try port.read(upTo: 1, deadline: .now + .seconds(1))
        }
    }

    @Test func rs485OnAPtyIsAClearNonFatalAnswer() throws {
        let pty = try PseudoTerminal()
        let port = try SerialPort(path: pty.secondaryPath, settings: SerialSettings())
        let answer = try port.configureRS485(RS485Configuration())
        guard case .notSupportedByDriver(let reason) = answer else {
            Issue.record("a pty has no RS-485 mode, got \(answer)")
            return
        }
        #expect(reason.contains("RS-485"))
        // The port is still usable afterwards.
        #expect(try port.currentSettings().baudRate == 115200)
    }

    @Test func settingsDescribeThemselves() {
        let settings = SerialSettings(baudRate: 115200, parity: .even, dataBits: .eight, stopBits: .one)
        #expect(settings.description == "115200 8E1")
        #expect(settings.bitsPerCharacter == 11)
        #expect(abs(settings.characterTime - 11.0 / 115200.0) < 1e-12)
    }
}

@Suite struct PortHolderTests {
    @Test func busyMessageNamesTheHolder() throws {
        let pty = try PseudoTerminal()
        let first = try SerialPort(path: pty.secondaryPath, settings: SerialSettings())
        defer { first.close() }
        let holders = PortHolder.holders(of: pty.secondaryPath)
        #expect(holders.map(\.pid) == [getpid()])
        let message = SerialError.portBusy(path: pty.secondaryPath).description
        #expect(message.contains("held by pid \(getpid())"))
        first.close()
        #expect(PortHolder.holders(of: pty.secondaryPath).isEmpty)
    }
}
