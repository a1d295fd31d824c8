import JellyfortCore

/// JUnit XML: one test case per control; failures fail, unknown / n/a / muted are skipped.
struct JUnitRenderer {
    func render(_ report: AuditReport) -> String {
        let failures = report.controls.filter { $0.status == .fail }.count
        let skipped = report.controls.filter { [.unknown, .notApplicable, .muted].contains($0.status) }.count
        var lines = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<testsuites name="jellyfort" tests="\#(report.controls.count)" failures="\#(failures)" skipped="\#(skipped)" time="\#(Double(report.durationMs) / 1000)">"#,
            #"  <testsuite name="\#(xml(report.target.server ?? "jellyfort audit"))" tests="\#(report.controls.count)" failures="\#(failures)" skipped="\#(skipped)" errors="0">"#,
        ]
        for result in report.controls {
            let group = result.guideItem.map { "guide-\($0)" } ?? "beyond-guide"
            let open = #"    <testcase classname="jellyfort.\#(group)" name="\#(xml(result.id)): \#(xml(result.title))""#
            let details = result.findings.map { "\($0.subject): \($0.message)" }.joined(separator: "\n")
            switch result.status {
            case .pass:
                lines.append(open + "/>")
            case .fail:
                lines.append(open + ">")
                lines.append(
                    #"      <failure message="\#(xml(result.summary))" type="\#(result.severity.rawValue)">\#(xml(details + "\nFix: " + result.remediation.summary))</failure>"#
                )
                lines.append("    </testcase>")
            case .warn:
                lines.append(open + ">")
                lines.append("      <system-out>\(xml("WARN: " + result.summary + (details.isEmpty ? "" : "\n" + details)))</system-out>")
                lines.append("    </testcase>")
            case .unknown, .notApplicable, .muted:
                lines.append(open + ">")
                lines.append(#"      <skipped message="\#(xml("\(result.status.label): \(result.summary)"))"/>"#)
                lines.append("    </testcase>")
            }
        }
        lines.append("  </testsuite>")
        lines.append("</testsuites>")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Escapes text for XML and HTML content and attributes.
func xml(_ text: String) -> String {
    var output = ""
    output.reserveCapacity(text.count)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": output += "&amp;"
        case "<": output += "&lt;"
        case ">": output += "&gt;"
        case "\"": output += "&quot;"
        case "'": output += "&#39;"
        case "\n", "\t", "\r": output.unicodeScalars.append(scalar)
        default:
            // Control characters are not allowed in XML 1.0.
            if scalar.value < 0x20 { output += "\u{FFFD}" } else { output.unicodeScalars.append(scalar) }
        }
    }
    return output
}
