import Foundation
import Interlock

/// How the monitor shows each refresh: on a terminal a panel redrawn in place;
/// otherwise a block of plain lines, or one JSON object, per refresh.
final class MonitorView {
    let live: Bool
    private var panelLines = 0

    init(live: Bool) { self.live = live }

    func render(_ rows: [RoleDisplay], circuit: String, phase: TreatmentPhase) {
        let alarms = rows.filter { $0.alarmState == "alarm" }.count
        let pending = rows.filter { $0.alarmState == "pending" }.count
        let header = "\(Terminal.timestamp(Terminal.now())) circuit \(circuit), judged as during \(phase): "
            + (alarms == 0 ? "no alarm" : "\(alarms) role(s) in ALARM") + (pending == 0 ? "" : ", \(pending) pending")
        let lines = [header] + rows.map { "  " + $0.line }
        var out = live && panelLines > 0 ? "\u{1B}[\(panelLines)A\u{1B}[J" : ""
        out += lines.joined(separator: "\n") + "\n"
        panelLines = lines.count
        FileHandle.standardOutput.write(Data(out.utf8))
    }

    func json(_ rows: [RoleDisplay], circuit: String, phase: TreatmentPhase) {
        let alarms = rows.filter { $0.alarmState == "alarm" }.count
        Terminal.line("{\"time\":\"\(Terminal.timestamp(Terminal.now()))\",\"circuit\":\"\(jsonEscaped(circuit))\",\"phase\":\"\(phase)\","
            + "\"roles_in_alarm\":\(alarms),\"roles\":[" + rows.map(\.json).joined(separator: ",") + "]}")
    }
}
