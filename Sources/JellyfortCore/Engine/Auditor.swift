import Foundation

/// A user's decision to accept a control's result, with a reason and an optional expiry.
public struct Suppression: Sendable, Equatable, Codable {
    public var id: ControlID
    /// Only findings about this subject (`user:NAME`, …); nil for the whole control.
    public var subject: String?
    public var reason: String
    public var expires: Date?

    public init(id: ControlID, subject: String? = nil, reason: String, expires: Date? = nil) {
        self.id = id
        self.subject = subject
        self.reason = reason
        self.expires = expires
    }
}

/// Which controls a run evaluates and which it mutes.
public struct Selection: Sendable, Equatable {
    public var only: Set<ControlID>
    public var skip: Set<ControlID>
    public var suppressions: [Suppression]

    /// Whether a control takes part (neither left out by `--only` nor skipped).
    public func includes(_ id: ControlID) -> Bool {
        (only.isEmpty || only.contains(id)) && !skip.contains(id)
    }

    public init(only: Set<ControlID> = [], skip: Set<ControlID> = [], suppressions: [Suppression] = []) {
        self.only = only
        self.skip = skip
        self.suppressions = suppressions
    }
}

/// Evaluates every control of a catalogue against one evidence value and assembles the report.
/// Every control appears exactly once, whatever its status.
public struct Auditor: Sendable {
    public let controls: [any Control.Type]

    public init(controls: [any Control.Type]) {
        self.controls = controls
    }

    public func evaluate(_ evidence: Evidence, selection: Selection = Selection()) -> (results: [ControlResult], notices: [String]) {
        var notices: [String] = []
        let now = evidence.settings.now
        let active = selection.suppressions.filter { suppression in
            guard let expires = suppression.expires, expires <= now else { return true }
            notices.append(
                "the suppression of \(suppression.id)\(suppression.subject.map { " for \($0)" } ?? "") expired "
                    + "on \(Scoring.iso8601(expires).prefix(10)) and no longer applies (reason was: "
                    + "\(suppression.reason))"
            )
            return false
        }
        let results = controls.map { control -> ControlResult in
            let description = control.description
            func result(_ verdict: Verdict, needs: [String]? = nil) -> ControlResult {
                var result = ControlResult(
                    id: description.id.rawValue, title: description.title, guideItem: description.guideItem,
                    severity: verdict.severity ?? description.severity, status: verdict.status, summary: verdict.summary,
                    findings: verdict.findings, remediation: description.remediation, rationale: description.rationale)
                result.needs = needs
                return result
            }
            if !selection.only.isEmpty, !selection.only.contains(description.id) {
                return result(Verdict(.muted, "not selected (--only)"))
            }
            if selection.skip.contains(description.id) {
                return result(Verdict(.muted, "skipped (--skip)"))
            }
            var verdict = control.evaluate(evidence)
            var needs: [String]?
            if verdict.status == .unknown {
                needs = InputNeeded.missing(for: description.evidence, in: evidence).map(\.rawValue)
            }
            let mine = active.filter { $0.id == description.id }
            if let whole = mine.first(where: { $0.subject == nil }) {
                return result(Verdict(.muted, "suppressed: \(whole.reason)", findings: verdict.findings, severity: verdict.severity))
            }
            let subjects = Set(mine.compactMap(\.subject))
            if !subjects.isEmpty, verdict.status == .fail || verdict.status == .warn {
                let kept = verdict.findings.filter { !subjects.contains($0.subject) }
                if kept.isEmpty, !verdict.findings.isEmpty {
                    let reasons = mine.map(\.reason).joined(separator: "; ")
                    return result(Verdict(.muted, "suppressed: \(reasons)", findings: verdict.findings, severity: verdict.severity))
                }
                verdict.findings = kept
            }
            return result(verdict, needs: needs)
        }
        return (results, notices)
    }
}
