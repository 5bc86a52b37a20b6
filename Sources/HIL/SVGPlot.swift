import Foundation
import Interlock

/// The trace as a hand-written SVG: one panel each for pressures, temperatures and flows
/// over time, axes with units and ticks, a legend, and every alarm trip (red, dashed) and
/// safe-state change (orange when a safe state comes into force, green when it is lifted)
/// marked across all panels and labelled at the top.
public enum SVGPlot {
    static let width = 1100.0
    static let panelHeight = 220.0
    static let left = 70.0
    static let right = 260.0
    /// Room above the panels for up to ``labelRows`` rows of marker labels.
    static let labelRows = 4
    static let top = 40.0 + Double(labelRows) * 13
    static let gap = 50.0
    static let palette = ["#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"]

    /// An SVG plot of `trace` under `title`: one panel per kind of signal plotted, markers for
    /// alarm trips and safe-state changes.
    public static func svg(_ trace: SignalTrace, title: String) -> String {
        let panels = SignalPanel.allCases.filter { panel in trace.columns.contains { $0.panel == panel } }
        let height = top + Double(panels.count) * (panelHeight + gap) + 20
        let end = max(trace.rows.last?.time ?? 1, trace.markers.map(\.time).max() ?? 0, 1)
        let plotWidth = width - left - right
        func x(_ t: Double) -> Double { left + t / end * plotWidth }

        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        out += "<text x=\"\(f(left))\" y=\"20\" font-size=\"15\" font-weight=\"bold\">\(JUnitReport.escape(title))</text>\n"

        for (p, panel) in panels.enumerated() {
            let y0 = top + Double(p) * (panelHeight + gap)
            let columns = trace.columns.enumerated().filter { $0.element.panel == panel }
            let values = columns.flatMap { c in trace.rows.compactMap { $0.values[c.offset] } }
            var low = values.min() ?? 0, high = values.max() ?? 1
            if high - low < 1e-9 { low -= 1; high += 1 }
            let pad = (high - low) * 0.08
            low -= pad; high += pad
            func y(_ v: Double) -> Double { y0 + panelHeight - (v - low) / (high - low) * panelHeight }

            out += "<g class=\"panel\" id=\"panel-\(panel.rawValue)\">\n"
            out += "<rect x=\"\(f(left))\" y=\"\(f(y0))\" width=\"\(f(plotWidth))\" height=\"\(f(panelHeight))\" fill=\"none\" stroke=\"#444\"/>\n"
            for tick in ticks(low, high) {
                out += "<line x1=\"\(f(left - 4))\" y1=\"\(f(y(tick)))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(y(tick)))\" stroke=\"#ddd\"/>\n"
                out += "<text x=\"\(f(left - 6))\" y=\"\(f(y(tick) + 4))\" text-anchor=\"end\">\(formatNumber(tick))</text>\n"
            }
            for tick in ticks(0, end) where tick <= end {
                out += "<line x1=\"\(f(x(tick)))\" y1=\"\(f(y0 + panelHeight))\" x2=\"\(f(x(tick)))\" y2=\"\(f(y0 + panelHeight + 4))\" stroke=\"#444\"/>\n"
                out += "<text x=\"\(f(x(tick)))\" y=\"\(f(y0 + panelHeight + 16))\" text-anchor=\"middle\">\(formatNumber(tick))</text>\n"
            }
            out += "<text x=\"\(f(left + plotWidth))\" y=\"\(f(y0 + panelHeight + 30))\" text-anchor=\"end\">time (s)</text>\n"
            out += "<text transform=\"translate(\(f(18)),\(f(y0 + panelHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(JUnitReport.escape(panel.axisLabel))</text>\n"
            for (n, column) in columns.enumerated() {
                let color = palette[n % palette.count]
                // A break in the line where a value is missing (a device not answering).
                var segments: [[String]] = [[]]
                for row in trace.rows {
                    if let v = row.values[column.offset] {
                        segments[segments.count - 1].append("\(f(x(row.time))),\(f(y(v)))")
                    } else if !segments[segments.count - 1].isEmpty {
                        segments.append([])
                    }
                }
                for points in segments where !points.isEmpty {
                    out += "<polyline class=\"signal\" data-signal=\"\(column.element.name)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(points.joined(separator: " "))\"/>\n"
                }
                let ly = y0 + 12 + Double(n) * 15
                out += "<line x1=\"\(f(left + plotWidth + 10))\" y1=\"\(f(ly - 4))\" x2=\"\(f(left + plotWidth + 28))\" y2=\"\(f(ly - 4))\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
                out += "<text x=\"\(f(left + plotWidth + 32))\" y=\"\(f(ly))\">\(JUnitReport.escape(column.element.name)) (\(JUnitReport.escape(column.element.unit)))</text>\n"
            }
            out += "</g>\n"
        }

        // Markers across every panel; each label goes to the first row where it does not
        // run into an earlier one (text width estimated at 6 px a character).
        let bottom = top + Double(panels.count) * (panelHeight + gap) - gap
        var rowEnds = [Double](repeating: -Double.infinity, count: labelRows)
        for marker in trace.markers {
            let mx = x(marker.time)
            let color: String
            switch marker.kind {
            case .alarm: color = "#d62728"
            // Into a safe state (S1, S2, S2-warm, heater off): orange; back to a plain phase: green.
            case .safeState: color = SafeState.allCases.contains { "\($0)" == marker.label } ? "#ff7f0e" : "#2ca02c"
            }
            let dash = marker.kind == .alarm ? " stroke-dasharray=\"5,3\"" : ""
            let label = (marker.kind == .alarm ? marker.label : "→ \(marker.label)") + " @ " + String(format: "%.2f", marker.time) + " s"
            let width = Double(label.count) * 6
            let row = rowEnds.firstIndex { $0 < mx } ?? rowEnds.indices.min { rowEnds[$0] < rowEnds[$1] }!
            rowEnds[row] = mx + 3 + width
            out += "<g class=\"marker \(marker.kind.rawValue)\" data-time=\"\(String(format: "%.3f", marker.time))\">"
            out += "<line x1=\"\(f(mx))\" y1=\"\(f(top - 10 - Double(row) * 13))\" x2=\"\(f(mx))\" y2=\"\(f(bottom))\" stroke=\"\(color)\" stroke-width=\"1.2\"\(dash)/>"
            out += "<text x=\"\(f(mx + 3))\" y=\"\(f(top - 12 - Double(row) * 13))\" fill=\"\(color)\">\(JUnitReport.escape(label))</text>"
            out += "</g>\n"
        }
        out += "</svg>\n"
        return out
    }

    /// About five round ticks between `low` and `high`.
    static func ticks(_ low: Double, _ high: Double) -> [Double] {
        let span = high - low
        guard span > 0, span.isFinite else { return [low] }
        let raw = span / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var tick = ceil(low / step) * step
        var result: [Double] = []
        while tick <= high + step * 1e-9, result.count < 50 {
            result.append(abs(tick) < step * 1e-9 ? 0 : tick)
            tick += step
        }
        return result
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }
}
