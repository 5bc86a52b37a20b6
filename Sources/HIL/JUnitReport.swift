import Foundation

/// JUnit XML, as CI servers read it: one `<testsuite>` per scenario, one `<testcase>` per
/// step, a `<failure>` naming expected vs. seen and the time, `<skipped>` for steps after a
/// failed set-up step, and an `<error>` case when the circuit never came up.
public enum JUnitReport {
    /// The JUnit XML document of `results`, one test suite per scenario.
    public static func xml(_ results: [ScenarioResult]) -> String {
        let tests = results.reduce(0) { $0 + $1.steps.count + ($1.setupError == nil ? 0 : 1) }
        let failures = results.reduce(0) { $0 + $1.failures.count }
        let errors = results.filter { $0.setupError != nil }.count
        let time = results.reduce(0) { $0 + $1.duration }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"hepabus hil\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\" time=\"\(seconds(time))\">\n"
        for result in results { out += suite(result) }
        out += "</testsuites>\n"
        return out
    }

    static func suite(_ r: ScenarioResult) -> String {
        let skipped = r.steps.filter { $0.status == .skipped }.count
        var out = "  <testsuite name=\"\(escape(r.scenario))\" tests=\"\(r.steps.count + (r.setupError == nil ? 0 : 1))\" "
            + "failures=\"\(r.failures.count)\" errors=\"\(r.setupError == nil ? 0 : 1)\" skipped=\"\(skipped)\" "
            + "time=\"\(seconds(r.duration))\" timestamp=\"\(escape(r.timestamp))\" file=\"\(escape(r.file))\">\n"
        out += "    <properties><property name=\"target\" value=\"\(escape(r.target))\"/></properties>\n"
        let classname = escape(r.scenario)
        if let error = r.setupError {
            out += "    <testcase classname=\"\(classname)\" name=\"bring-up\" time=\"0\">\n"
            out += "      <error message=\"\(escape(error))\" type=\"setup\">\(escape(error))</error>\n"
            out += "    </testcase>\n"
        }
        for step in r.steps {
            let name = escape(String(format: "%02d %@", step.number, step.title))
            out += "    <testcase classname=\"\(classname)\" name=\"\(name)\" time=\"\(seconds(step.duration))\" file=\"\(escape(step.location))\">"
            switch step.status {
            case .passed:
                out += "<system-out>\(escape(step.message))</system-out>"
            case .failed:
                let message = "\(step.message) [step at \(String(format: "%.2f", step.startedAt)) s, \(step.location)]"
                out += "\n      <failure message=\"\(escape(message))\" type=\"expectation\">\(escape(message))</failure>\n    "
            case .skipped:
                out += "<skipped message=\"\(escape(step.message))\"/>"
            }
            out += "</testcase>\n"
        }
        out += "  </testsuite>\n"
        return out
    }

    static func seconds(_ s: Double) -> String { String(format: "%.3f", s) }

    /// XML text and attribute escaping (control characters other than tab/newline dropped: XML 1.0 forbids them).
    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#10;"
            case "\t": out.unicodeScalars.append(scalar)
            default:
                if scalar.value >= 0x20 { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
