import Foundation
import JellyfortBase
import JellyfortCore

/// Guide item 6.
struct ObscureDomainControl: Control {
    static let description = ControlDescription(
        id: .proxyObscureDomain, title: "The site name is not guessable", guideItem: 6, severity: .low,
        rationale:
            "Scanners try jellyfin., media., watch. and friends on every domain, and every certificate name "
            + "is public in Certificate Transparency logs. An unguessable name behind a wildcard certificate, "
            + "with a catch-all that answers nothing for unknown names and bare IPs, keeps the server out of "
            + "the first round.",
        remediation: Remediation(
            "Use an unguessable subdomain with a wildcard certificate (DNS-01) and a catch-all site that aborts (jellyfort deploy)."),
        evidence: [.probe, .host])

    static let examples = [
        ControlExample(
            "wildcard, unguessable, catch-all", .pass,
            Sample.deployment { $0.proxies = [Sample.site { $0.addresses = ["*.example.org"] }, Sample.catchAll] }),
        ControlExample("unguessable but its own certificate", .warn, Sample.deployment()),
        ControlExample(
            "jellyfin.", .fail,
            Sample.deployment { $0.proxies = [Sample.site { $0.addresses = ["jellyfin.example.org"] }, Sample.catchAll] }),
        ControlExample("no catch-all", .fail, Sample.deployment { $0.proxies = [Sample.site()] }),
    ]

    static func host(of address: String) -> String {
        var host = address.replacingOccurrences(of: "https://", with: "").replacingOccurrences(of: "http://", with: "")
        if let colon = host.lastIndex(of: ":"), !host.contains("]") { host = String(host[..<colon]) }
        return host.lowercased()
    }

    static func evaluate(_ evidence: Evidence) -> Verdict {
        evidence.withJellyfinSites { sites, host in
            var findings: [Finding] = []
            let names = sites.flatMap { site in site.addresses.map { (site, Self.host(of: $0)) } }.filter { !$0.1.isEmpty }
            for (site, name) in names {
                if let reason = GuessableNames.siteReason(name) { findings.append(.at(site.location, reason)) }
            }
            if !host.proxies.contains(where: { $0.isCatchAll && $0.aborts }) {
                findings.append(
                    Finding(
                        subject: "file:\(sites[0].location.path)",
                        message: "no catch-all site that aborts: unknown names and the bare IP reach a site", location: sites[0].location))
            }
            guard findings.isEmpty else { return .fail("the site can be found by guessing or scanning", findings: findings) }
            if names.allSatisfy({ $0.1.hasPrefix("*.") }) {
                return .pass("an unguessable name under a wildcard certificate; unknown names get nothing")
            }
            return .warn(
                "the name is unguessable, but its certificate lists it in Certificate Transparency logs "
                    + "(crt.sh); a wildcard certificate (DNS-01) keeps it out"
            )
        }
    }
}
