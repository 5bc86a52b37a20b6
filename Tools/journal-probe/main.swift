// hepabus-journal-probe PATH COUNT [PAYLOAD_BYTES]
//
// Appends COUNT entries to the journal at PATH and prints `reported <sequence>` on standard
// output (unbuffered) after each append returns: a line printed is an entry reported as done.
// The crash-durability test kills it at random moments and checks every reported entry
// survived. PAYLOAD_BYTES (default 256) sizes each entry's `payload` field; a large payload
// makes a kill more likely to land mid-write and tear the last record.
import Journal
import SystemCalls

/// The `payload` field of entry `index`: `size` bytes the test can recompute and compare.
func payload(for index: Int, size: Int) -> String {
    let unit = "entry \(index) payload, \"quoted\"; "  // ASCII: one byte a character
    return String(String(repeating: unit, count: size / unit.utf8.count + 1).utf8.prefix(size))!
}

/// Writes `line` and a newline with write(2): unbuffered, so a line is out of the process
/// the moment this returns (stdio would hold it in a buffer a SIGKILL discards).
func emit(_ line: String, to stream: ProcessControl.StandardStream) {
    do {
        try stream.writeUnbuffered(line + "\n")
    } catch {
        ProcessControl.exit(3)  // our reader is gone: nothing more can be reported
    }
}

func fail(_ message: String, status: Int32) -> Never {
    emit("hepabus-journal-probe: \(message)", to: .error)
    ProcessControl.exit(status)
}

let arguments = CommandLine.arguments
guard arguments.count == 3 || arguments.count == 4,
      let count = Int(arguments[2]), count >= 0,
      let payloadSize = arguments.count == 4 ? Int(arguments[3]) : 256, payloadSize >= 0
else {
    fail("usage: hepabus-journal-probe PATH COUNT [PAYLOAD_BYTES]", status: 2)
}

do {
    let journal = try EventJournal(path: arguments[1])
    if journal.recovery.tornTailBytes > 0 {
        emit("hepabus-journal-probe: repaired a torn tail of \(journal.recovery.tornTailBytes) bytes", to: .error)
    }
    for index in stride(from: 1, through: count, by: 1) {
        let entry = try journal.append(
            kind: .command, source: "probe", message: "probe \(index)",
            fields: ["i": String(index), "payload": payload(for: index, size: payloadSize)])
        emit("reported \(entry.sequence)", to: .output)
    }
} catch {
    fail("\(error)", status: 1)
}
