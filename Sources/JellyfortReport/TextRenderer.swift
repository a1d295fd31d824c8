import JellyfortBase
import JellyfortCore

/// The terminal report: the score and what was checked; the failures to fix first, most severe
/// first; every decided control by guide item, with findings and fixes; then what was not checked,
/// grouped by the input that would check it. Colour only when asked (a terminal without NO_COLOR).
struct TextRenderer {
    let style: TerminalStyle

    func paint(_ text: String, _ code: String) -> String { style.color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }

    func mark(_ status: Status) -> String {
        switch status {
        case .pass: paint("✓", "32")
        case .fail: paint("✗", "31;1")
        case .warn: paint("!", "33;1")
        case .unknown: paint("?", "2")
        case .notApplicable: paint("–", "2")
        case .muted: paint("~", "2")
        }
    }

    func render(_ report: AuditReport) -> String {
        var lines: [String] = []
        let summary = report.summary
        let grade = paint(report.score.grade, report.score.grade.hasPrefix("A") ? "32;1" : report.score.grade == "B" ? "33;1" : "31;1")
        lines += wrap(
            "Score \(report.score.value)/100 · grade \(grade) · \(summary.pass) pass · \(summary.fail) fail "
                + "· \(summary.warn) warn · \(summary.unknown) unknown · \(summary.notApplicable) n/a · "
                + "\(summary.muted) muted",
            indent: "", hanging: "  ")
        // Everything below that came from a server or a file is made harmless for the terminal.
        let clean = { (text: String) in Sanitized.terminal(text) }
        var target = "Jellyfort \(clean(report.tool.version)) audit"
        if let server = report.target.server { target += " of \(clean(server))" }
        if let version = report.target.serverVersion { target += " · Jellyfin \(clean(version))" }
        if let name = report.target.serverName { target += " · \"\(clean(name))\"" }
        let digest = ReportDigest(report: report)
        lines += wrap(digest.coverageLine, indent: "", hanging: "  ")
        lines += wrap(target, indent: "", hanging: "  ").map { paint($0, "2") }
        for notice in report.notices { lines += wrap("note: \(clean(notice))", indent: "", hanging: "      ") }
        let first = digest.fixFirst
        if !first.isEmpty {
            lines.append("")
            lines.append(paint("Fix these first", "1"))
            for result in first {
                lines += wrap(
                    "\(mark(result.status)) \(clean(result.id)) (\(result.severity.rawValue)): \(clean(result.summary))", indent: "  ",
                    hanging: "      ")
                lines += wrap("fix: \(clean(result.remediation.summary))", indent: "      ", hanging: "           ").map { paint($0, "36") }
            }
        }
        for group in GuideItems.grouped(digest.decided) {
            lines.append("")
            lines.append(paint(group.title, "1"))
            for result in group.results {
                let severity = result.status == .fail || result.status == .warn ? " (\(result.severity.rawValue))" : ""
                lines += wrap(
                    "\(mark(result.status)) \(clean(result.id))\(severity): \(clean(result.summary))", indent: "  ", hanging: "      ")
                guard result.status == .fail || result.status == .warn else { continue }
                for finding in result.findings.prefix(8) {
                    let location = finding.location.map { " [\(clean($0.path))\($0.line.map { ":\($0)" } ?? "")]" } ?? ""
                    lines += wrap("\(clean(finding.subject)): \(clean(finding.message))\(location)", indent: "      ", hanging: "        ")
                    // A probe's finding says what was sent and what came back.
                    if let sent = finding.evidence["sent"]?.stringValue, let got = finding.evidence["got"]?.stringValue {
                        lines += wrap("sent: \(clean(sent)) → got: \(clean(got))", indent: "        ", hanging: "          ")
                    }
                }
                if result.findings.count > 8 { lines.append("      … and \(result.findings.count - 8) more") }
                lines += wrap("fix: \(clean(result.remediation.summary))", indent: "      ", hanging: "           ").map { paint($0, "36") }
            }
        }
        let notChecked = digest.notChecked
        if !notChecked.isEmpty {
            lines.append("")
            lines.append(paint("Not checked (\(report.summary.unknown))", "1"))
            for group in notChecked {
                lines += wrap("\(group.advice):", indent: "  ", hanging: "    ")
                if group.need == nil {
                    for result in group.results {
                        lines += wrap(
                            "\(mark(.unknown)) \(clean(result.id)): \(clean(result.summary))", indent: "    ", hanging: "        ")
                    }
                } else {
                    lines += wrap(
                        "\(mark(.unknown)) " + group.results.map { clean($0.id) }.joined(separator: ", "), indent: "    ", hanging: "      "
                    )
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Word-wraps to the terminal width (colour codes do not count towards it).
    func wrap(_ text: String, indent: String, hanging: String) -> [String] {
        var lines: [String] = []
        var current = indent
        var visible = indent.count
        var first = true
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let length = Self.visibleLength(word)
            if visible + length + (first ? 0 : 1) > style.width, !first {
                lines.append(current)
                current = hanging + word
                visible = hanging.count + length
            } else {
                current += (first ? "" : " ") + word
                visible += length + (first ? 0 : 1)
            }
            first = false
        }
        lines.append(current)
        return lines
    }

    static func visibleLength(_ text: Substring) -> Int {
        var count = 0
        var inEscape = false
        for character in text {
            if character == "\u{1B}" {
                inEscape = true
                continue
            }
            if inEscape {
                if character == "m" { inEscape = false }
                continue
            }
            count += 1
        }
        return count
    }
}
