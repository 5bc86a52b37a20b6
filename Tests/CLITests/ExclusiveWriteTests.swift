import Foundation
import Testing

/// Writes need the bus to themselves: while another process holds a port, every
/// command that writes to a device refuses and names the holder.
@Suite(.serialized) struct ExclusiveWriteTests {
    @Test func writesAreRefusedNamingTheHolderWhileAMonitorHoldsTheBus() throws {
        let sim = try SimulatorProcess()
        let holder = try BackgroundHepabus(["monitor"] + sim.circuitArguments + ["--count", "100000", "--interval", "200"])
        // Holding once it has shown a refresh (it opened every bus before polling).
        #expect(holder.waitFor { stdout, _ in stdout.contains("judged as during") }, "\(holder.stderr)")
        let attempts: [[String]] = [
            ["calibrate", "pump", "bloodPump"] + sim.circuitArguments + ["--measured-volume", "80"],
            ["calibrate", "pressure", "venousPressure", "--zero"] + sim.circuitArguments,
            ["selftest"] + sim.circuitArguments,
            ["write", sim.endpoint("blood"), "--parity", "even", "--unit", "1", "--address", "0x0201", "100"],
        ]
        for arguments in attempts {
            let result = try CLI.run(arguments, timeout: 30)
            #expect(result.status == 1, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("refusing to"), "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("held by pid \(holder.pid)") && result.stderr.contains("hepabus monitor"),
                    "\(arguments): \(result.stderr)")
        }
        // Nothing reached the pump.
        let pump = try sim.status("bloodPump")
        #expect(pump["speedSetpoint"] as? Double == 0 && pump["deliveredVolume"] as? Double == 0, "\(pump)")
        holder.interrupt()
        #expect(holder.finish().status == 0)
        // Free again: the same write goes through.
        let write = try CLI.run(attempts[3])
        #expect(write.status == 0, "\(write.stderr)")
    }

    @Test func tcpBusesCannotBeLockedSoDrivingCommandsAskForConsentAndWriteWarns() throws {
        let refused = try CLI.run(["calibrate", "pump", "bloodPump", "--circuit", "bal", "--bus", "blood=tcp://127.0.0.1:1", "--measured-volume", "80"])
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("cannot be locked") && refused.stderr.contains("--allow-unlocked-tcp"), "\(refused.stderr)")
        let selftest = try CLI.run(["selftest", "--circuit", "bal", "--bus", "plasma=tcp://127.0.0.1:1"])
        #expect(selftest.status == 2 && selftest.stderr.contains("plasma (tcp://127.0.0.1:1)"), "\(selftest.stderr)")
        let line = try ServedLine()
        let write = try CLI.run(["write", line.tcpEndpoint, "--unit", "1", "--address", "5", "7"])
        #expect(write.status == 0, "\(write.stderr)")
        #expect(write.stderr.contains("cannot lock it"), "\(write.stderr)")
    }
}
