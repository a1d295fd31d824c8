import Foundation

/// One control's line in a report.
public struct ControlResult: Sendable, Equatable, Codable {
    public var id: String
    public var title: String
    public var guideItem: Int?
    public var severity: Severity
    public var status: Status
    public var summary: String
    public var findings: [Finding]
    public var remediation: Remediation
    /// Why the control matters: carried in the report so that a report read back renders alone.
    public var rationale: String?
    /// For an `unknown` control, the inputs that would decide it (`MissingInput` raw values);
    /// empty when nothing Jellyfort can be given decides it.
    public var needs: [String]?

    enum CodingKeys: String, CodingKey { case id, title, guideItem, severity, status, summary, findings, remediation, rationale, needs }

    public init(
        id: String, title: String, guideItem: Int?, severity: Severity, status: Status, summary: String, findings: [Finding],
        remediation: Remediation, rationale: String? = nil
    ) {
        self.rationale = rationale
        self.id = id
        self.title = title
        self.guideItem = guideItem
        self.severity = severity
        self.status = status
        self.summary = summary
        self.findings = findings
        self.remediation = remediation
    }

    /// The catalogue id, when this version knows it (a report from a newer version may name others).
    public var controlID: ControlID? { ControlID(rawValue: id) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(title, forKey: .title)
        // guideItem is 1–15 or null, always present.
        if let guideItem { try container.encode(guideItem, forKey: .guideItem) } else { try container.encodeNil(forKey: .guideItem) }
        try container.encode(severity, forKey: .severity)
        try container.encode(status, forKey: .status)
        try container.encode(summary, forKey: .summary)
        try container.encode(findings, forKey: .findings)
        try container.encode(remediation, forKey: .remediation)
        try container.encodeIfPresent(rationale, forKey: .rationale)
        try container.encodeIfPresent(needs, forKey: .needs)
    }
}

/// The JSON report, schema version 1 (architecture.md). Additive changes only.
public struct AuditReport: Sendable, Equatable, Codable {
    public static let schemaVersion = 1

    public struct Tool: Sendable, Equatable, Codable {
        public var name: String
        public var version: String
        public init(name: String, version: String) {
            self.name = name
            self.version = version
        }
    }

    public struct Target: Sendable, Equatable, Codable {
        public var server: String?
        public var serverVersion: String?
        public var serverName: String?
        public init(server: String?, serverVersion: String?, serverName: String?) {
            self.server = server
            self.serverVersion = serverVersion
            self.serverName = serverName
        }

        enum CodingKeys: String, CodingKey { case server, serverVersion, serverName }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(server, forKey: .server)
            try container.encode(serverVersion, forKey: .serverVersion)
            try container.encode(serverName, forKey: .serverName)
        }
    }

    public struct Score: Sendable, Equatable, Codable {
        /// The strict score: a control not checked counts as not passing, so 100 needs everything proven.
        public var value: Int
        public var grade: String
        /// The score over the controls that were decided (pass, fail, warn) only.
        public var checked: Int?
        /// The share of the weight that was decided, in percent.
        public var coverage: Int?
        public init(value: Int, grade: String, checked: Int? = nil, coverage: Int? = nil) {
            self.value = value
            self.grade = grade
            self.checked = checked
            self.coverage = coverage
        }
    }

    public struct Summary: Sendable, Equatable, Codable {
        public var pass = 0, fail = 0, warn = 0, unknown = 0, notApplicable = 0, muted = 0
        enum CodingKeys: String, CodingKey {
            case pass, fail, warn, unknown, muted
            case notApplicable = "not_applicable"
        }

        public subscript(status: Status) -> Int {
            get {
                switch status {
                case .pass: pass
                case .fail: fail
                case .warn: warn
                case .unknown: unknown
                case .notApplicable: notApplicable
                case .muted: muted
                }
            }
            set {
                switch status {
                case .pass: pass = newValue
                case .fail: fail = newValue
                case .warn: warn = newValue
                case .unknown: unknown = newValue
                case .notApplicable: notApplicable = newValue
                case .muted: muted = newValue
                }
            }
        }
    }

    public var schemaVersion: Int
    public var tool: Tool
    public var target: Target
    public var startedAt: Date
    public var durationMs: Int
    public var score: Score
    public var summary: Summary
    public var controls: [ControlResult]
    /// Things the reader should know about the run itself (an expired suppression, an input that could not be read).
    public var notices: [String]

    public init(tool: Tool, target: Target, startedAt: Date, durationMs: Int, controls: [ControlResult], notices: [String]) {
        self.schemaVersion = Self.schemaVersion
        self.tool = tool
        self.target = target
        self.startedAt = startedAt
        self.durationMs = durationMs
        self.controls = controls
        self.notices = notices
        var summary = Summary()
        for control in controls { summary[control.status] += 1 }
        self.summary = summary
        self.score = Scoring.score(controls)
    }

    /// The JSON document of `--format json`: stable key order, dates in UTC.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Scoring.iso8601(date))
        }
        return try encoder.encode(self)
    }

    public static func decode(_ data: Data) throws -> AuditReport {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(AuditReport.self, from: data)
    }
}

/// Score and grade, as controls.md defines them.
public enum Scoring {
    /// 100 × weight of passes / weight of every control that is not `not_applicable` or `muted`;
    /// `unknown` counts as not passing. Any critical failure caps the grade at D, any high at C.
    public static func score(_ results: [ControlResult]) -> AuditReport.Score {
        let counted = results.filter { $0.status != .notApplicable && $0.status != .muted }
        let total = counted.reduce(0) { $0 + $1.severity.weight }
        let passed = counted.filter { $0.status == .pass }.reduce(0) { $0 + $1.severity.weight }
        let value = total == 0 ? 100 : Int((Double(passed) * 100 / Double(total)).rounded(.down))
        var grade = grade(for: value)
        let failures = results.filter { $0.status == .fail }.map(\.severity)
        if failures.contains(.critical) { grade = worse(grade, "D") } else if failures.contains(.high) { grade = worse(grade, "C") }
        let decided = counted.filter { $0.status != .unknown }.reduce(0) { $0 + $1.severity.weight }
        let checked = decided == 0 ? 0 : Int((Double(passed) * 100 / Double(decided)).rounded(.down))
        let coverage = total == 0 ? 100 : Int((Double(decided) * 100 / Double(total)).rounded(.down))
        return AuditReport.Score(value: value, grade: grade, checked: checked, coverage: coverage)
    }

    static let grades = ["A+", "A", "B", "C", "D", "F"]

    static func grade(for value: Int) -> String {
        switch value {
        case 95...: "A+"
        case 90..<95: "A"
        case 80..<90: "B"
        case 65..<80: "C"
        case 50..<65: "D"
        default: "F"
        }
    }

    static func worse(_ grade: String, _ cap: String) -> String {
        (grades.firstIndex(of: grade) ?? 5) >= (grades.firstIndex(of: cap) ?? 5) ? grade : cap
    }

    public static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
