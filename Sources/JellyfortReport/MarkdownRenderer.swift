import Foundation
import JellyfortCore

/// A Markdown report for an issue, a wiki page or a pull request.
struct MarkdownRenderer {
    func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    func render(_ report: AuditReport) -> String {
        var lines: [String] = []
        lines.append("# Jellyfort audit\(report.target.server.map { " of \($0)" } ?? "")")
        lines.append("")
        let s = report.summary
        lines.append("**Score \(report.score.value)/100 · grade \(report.score.grade)** · \(s.pass) pass · \(s.fail) fail · \(s.warn) warn · \(s.unknown) unknown · \(s.notApplicable) n/a · \(s.muted) muted")
        lines.append("")
        if let version = report.target.serverVersion { lines.append("Jellyfin \(version)\(report.target.serverName.map { " · \($0)" } ?? "") · \(Scoring.iso8601(report.startedAt)) · Jellyfort \(report.tool.version)") }
        for notice in report.notices { lines.append("> Note: \(notice)") }
        for group in GuideItems.grouped(report.controls) {
            lines.append("")
            lines.append("## \(group.title)")
            lines.append("")
            lines.append("| Status | Control | Severity | Summary |")
            lines.append("|---|---|---|---|")
            for result in group.results {
                lines.append("| \(result.status.label) | `\(result.id)` | \(result.severity.rawValue) | \(cell(result.summary)) |")
            }
            for result in group.results where result.status == .fail || result.status == .warn {
                lines.append("")
                lines.append("**\(result.id)** — \(result.title)")
                lines.append("")
                for finding in result.findings { lines.append("- `\(finding.subject)`: \(finding.message)") }
                lines.append("- Fix: \(result.remediation.summary)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
