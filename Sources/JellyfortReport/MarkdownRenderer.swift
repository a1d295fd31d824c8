import Foundation
import JellyfortBase
import JellyfortCore

/// A Markdown report for an issue, a wiki page or a pull request.
struct MarkdownRenderer {
    /// Text from a server or a file: controls dropped, HTML and Markdown punctuation escaped.
    func cell(_ text: String) -> String { Sanitized.markdown(text) }

    /// An id or subject as a code span (whose content Markdown never interprets) when it has no
    /// backtick, pipe or control character; otherwise escaped as text.
    func code(_ text: String) -> String {
        let plain = Sanitized.terminal(text)
        return plain == text && !text.contains("`") && !text.contains("|") && !text.isEmpty ? "`\(text)`" : cell(text)
    }

    func render(_ report: AuditReport) -> String {
        var lines: [String] = []
        lines.append("# Jellyfort audit\(report.target.server.map { " of \(cell($0))" } ?? "")")
        lines.append("")
        let s = report.summary
        lines.append(
            "**Score \(report.score.value)/100 · grade \(report.score.grade)** · \(s.pass) pass · \(s.fail) "
                + "fail · \(s.warn) warn · \(s.unknown) unknown · \(s.notApplicable) n/a · \(s.muted) muted"
        )
        let digest = ReportDigest(report: report)
        lines.append("")
        lines.append(cell(digest.coverageLine))
        lines.append("")
        if let version = report.target.serverVersion {
            lines.append(
                "Jellyfin \(cell(version))\(report.target.serverName.map { " · \(cell($0))" } ?? "") · "
                    + "\(Scoring.iso8601(report.startedAt)) · Jellyfort \(cell(report.tool.version))"
            )
        }
        for notice in report.notices { lines.append("> Note: \(cell(notice))") }
        if !digest.fixFirst.isEmpty {
            lines.append("")
            lines.append("## Fix these first")
            lines.append("")
            for (index, result) in digest.fixFirst.enumerated() {
                lines.append(
                    "\(index + 1). \(code(result.id)) (\(result.severity.rawValue)): \(cell(result.summary)). Fix: \(cell(result.remediation.summary))"
                )
            }
        }
        for group in GuideItems.grouped(digest.decided) {
            lines.append("")
            lines.append("## \(group.title)")
            lines.append("")
            lines.append("| Status | Control | Severity | Summary |")
            lines.append("|---|---|---|---|")
            for result in group.results {
                lines.append("| \(result.status.label) | \(code(result.id)) | \(result.severity.rawValue) | \(cell(result.summary)) |")
            }
            for result in group.results where result.status == .fail || result.status == .warn {
                lines.append("")
                lines.append("**\(cell(result.id))** — \(cell(result.title))")
                lines.append("")
                for finding in result.findings { lines.append("- \(code(finding.subject)): \(cell(finding.message))") }
                lines.append("- Fix: \(cell(result.remediation.summary))")
            }
        }
        let notChecked = digest.notChecked
        if !notChecked.isEmpty {
            lines.append("")
            lines.append("## Not checked (\(s.unknown))")
            lines.append("")
            for group in notChecked {
                lines.append("- \(cell(group.advice)): " + group.results.map { code($0.id) }.joined(separator: ", "))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
