/// Everything a control says about itself. The catalogue, `jellyfort controls explain`, the SARIF
/// rules and the report all read it from here: there is no second copy of this text.
public struct ControlDescription: Sendable {
    /// Stable, never reused: `area.name`.
    public let id: ControlID
    public let title: String
    /// The item of the 15-item hardening guide, or nil for controls beyond it.
    public let guideItem: Int?
    /// The usual severity; a verdict may raise or lower it (e.g. an advisory makes a version critical).
    public let severity: Severity
    /// Why it matters, in words a self-hoster can act on.
    public let rationale: String
    public let remediation: Remediation
    /// The evidence it needs; with none of it available the control reports `unknown`.
    public let evidence: [EvidenceSource]

    public init(
        id: ControlID, title: String, guideItem: Int?, severity: Severity, rationale: String, remediation: Remediation,
        evidence: [EvidenceSource]
    ) {
        self.id = id
        self.title = title
        self.guideItem = guideItem
        self.severity = severity
        self.rationale = rationale
        self.remediation = remediation
        self.evidence = evidence
    }
}

/// What one control decided from the evidence.
public struct Verdict: Sendable, Equatable {
    public var status: Status
    /// One line: "1 of 2 administrators can sign in from the internet".
    public var summary: String
    public var findings: [Finding]
    /// Set when this verdict's severity differs from the description's.
    public var severity: Severity?

    public init(_ status: Status, _ summary: String, findings: [Finding] = [], severity: Severity? = nil) {
        self.status = status
        self.summary = summary
        self.findings = findings
        self.severity = severity
    }

    public static func pass(_ summary: String, findings: [Finding] = []) -> Verdict { Verdict(.pass, summary, findings: findings) }
    public static func fail(_ summary: String, findings: [Finding] = [], severity: Severity? = nil) -> Verdict {
        Verdict(.fail, summary, findings: findings, severity: severity)
    }
    public static func warn(_ summary: String, findings: [Finding] = []) -> Verdict { Verdict(.warn, summary, findings: findings) }
    public static func unknown(_ summary: String) -> Verdict { Verdict(.unknown, summary) }
    public static func notApplicable(_ summary: String) -> Verdict { Verdict(.notApplicable, summary) }
}

/// A control: a self-describing, pure decision from evidence to a verdict.
///
/// Gathering is done once per run by collectors; a control never does I/O, so its examples are
/// plain evidence values and one parameterised test runs them all.
public protocol Control: Sendable {
    static var description: ControlDescription { get }
    /// Pass and fail cases (and any other status worth pinning); they are also the control's tests.
    static var examples: [ControlExample] { get }
    static func evaluate(_ evidence: Evidence) -> Verdict
}

/// One example of a control's decision: this evidence gives this status.
public struct ControlExample: Sendable {
    public let name: String
    public let evidence: Evidence
    public let expected: Status
    public let file: String
    public let line: Int

    public init(_ name: String, _ expected: Status, _ evidence: Evidence, file: String = #filePath, line: Int = #line) {
        self.name = name
        self.expected = expected
        self.evidence = evidence
        self.file = file
        self.line = line
    }
}
