import FirmwareProtocols
import HardwareInterfaces
import Simulator
import Testing

/// The simulated line pump's firmware logic, line by line, with time moved by hand: no I/O, no sleeps.
@Suite struct AsciiPumpFirmwareTests {
    let time = ManualLineFirmwareTime()
    let pump: AsciiPumpFirmware

    init() {
        pump = AsciiPumpFirmware(time: time)
    }

    /// Sends one request line (given without checksum: it is added here) and returns the
    /// reply without its terminator. Time moves on by the command gap first, as a good host's would.
    @discardableResult
    func send(_ body: String, checksum: String? = nil) -> String? {
        time.advance(by: .milliseconds(10))
        return sendNow(body, checksum: checksum)
    }

    /// As ``send(_:checksum:)`` without waiting the gap.
    func sendNow(_ body: String, checksum: String? = nil) -> String? {
        let sum = body.utf8.reduce(UInt8(0), &+)
        let digits = String(sum, radix: 16, uppercase: true)
        let line = body + ";" + (checksum ?? ((digits.count == 1 ? "0" : "") + digits))
        guard let reply = pump.respond(to: Array(line.utf8)) else { return nil }
        #expect(reply.last == 0x0D, "every reply ends with CR")
        return String(decoding: reply.dropLast(), as: UTF8.self)
    }

    /// The reply body (without checksum) after checking the reply's checksum.
    func body(_ reply: String?) -> String? {
        guard let reply, let separator = reply.lastIndex(of: ";") else { return nil }
        let body = reply[..<separator]
        let sum = body.utf8.reduce(UInt8(0), &+)
        #expect(UInt8(reply[reply.index(after: separator)...], radix: 16) == sum, "checksum of \(reply)")
        return String(body)
    }

    @Test func theSpecificationsExamplesAreAnsweredExactly() {
        func answer(_ firmware: AsciiPumpFirmware, _ line: String) -> String? {
            firmware.respond(to: Array(line.utf8)).map { String(decoding: $0, as: UTF8.self) }
        }
        for example in AsciiPumpLineProtocol.examples {
            let clock = ManualLineFirmwareTime()
            let address = Int(String(example.request.prefix(1)))!
            let fresh = AsciiPumpFirmware(configuration: .init(address: address), time: clock)
            // The examples that need a state get it first, through the protocol where it can.
            switch example.request {
            case "1GO;C7" where example.reply == "1#GO04;4E":
                fresh.setDoorOpen(true)
            case "1RS;D6":
                #expect(answer(fresh, "1SP1205;9C") == "1*SP;FE\r")
                clock.advance(by: .milliseconds(10))
                #expect(answer(fresh, "1GO;C7") == "1*GO;F1\r")
                clock.advance(by: .milliseconds(300))
                #expect(answer(fresh, "1HB;BB") == "1*HB;E5\r")  // fed before the 500 ms watchdog lapses
                clock.advance(by: .milliseconds(299))  // 0.599 s after the start: 119.8 rpm into the ramp
            case "3RS;D8":
                #expect(answer(fresh, "3SDCCW;A7")?.hasPrefix("3*SD") == true)
                clock.advance(by: .milliseconds(10))
                #expect(answer(fresh, "3GO;C9")?.hasPrefix("3*GO") == true)
                clock.advance(by: .milliseconds(600))  // no heartbeat: the watchdog expires
                fresh.setDoorOpen(true)
            default:
                break
            }
            #expect(answer(fresh, example.request) == example.reply + "\r", "\(example.description)")
        }
    }

    @Test func linesForOtherAddressesAreNotAnswered() {
        #expect(send("2RS") == nil)
        #expect(send("xyz") == nil)
        #expect(pump.snapshot.counters.lines == 0)
    }

    @Test func aBadChecksumOrFramingGetsTheChecksumRefusalWithTheUnverifiedEcho() {
        #expect(send("1GO", checksum: "C8") == "1#??03;35")
        #expect(send("1GO", checksum: "c7") == "1#??03;35")  // lower-case digits
        #expect(send("1GO", checksum: "C") == "1#??03;35")
        #expect(pump.respond(to: Array("1GO".utf8)).map { String(decoding: $0, as: UTF8.self) } == "1#??03;35\r")
        #expect(send("1g0") == "1#??03;35")  // not two upper-case letters
        #expect(send("1SP" + String(repeating: "1", count: 33)) == "1#SP02;59")  // 40 bytes with CR: framed, a bad argument
        #expect(send("1SP" + String(repeating: "1", count: 34)) == "1#??03;35")  // 41 bytes: too long
        #expect(!pump.snapshot.isRunning)
        #expect(pump.snapshot.counters.badChecksums == 6)
        #expect(pump.snapshot.counters.refusals == 7)
    }

    @Test func argumentsAreValidated() {
        #expect(body(send("1SP4001")) == "1#SP02")
        #expect(body(send("1SP01205")) == "1#SP02")  // five digits for a four-digit field
        #expect(body(send("1SP")) == "1#SP02")
        #expect(body(send("1SP-1")) == "1#SP02")
        #expect(body(send("1GO1")) == "1#GO02")
        #expect(body(send("1SDUP")) == "1#SD02")
        #expect(body(send("1SC99")) == "1#SC02")
        #expect(body(send("1SW99")) == "1#SW02")
        #expect(body(send("1XX")) == "1#XX01")
        #expect(body(send("1SP1205")) == "1*SP")
        #expect(body(send("1SP0400")) == "1*SP")  // leading zeros are fine within the digits
        #expect(pump.snapshot.speedSetpoint == .rpm(40))
    }

    @Test func requestsSoonerThanTheMinimumGapAreRefusedAsBusy() {
        #expect(body(send("1HB")) == "1*HB")
        time.advance(by: .milliseconds(9))
        #expect(body(sendNow("1HB")) == "1#HB05")
        time.advance(by: .milliseconds(10))
        #expect(body(sendNow("1HB")) == "1*HB")
        let lax = AsciiPumpFirmware(configuration: .init(enforcesCommandGap: false), time: time)
        #expect(lax.respond(to: Array("1HB;BB".utf8)) == Array("1*HB;E5\r".utf8))
        #expect(lax.respond(to: Array("1HB;BB".utf8)) == Array("1*HB;E5\r".utf8))
    }

    @Test func theRotorRampsAndTheVolumeIsTheIntegralOfTheSpeed() {
        send("1SW10000")  // no heartbeats in this test: a watchdog that outlasts it
        send("1SP1200")
        #expect(body(send("1GO")) == "1*GO")
        time.advance(by: .milliseconds(300))  // 0.3 s after the start at 200 rpm/s
        #expect(body(sendNow("1RS")) == "1=RS1,CW,1200,600,0,00")
        time.advance(by: .milliseconds(300))  // 0.6 s: at the set-point
        #expect(body(sendNow("1RS")) == "1=RS1,CW,1200,1200,0,00")
        time.advance(by: .milliseconds(400))  // 1.0 s
        // 0.6 s ramping (0.6 rev) + 0.4 s at 120 rpm (0.8 rev) = 1.4 rev × 8 mL = 11.2 mL.
        #expect(body(sendNow("1RV")) == "1=RV112")
        #expect(abs(pump.snapshot.deliveredVolume.milliliters - 11.2) < 1e-9)
        // Slowing down ramps too.
        #expect(body(send("1SP200")) == "1*SP")
        time.advance(by: .milliseconds(250))  // 0.25 s after the change: 120 - 50
        #expect(body(sendNow("1RS")) == "1=RS1,CW,200,700,0,00")
        // A stop is immediate.
        #expect(body(send("1ST")) == "1*ST")
        #expect(body(send("1RS")) == "1=RS0,CW,200,0,0,00")
        #expect(body(send("1ZV")) == "1*ZV")
        #expect(body(send("1RV")) == "1=RV0")
    }

    @Test func theWatchdogStopsARunningPumpAndLatchesUntilAFaultReset() {
        send("1SP1000")
        send("1GO")                                  // t = 20 ms: fed
        time.advance(by: .milliseconds(380))
        #expect(body(sendNow("1HB")) == "1*HB")      // t = 400 ms: fed
        time.advance(by: .milliseconds(500))
        #expect(pump.snapshot.isRunning)             // t = 900 ms: exactly the timeout, not more
        time.advance(by: .milliseconds(1))
        let stopped = pump.snapshot                  // t = 901 ms
        #expect(!stopped.isRunning)
        #expect(stopped.faults == .watchdogExpired)
        #expect(stopped.actualSpeed == .zero)
        #expect(body(send("1RS")) == "1=RS0,CW,1000,0,0,01")
        #expect(body(send("1GO")) == "1#GO06")       // refuses to start while latched
        #expect(body(send("1RS")) == "1=RS0,CW,1000,0,0,01")  // polling the status does not clear it
        #expect(body(send("1FR")) == "1*FR")
        #expect(body(send("1RS")) == "1=RS0,CW,1000,0,0,00")  // reset, still stopped
        #expect(body(send("1GO")) == "1*GO")
    }

    @Test func onlyHeartbeatsAndStartsFeedTheWatchdog() {
        send("1SW200")
        send("1GO")
        for _ in 0..<10 {
            time.advance(by: .milliseconds(40))
            #expect(body(sendNow("1RS"))?.hasPrefix("1=RS1") == true || pump.snapshot.faults == .watchdogExpired)
        }
        #expect(pump.snapshot.faults == .watchdogExpired, "status polls alone let the watchdog expire")
        send("1FR")
        send("1GO")
        for _ in 0..<10 {
            time.advance(by: .milliseconds(150))
            #expect(body(sendNow("1HB")) == "1*HB")
        }
        #expect(pump.snapshot.isRunning, "heartbeats keep it running")
        #expect(pump.snapshot.counters.heartbeats == 10)
    }

    @Test func settingTheTimeoutRestartsTheWatchdog() {
        send("1GO")                                    // fed at 10 ms
        time.advance(by: .milliseconds(480))
        #expect(body(sendNow("1SW1000")) == "1*SW")    // 490 ms: restarts with 1 s
        time.advance(by: .milliseconds(990))
        #expect(pump.snapshot.isRunning)
        time.advance(by: .milliseconds(20))
        #expect(pump.snapshot.faults == .watchdogExpired)
        #expect(body(send("1RW")) == "1=RW1000")
    }

    @Test func anOpenDoorStopsTheRotorAndRefusesAStart() {
        send("1SP500")
        send("1GO")
        pump.setDoorOpen(true)
        #expect(body(send("1RS")) == "1=RS0,CW,500,0,1,00")
        #expect(body(send("1GO")) == "1#GO04")
        #expect(body(send("1ST")) == "1*ST")  // a stop is always accepted
        pump.setDoorOpen(false)
        #expect(body(send("1GO")) == "1*GO")
        // The door is checked before latched faults.
        pump.raise(.stall)
        pump.setDoorOpen(true)
        #expect(body(send("1GO")) == "1#GO04")
        pump.setDoorOpen(false)
        #expect(body(send("1GO")) == "1#GO06")
    }

    @Test func directionAndCalibrationChangeOnlyWhileStopped() {
        #expect(body(send("1SDCCW")) == "1*SD")
        #expect(body(send("1SC2500")) == "1*SC")
        #expect(body(send("1RC")) == "1=RC2500")
        send("1GO")
        #expect(body(send("1SDCW")) == "1#SD07")
        #expect(body(send("1SC3000")) == "1#SC07")
        #expect(body(send("1RS")) == "1=RS1,CCW,0,0,0,00")
        #expect(pump.snapshot.tubingCalibration == TubingCalibration(millilitersPerRevolution: 2.5))
    }

    @Test func identityIsReported() {
        let other = AsciiPumpFirmware(configuration: .init(address: 5, model: "X-1", firmwareVersion: .init(major: 10, minor: 42),
                                                           serialNumber: "SN-7", protocolVersion: .init(major: 1, minor: 3)),
                                      time: time)
        #expect(other.respond(to: Array("5ID;C2".utf8)).map { String(decoding: $0, as: UTF8.self) } == "5=IDX-1,10.42,SN-7,1.3;C5\r")
    }

    @Test func anInjectedRefusalEchoesTheCommandAndChangesNothing() {
        #expect(pump.refuse(Array("1GO;C7".utf8), with: .busy).map { String(decoding: $0, as: UTF8.self) } == "1#GO05;4F\r")
        #expect(pump.refuse(Array("1GO;C8".utf8), with: .busy).map { String(decoding: $0, as: UTF8.self) } == "1#??05;37\r")
        #expect(pump.refuse(Array("2GO;C8".utf8), with: .busy) == nil)
        #expect(!pump.snapshot.isRunning)
    }
}
