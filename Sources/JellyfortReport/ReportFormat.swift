import Foundation
import JellyfortCore

/// The formats of `--format`.
public enum ReportFormat: String, Sendable, CaseIterable {
    case text, json, sarif, junit, markdown, html

    /// Renders a report in this format. `terminal` matters only for text.
    public func render(_ report: AuditReport, terminal: TerminalStyle = .plain) throws -> String {
        switch self {
        case .text: TextRenderer(style: terminal).render(report)
        case .json: String(decoding: try report.jsonData(), as: UTF8.self) + "\n"
        case .sarif: try SARIFRenderer().render(report)
        case .junit: JUnitRenderer().render(report)
        case .markdown: MarkdownRenderer().render(report)
        case .html: HTMLRenderer().render(report)
        }
    }
}

/// How the text report may use the terminal.
public struct TerminalStyle: Sendable {
    public var color: Bool
    public var width: Int

    public init(color: Bool, width: Int) {
        self.color = color
        self.width = max(50, min(width, 160))
    }

    public static let plain = TerminalStyle(color: false, width: 100)
}

/// The 15 items of the hardening guide, for grouping.
public enum GuideItems {
    public static let titles: [Int: String] = [
        1: "Rootless container", 2: "Read-only media, private SELinux labels", 3: "Automatic updates",
        4: "Caddy reverse proxy with TLS on 443", 5: "Firewall IP allow-list", 6: "Obscure subdomain",
        7: "Strong admin password", 8: "Separate admin and media accounts", 9: "No admin access from outside the LAN",
        10: "Users hidden from the login screen", 11: "Account lockout", 12: "One session per user",
        13: "Renamed admin", 14: "No media deletion", 15: "CDN in front, origin closed to everyone else",
    ]

    /// Results grouped by guide item in order, then the controls beyond the guide.
    public static func grouped(_ results: [ControlResult]) -> [(title: String, results: [ControlResult])] {
        var groups: [(String, [ControlResult])] = []
        for item in 1...15 {
            let matching = results.filter { $0.guideItem == item }
            if !matching.isEmpty { groups.append(("\(item). \(titles[item] ?? "")", matching)) }
        }
        let beyond = results.filter { $0.guideItem == nil }
        if !beyond.isEmpty { groups.append(("Beyond the guide", beyond)) }
        return groups
    }
}

extension Status {
    /// A short label for tables: PASS, FAIL, WARN, ?, N/A, MUTED.
    public var label: String {
        switch self {
        case .pass: "PASS"
        case .fail: "FAIL"
        case .warn: "WARN"
        case .unknown: "UNKNOWN"
        case .notApplicable: "N/A"
        case .muted: "MUTED"
        }
    }
}
