import Foundation

/// Every signal of a run over time, with the lifecycle and the active alarms, and the
/// moments worth marking (alarm trips, safe-state changes): the CSV trace and the plot's data.
public struct SignalTrace: Sendable {
    /// A traced column.
    public struct Column: Sendable, Equatable {
        /// The signal's name.
        public var name: String
        /// Its unit.
        public var unit: String
        /// The plot panel it is drawn in (nil: not plotted).
        public var panel: SignalPanel?

        /// A column for signal `name` in `unit`.
        public init(name: String, unit: String, panel: SignalPanel?) {
            self.name = name
            self.unit = unit
            self.panel = panel
        }
    }

    /// One sample of everything.
    public struct Row: Sendable {
        /// Seconds since the run's start.
        public var time: Double
        /// The lifecycle then ("treating", "safe(S1) during treating").
        public var lifecycle: String
        /// "S1", "S2" or "".
        public var safeState: String
        /// Active alarms ("SR-2 venous pressure high").
        public var alarms: [String]
        /// One value per column (nil: no reading yet).
        public var values: [Double?]

        /// A sample at `time` seconds.
        public init(time: Double, lifecycle: String, safeState: String, alarms: [String], values: [Double?]) {
            self.time = time
            self.lifecycle = lifecycle
            self.safeState = safeState
            self.alarms = alarms
            self.values = values
        }
    }

    /// A moment the plot marks.
    public struct Marker: Sendable, Equatable {
        /// What the moment is.
        public enum Kind: String, Sendable {
            /// An alarm tripped.
            case alarm
            /// A safe state came into force or was lifted.
            case safeState
        }

        /// What happened.
        public var kind: Kind
        /// When, seconds since the run's start.
        public var time: Double
        /// The label drawn ("SR-2", "S1").
        public var label: String

        /// A marker of `kind` at `time` labelled `label`.
        public init(kind: Kind, time: Double, label: String) {
            self.kind = kind
            self.time = time
            self.label = label
        }
    }

    /// The signals traced, in column order.
    public var columns: [Column]
    /// The samples, in time order.
    public var rows: [Row]
    /// The moments marked.
    public var markers: [Marker]

    /// A trace of `columns` (empty unless `rows` and `markers` are given).
    public init(columns: [Column], rows: [Row] = [], markers: [Marker] = []) {
        self.columns = columns
        self.rows = rows
        self.markers = markers
    }

    /// The CSV: a header naming each column with its unit, then one line per sample.
    /// Alarms are joined with ';' (quoted); missing values are empty.
    public func csv() -> String {
        var lines = [(["time_s", "lifecycle", "safe_state", "alarms"] + columns.map { "\($0.name)_\(Self.unitSuffix($0.unit))" })
            .joined(separator: ",")]
        for row in rows {
            var fields = [String(format: "%.3f", row.time), Self.quote(row.lifecycle), row.safeState, Self.quote(row.alarms.joined(separator: ";"))]
            fields += row.values.map { $0.map { String(format: "%.3f", $0) } ?? "" }
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A unit as a column-name suffix: "mmHg", "degC", "mL_per_min", "pct".
    static func unitSuffix(_ unit: String) -> String {
        switch unit {
        case "°C": "degC"
        case "mL/min": "mL_per_min"
        case "%": "pct"
        case "0/1": "bool"
        default: unit
        }
    }

    /// RFC 4180 quoting where needed.
    static func quote(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == ";" || $0 == " " }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
