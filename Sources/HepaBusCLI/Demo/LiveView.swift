import Circuit
import CircuitConfiguration
import Foundation
import Interlock
import Synchronization

/// What the demo shows as it happens: on a terminal, a panel redrawn in place above
/// the scrolling log; otherwise plain log lines only.
final class LiveView: Sendable {
    let enabled: Bool
    private let panelLines = Mutex(0)

    init(enabled: Bool) { self.enabled = enabled }

    /// A log line (the panel, if shown, is redrawn below it).
    func log(_ line: String) {
        panelLines.withLock { lines in
            var out = ""
            if enabled && lines > 0 { out += "\u{1B}[\(lines)A\u{1B}[J" }
            out += line + "\n"
            lines = 0
            FileHandle.standardOutput.write(Data(out.utf8))
        }
    }

    func render(snapshot: CircuitSnapshot, lifecycle: Lifecycle, faults: [ActiveFault]) {
        guard enabled else { return }
        var rows: [String] = ["┌─ state: \(lifecycle)" + (faults.isEmpty ? "" : "   ALARMS: " + faults.map { "\($0.requirement)" }.joined(separator: ", "))]
        for role in CircuitRole.allCases {
            guard let sample = snapshot[role] else { continue }
            let age = sample.age(at: snapshot.takenAt).map { String(format: "%4.0f ms", $0.milliseconds) } ?? "   -   "
            let value = sample.reading?.summary ?? "no reading"
            let flag = sample.lastError.map { "  ! \($0.kind.rawValue)" } ?? ""
            rows.append("│ \(role.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0)) \(value.padding(toLength: 40, withPad: " ", startingAt: 0)) \(age)\(flag)")
        }
        rows.append("└─")
        panelLines.withLock { lines in
            var out = lines > 0 ? "\u{1B}[\(lines)A\u{1B}[J" : ""
            out += rows.joined(separator: "\n") + "\n"
            lines = rows.count
            FileHandle.standardOutput.write(Data(out.utf8))
        }
    }

    func finish() {}
}

extension Duration {
    var milliseconds: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) * 1e-15 }
}
