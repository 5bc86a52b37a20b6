import Foundation
import Glibc
import Testing

/// Issue 9, item 1, as it was found: a late reply left on the line by one `hepabus read`
/// must never be printed as the value of the next process's read.
@Suite(.serialized) struct StaleReplyCommandTests {
    @Test(.timeLimit(.minutes(1)))
    func aLateReplyLeftByATimedOutReadIsNeverTheNextReadsValue() throws {
        let sim = try SimulatorProcess()
        defer { sim.stop() }
        let blood = sim.endpoint("blood")
        let reference = try CLI.run(["read", blood, "--parity", "even", "--unit", "4", "--table", "input", "--address", "0x200"])
        #expect(reference.status == 0, "\(reference.stderr)")

        _ = try sim.simctl("fault", "venousPressure", "delay", "600", "1")
        let timedOut = try CLI.run(["read", blood, "--parity", "even", "--unit", "4", "--table", "input", "--address", "0", "--timeout", "200"])
        #expect(timedOut.status == 1 && timedOut.stderr.contains("timeout"), "\(timedOut.stdout)\(timedOut.stderr)")
        usleep(1_000_000)  // the late reply to address 0 has reached the line by now
        let next = try CLI.run(["read", blood, "--parity", "even", "--unit", "4", "--table", "input", "--address", "0x200"])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stdout == reference.stdout, "address 0x200 read \(next.stdout), its value is \(reference.stdout)")
    }
}
