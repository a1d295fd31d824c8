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
        ControlExample("probe: strangers get nothing, wildcard certificate", .pass, Sample.probed()),
        ControlExample("probe: a per-name certificate", .warn, Sample.probed { $0.https?.certificateNames = [Sample.probedName] }),
        ControlExample("probe: the bare IP reaches Jellyfin", .fail, Sample.probed { $0.strangers[0].reachedJellyfin = true }),
        ControlExample(
            "probe: the certificate without SNI names the site", .fail,
            Sample.probed { $0.strangers[0].certificateNames = [Sample.probedName] }),
        ControlExample(
            "probe: a wildcard served without SNI names only the parent", .pass,
            Sample.probed { $0.strangers[0].certificateNames = ["*.example.org"] }),
        ControlExample("probe: a guessable name", .fail, Sample.probed { $0.name = "jellyfin.example.org" }),
    ]

    static func host(of address: String) -> String {
        var host = address.replacingOccurrences(of: "https://", with: "").replacingOccurrences(of: "http://", with: "")
        if let colon = host.lastIndex(of: ":"), !host.contains("]") { host = String(host[..<colon]) }
        return host.lowercased()
    }

    static func evaluate(_ evidence: Evidence) -> Verdict {
        .combining([evidence.fromProbe(fromProbe), fromDeployment(evidence)])
    }

    /// What a scanner gets: the bare IP without SNI, an unknown name, and the certificate's names.
    static func fromProbe(_ probe: ProbeView) -> Verdict? {
        // Without the scanner's requests, the probe has seen nothing of what a scanner gets.
        guard !probe.strangers.isEmpty else { return nil }
        var findings: [Finding] = []
        if let reason = GuessableNames.siteReason(probe.name) {
            findings.append(Finding(subject: "probe:\(probe.name)", message: reason))
        }
        for stranger in probe.strangers {
            if stranger.reachedJellyfin {
                findings.append(.probe(probe.name, stranger.exchange, "a request that does not name the site reaches Jellyfin"))
            } else if stranger.certificateNames.contains(where: { $0.lowercased() == probe.name.lowercased() }) {
                findings.append(
                    .probe(
                        probe.name, stranger.exchange,
                        "the certificate served to it names \(stranger.certificateNames.prefix(3).joined(separator: ", ")): the site's name is revealed"
                    ))
            }
        }
        guard findings.isEmpty else { return .fail("from outside, the site can be found by scanning", findings: findings) }
        let names = probe.https?.certificateNames ?? []
        if !names.isEmpty, names.allSatisfy({ $0.hasPrefix("*.") }) {
            return .pass("from outside: unknown names and the bare IP get nothing, and the certificate is a wildcard")
        }
        guard probe.https != nil else { return nil }
        return .warn(
            "from outside, unknown names and the bare IP get nothing, but the certificate names \(probe.name): it is public in "
                + "Certificate Transparency logs (crt.sh); a wildcard certificate (DNS-01) keeps it out")
    }

    static func fromDeployment(_ evidence: Evidence) -> Verdict {
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
