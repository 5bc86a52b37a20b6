/// One durable record of the event journal: a state change, an alarm, an acknowledgement,
/// a command or its result, as the supervisor, interlock or operator reported it.
///
/// Entries are made by ``EventJournal/append(kind:source:message:fields:)``, which assigns
/// the sequence number and both timestamps; the public initialiser exists for tools and tests.
public struct JournalEntry: Sendable, Codable, Equatable, Hashable {
    /// Position in the journal: 1 for the first entry, then one more for each, with no gaps,
    /// so a missing entry is visible.
    public let sequence: UInt64
    /// The wall clock (UTC, microseconds) when the entry was appended. It may jump (NTP);
    /// ``monotonicSeconds`` does not.
    public let time: JournalTime
    /// Seconds on a monotonic clock since the journal was opened by the process that wrote
    /// this entry (microsecond resolution); nil when the writer had none. Restarts at zero
    /// with every process start, so it orders and spaces entries within one session only.
    public let monotonicSeconds: Double?
    /// What sort of event this is.
    public let kind: Kind
    /// Who reported it: "interlock", "supervisor", "operator", or a device role such as "bloodPump".
    public let source: String
    /// A sentence for a person reading the journal.
    public let message: String
    /// Structured details for machines, e.g. `["sr": "SR-2", "from": "treating", "to": "safe(S1)"]`.
    public let fields: [String: String]

    /// An entry from its parts.
    public init(
        sequence: UInt64, time: JournalTime, monotonicSeconds: Double?, kind: Kind,
        source: String, message: String, fields: [String: String] = [:]
    ) {
        self.sequence = sequence
        self.time = time
        self.monotonicSeconds = monotonicSeconds
        self.kind = kind
        self.source = source
        self.message = message
        self.fields = fields
    }

    /// The kind of event an entry records.
    ///
    /// A string-backed struct rather than a closed enum so other modules can add kinds
    /// (`extension JournalEntry.Kind { static let calibration = Self(rawValue: "calibration") }`)
    /// and a reader never fails on a kind written by a newer version.
    public struct Kind: RawRepresentable, Sendable, Codable, Hashable, CustomStringConvertible {
        /// The name as written in the journal, e.g. "alarmRaised".
        public let rawValue: String

        /// The kind called `rawValue`.
        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// The circuit or treatment lifecycle moved from one state to another.
        public static let stateChange = Kind(rawValue: "stateChange")
        /// The interlock raised an alarm (a safety requirement tripped).
        public static let alarmRaised = Kind(rawValue: "alarmRaised")
        /// An alarm's condition cleared, or a latched alarm was released.
        public static let alarmCleared = Kind(rawValue: "alarmCleared")
        /// An operator acknowledged an alarm.
        public static let acknowledgement = Kind(rawValue: "acknowledgement")
        /// A command was issued (by the operator, the controller or the supervisor).
        public static let command = Kind(rawValue: "command")
        /// The outcome of a command: verified on the device, refused, or failed.
        public static let commandResult = Kind(rawValue: "commandResult")
        /// A device appeared, vanished, faulted or recovered.
        public static let deviceEvent = Kind(rawValue: "deviceEvent")
        /// Free text: a technician's remark.
        public static let note = Kind(rawValue: "note")
        /// The journal cut a torn last record (a write cut short by a crash) before appending:
        /// fields `offset`, `bytes`, `reason`.
        public static let journalRepair = Kind(rawValue: "journalRepair")

        /// The kinds this module defines.
        public static let known: [Kind] = [
            .stateChange, .alarmRaised, .alarmCleared, .acknowledgement,
            .command, .commandResult, .deviceEvent, .note, .journalRepair,
        ]

        /// ``rawValue``.
        public var description: String { rawValue }

        /// Decodes from a bare string.
        public init(from decoder: any Decoder) throws {
            rawValue = try decoder.singleValueContainer().decode(String.self)
        }

        /// Encodes as a bare string.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }
    }

    /// The JSON keys, the same in the journal file, in ``JournalExport`` and in `Codable`.
    enum CodingKeys: String, CodingKey {
        case sequence, time, monotonicSeconds, kind, source, message, fields
    }

    /// Decodes an entry; `monotonicSeconds` and `fields` may be absent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sequence = try container.decode(UInt64.self, forKey: .sequence)
        time = try container.decode(JournalTime.self, forKey: .time)
        monotonicSeconds = try container.decodeIfPresent(Double.self, forKey: .monotonicSeconds)
        kind = try container.decode(Kind.self, forKey: .kind)
        source = try container.decode(String.self, forKey: .source)
        message = try container.decode(String.self, forKey: .message)
        fields = try container.decodeIfPresent([String: String].self, forKey: .fields) ?? [:]
    }

    /// Encodes an entry; `monotonicSeconds` is left out when nil.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sequence, forKey: .sequence)
        try container.encode(time, forKey: .time)
        try container.encodeIfPresent(monotonicSeconds, forKey: .monotonicSeconds)
        try container.encode(kind, forKey: .kind)
        try container.encode(source, forKey: .source)
        try container.encode(message, forKey: .message)
        try container.encode(fields, forKey: .fields)
    }
}
