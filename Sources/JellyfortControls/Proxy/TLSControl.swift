import JellyfortBase
import JellyfortCore

/// Guide item 4.
struct TLSControl: Control {
    static let description = ControlDescription(
        id: .proxyTLS, title: "Jellyfin is served over HTTPS only", guideItem: 4, severity: .high,
        rationale:
            "Passwords and tokens cross the internet on every sign-in and request. Plain HTTP, an invalid or "
            + "expiring certificate, missing HSTS or TLS older than 1.2 expose them.",
        remediation: Remediation("Put Caddy in front with automatic HTTPS and HSTS (the Caddyfile from jellyfort deploy)."),
        evidence: [.probe, .host])

    static let examples = [
        ControlExample("automatic HTTPS with HSTS", .pass, Sample.deployment()),
        ControlExample(
            "plain http site", .fail, Sample.deployment { $0.proxies = [Sample.site { $0.addresses = ["http://reels-7f3k.example.org"] }] }),
        ControlExample("no HSTS", .fail, Sample.deployment { $0.proxies = [Sample.site { $0.responseHeadersSet.removeFirst() }] }),
        ControlExample("no Caddyfile", .unknown, Sample.deployment { $0.proxies = [] }),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        evidence.withJellyfinSites { sites, _ in
            var findings: [Finding] = []
            for site in sites {
                // http://…, …:80, and a bare :PORT without a certificate of its own are plain HTTP,
                // whatever headers the site sets.
                let plain = site.addresses.contains { address in
                    address.hasPrefix("http://") || address.hasSuffix(":80")
                        || (address.hasPrefix(":") && address != ":443" && !site.hasOwnCertificate)
                }
                if site.tlsOff || plain {
                    findings.append(.at(site.location, "site \(site.addresses.joined(separator: " ")) serves Jellyfin over plain HTTP"))
                }
                if !site.responseHeadersSet.contains("Strict-Transport-Security") {
                    findings.append(.at(site.location, "no Strict-Transport-Security header: browsers may still try plain HTTP first"))
                }
            }
            guard findings.isEmpty else { return .fail("Jellyfin is not served over HTTPS only", findings: findings) }
            return .pass("HTTPS with automatic certificates and HSTS (whether the certificate is valid needs a check from outside)")
        }
    }
}
