import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import HIL
import Testing

/// JUnit XML, the CSV trace and the SVG plot, checked for form and content.
@Suite struct ReportFormatTests {
    /// Parses XML; nil if it is not well-formed. Counts elements by name.
    final class XMLCounter: NSObject, XMLParserDelegate {
        var counts: [String: Int] = [:]
        var attributes: [String: [[String: String]]] = [:]
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            counts[name, default: 0] += 1
            self.attributes[name, default: []].append(attributes)
        }
        static func parse(_ text: String) -> XMLCounter? {
            let counter = XMLCounter()
            let parser = XMLParser(data: Data(text.utf8))
            parser.delegate = counter
            return parser.parse() ? counter : nil
        }
    }

    static let results = [
        ScenarioResult(scenario: "SR-2 <venous> & \"high\"", file: "Scenarios/sr-02.yaml", target: "simulator", timestamp: "2026-11-22T01:00:00Z",
                       duration: 9.5, steps: [
                        StepOutcome(number: 1, title: "selfTest (expect pass)", location: "sr-02.yaml:8:5", status: .passed,
                                    message: "self-test passed", startedAt: 0, duration: 0.4),
                        StepOutcome(number: 2, title: "expect alarm SR-1 within 1 s", location: "sr-02.yaml:9:5", status: .failed,
                                    message: "expected SR-1 within 1 s; seen: SR-2 at 3.10 s", startedAt: 2, duration: 1),
                        StepOutcome(number: 3, title: "resume", location: "sr-02.yaml:10:5", status: .skipped,
                                    message: "skipped: step 2 failed", startedAt: 3, duration: 0),
                       ], setupError: nil),
        ScenarioResult(scenario: "nominal", file: "Scenarios/nominal.yaml", target: "simulator", timestamp: "2026-11-22T01:01:00Z",
                       duration: 1, steps: [], setupError: "cannot open the circuit: port busy"),
    ]

    @Test func junitIsWellFormedAndCountsFailures() throws {
        let xml = JUnitReport.xml(Self.results)
        let parsed = try #require(XMLCounter.parse(xml), "not well-formed XML:\n\(xml)")
        #expect(parsed.counts["testsuites"] == 1)
        #expect(parsed.counts["testsuite"] == 2)
        #expect(parsed.counts["testcase"] == 4)
        #expect(parsed.counts["failure"] == 1)
        #expect(parsed.counts["skipped"] == 1)
        #expect(parsed.counts["error"] == 1)
        let suites = try #require(parsed.attributes["testsuite"])
        #expect(suites[0]["name"] == "SR-2 <venous> & \"high\"")
        #expect(suites[0]["failures"] == "1" && suites[0]["tests"] == "3" && suites[0]["skipped"] == "1")
        #expect(suites[1]["errors"] == "1")
        let failure = try #require(parsed.attributes["failure"]?.first?["message"])
        #expect(failure.contains("expected SR-1 within 1 s; seen: SR-2 at 3.10 s"))
        #expect(failure.contains("2.00 s") && failure.contains("sr-02.yaml:9:5"))
        #expect(parsed.attributes["testsuites"]?.first?["failures"] == "1")
    }

    static func trace() -> SignalTrace {
        var trace = SignalTrace(columns: [
            .init(name: "venousPressure", unit: "mmHg", panel: .pressure),
            .init(name: "plasmaTemperatureA", unit: "°C", panel: .temperature),
            .init(name: "bloodPumpFlow", unit: "mL/min", panel: .flow),
            .init(name: "airDetected", unit: "0/1", panel: nil),
        ])
        for i in 0..<30 {
            let t = Double(i) * 0.1
            trace.rows.append(.init(time: t, lifecycle: i < 20 ? "treating" : "safe(S1) during treating", safeState: i < 20 ? "" : "S1",
                                    alarms: i < 20 ? [] : ["SR-2 venousPressureHigh", "SR-14 bloodPumpStopped"],
                                    values: [120 + Double(i) * 10, 37, i == 5 ? nil : 150, 0]))
        }
        trace.markers = [.init(kind: .alarm, time: 1.95, label: "SR-2 venousPressureHigh"), .init(kind: .safeState, time: 2.0, label: "S1")]
        return trace
    }

    @Test func csvHasAHeaderWithUnitsAndARowPerSample() {
        let lines = Self.trace().csv().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "time_s,lifecycle,safe_state,alarms,venousPressure_mmHg,plasmaTemperatureA_degC,bloodPumpFlow_mL_per_min,airDetected_bool")
        #expect(lines.count == 32)  // header, 30 rows, final newline
        #expect(lines[1] == "0.000,treating,,,120.000,37.000,150.000,0.000")
        #expect(lines[6] == "0.500,treating,,,170.000,37.000,,0.000")
        #expect(lines[21] == "2.000,\"safe(S1) during treating\",S1,\"SR-2 venousPressureHigh;SR-14 bloodPumpStopped\",320.000,37.000,150.000,0.000")
        for line in lines.dropLast() { #expect(line.split(separator: ",", omittingEmptySubsequences: false).count >= 8) }
    }

    /// Every safe state's marker is drawn as one (S2-warm and "heater off" too), the way back
    /// to a plain phase as a recovery.
    @Test func svgColoursEverySafeStateMarkerAsOne() throws {
        var trace = Self.trace()
        trace.markers = [.init(kind: .safeState, time: 0.5, label: "heater off"), .init(kind: .safeState, time: 1.0, label: "S2-warm"),
                         .init(kind: .safeState, time: 1.5, label: "treating")]
        let svg = SVGPlot.svg(trace, title: "holds")
        let groups = svg.components(separatedBy: "<g class=\"marker safeState\"").dropFirst()
        let colours = groups.map { group in group.contains("stroke=\"#ff7f0e\"") ? "safe" : group.contains("stroke=\"#2ca02c\"") ? "phase" : "?" }
        #expect(colours == ["safe", "safe", "phase"], "\(colours)")
    }

    @Test func svgIsWellFormedWithPanelsAxesAndAlarmMarkers() throws {
        let svg = SVGPlot.svg(Self.trace(), title: "SR-2 & friends")
        let parsed = try #require(XMLCounter.parse(svg), "not well-formed SVG")
        #expect(parsed.counts["svg"] == 1)
        let groups = parsed.attributes["g"] ?? []
        #expect(groups.filter { $0["class"] == "panel" }.map { $0["id"] } == ["panel-pressure", "panel-temperature", "panel-flow"])
        #expect(groups.filter { $0["class"] == "marker alarm" }.map { $0["data-time"] } == ["1.950"])
        #expect(groups.filter { $0["class"] == "marker safeState" }.count == 1)
        #expect(svg.contains("SR-2 venousPressureHigh @ 1.95 s"))
        #expect(svg.contains("pressure (mmHg)") && svg.contains("temperature (°C)") && svg.contains("flow (mL/min)") && svg.contains("time (s)"))
        // The missing flow sample breaks the line in two.
        let flowLines = (parsed.attributes["polyline"] ?? []).filter { $0["data-signal"] == "bloodPumpFlow" }
        #expect(flowLines.count == 2)
        #expect(!svg.contains("airDetected"))
    }
}
