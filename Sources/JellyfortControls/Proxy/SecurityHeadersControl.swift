import JellyfortBase
import JellyfortCore

struct SecurityHeadersControl: Control {
    static let description = ControlDescription(
        id: .proxySecurityHeaders, title: "The proxy sends security headers", guideItem: nil, severity: .low,
        rationale:
            "HSTS, X-Content-Type-Options, Referrer-Policy and a frame policy close whole classes of browser "
            + "attacks; a Server or X-Powered-By header advertises what to attack.",
        remediation: Remediation("Use the header block of the Caddyfile from jellyfort deploy."),
        evidence: [.probe, .host])

    static let examples = [
        ControlExample("all headers", .pass, Sample.deployment()),
        ControlExample("Server header kept", .fail, Sample.deployment { $0.proxies = [Sample.site { $0.responseHeadersRemoved = [] }] }),
        ControlExample(
            "no frame policy", .fail,
            Sample.deployment {
                $0.proxies = [
                    Sample.site { $0.responseHeadersSet.removeAll { $0 == "X-Frame-Options" || $0 == "Content-Security-Policy" } }
                ]
            }),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        evidence.withJellyfinSites { sites, _ in
            var findings: [Finding] = []
            for site in sites {
                let set = Set(site.responseHeadersSet)
                let missing =
                    ["Strict-Transport-Security", "X-Content-Type-Options", "Referrer-Policy"].filter { !set.contains($0) }
                    + (set.contains("X-Frame-Options") || set.contains("Content-Security-Policy")
                        ? [] : ["a frame policy (X-Frame-Options or CSP frame-ancestors)"])
                if !missing.isEmpty {
                    findings.append(.at(site.location, "missing \(missing.joined(separator: ", "))", ["missing": JSONValue(missing)]))
                }
                if !site.responseHeadersRemoved.contains("Server") {
                    findings.append(.at(site.location, "the Server header is passed on (-Server removes it)"))
                }
            }
            guard findings.isEmpty else { return .fail("security headers are incomplete", findings: findings) }
            return .pass("HSTS, nosniff, Referrer-Policy and a frame policy are sent; the Server header is removed")
        }
    }
}
