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
        ControlExample("probe: the real answer has them all", .pass, Sample.probed()),
        ControlExample("probe: Server header sent", .fail, Sample.probed { $0.answers[0].headers["server"] = "Kestrel" }),
        ControlExample("probe: no nosniff", .fail, Sample.probed { $0.answers[0].headers["x-content-type-options"] = nil }),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        .combining([evidence.fromProbe(fromProbe), fromDeployment(evidence)])
    }

    /// The headers of the real answers: the web page and an API answer.
    static func fromProbe(_ probe: ProbeView) -> Verdict? {
        guard let page = probe.answers.first else { return nil }
        var findings: [Finding] = []
        let missing =
            ["Strict-Transport-Security", "X-Content-Type-Options", "Referrer-Policy"].filter { page.header($0) == nil }
            + (page.header("X-Frame-Options") != nil || (page.header("Content-Security-Policy") ?? "").contains("frame-ancestors")
                ? [] : ["a frame policy (X-Frame-Options or CSP frame-ancestors)"])
        if !missing.isEmpty {
            findings.append(.probe(probe.name, page.exchange, "the answer lacks \(missing.joined(separator: ", "))"))
        }
        for answer in probe.answers {
            for leak in ["Server", "X-Powered-By"] {
                if let value = answer.header(leak) {
                    findings.append(.probe(probe.name, answer.exchange, "\(leak): \(value) tells what to attack"))
                }
            }
        }
        guard findings.isEmpty else { return .fail("from outside, security headers are incomplete", findings: findings) }
        return .pass("from outside: HSTS, nosniff, Referrer-Policy and a frame policy are sent, and no Server header")
    }

    static func fromDeployment(_ evidence: Evidence) -> Verdict {
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
