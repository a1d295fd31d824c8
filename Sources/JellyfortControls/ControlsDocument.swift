import JellyfortCore

/// `docs/controls.md`, written from the controls themselves (their id, guide item, severity,
/// evidence, rationale, fix and examples), so the documentation cannot drift from the code: a test
/// checks that the committed file is what this writes. `jellyfort controls list --format markdown`
/// prints it.
public enum ControlsDocument {
    static let guideTitles: [Int: String] = [
        1: "Rootless container", 2: "Read-only media, private SELinux labels", 3: "Automatic updates",
        4: "Caddy reverse proxy with TLS on 443", 5: "Firewall IP allow-list", 6: "Obscure subdomain",
        7: "Strong admin password", 8: "Separate admin and media accounts", 9: "No admin access from outside the LAN",
        10: "Users hidden from the login screen", 11: "Account lockout", 12: "One session per user",
        13: "Renamed admin", 14: "No media deletion", 15: "CDN in front, origin closed to everyone else",
    ]

    static let sourceNames: [EvidenceSource: String] = [
        .api: "the API with an administrator's credential", .anon: "the server as anyone sees it",
        .host: "deployment files (--deployment)", .probe: "a check from outside the network",
    ]

    public static func markdown(_ controls: [any Control.Type] = builtInControls) -> String {
        var lines = [
            "# Jellyfort's controls",
            "",
            "Written by `jellyfort controls list --format markdown` from the controls themselves; do not edit by hand "
                + "(`scripts/docs` writes it again, and a test fails when it is out of date).",
            "",
            "\(controls.count) controls. Severity weighs in the score: critical 20, high 10, medium 5, low 2, info 0.",
            "",
            "| id | guide item | severity | decided from | fixed by `jellyfort harden` |",
            "|---|---|---|---|---|",
        ]
        for control in controls {
            let d = control.description
            lines.append(
                "| [`\(d.id)`](#\(anchor(d.id.rawValue))) | \(d.guideItem.map(String.init) ?? "beyond the guide") | \(d.severity.rawValue) | "
                    + "\(d.evidence.map(\.rawValue).joined(separator: ", ")) | \(d.remediation.fixable ? "yes" : "no") |")
        }
        for control in controls {
            let d = control.description
            lines += ["", "## \(d.id)", "", "**\(d.title)**", ""]
            let item = d.guideItem.map { "guide item \($0), \(guideTitles[$0] ?? "")" } ?? "beyond the guide"
            lines.append(
                "\(item) · severity \(d.severity.rawValue) · decided from "
                    + d.evidence.compactMap { sourceNames[$0] }.joined(separator: "; "))
            lines += [
                "", "Why: \(d.rationale)", "",
                "Fix: \(d.remediation.summary)" + (d.remediation.fixable ? " (`jellyfort harden` can do this.)" : ""),
            ]
            lines += ["", "Examples (each is also a test):", ""]
            for example in control.examples { lines.append("- \(example.expected.rawValue): \(example.name)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func anchor(_ id: String) -> String {
        String(id.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "-" })
    }
}
