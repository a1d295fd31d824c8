import JellyfortBase
import JellyfortCore

/// Guide item 15.
struct CDNOriginLockControl: Control {
    static let description = ControlDescription(
        id: .edgeCDNOriginLock, title: "Behind a CDN, the origin answers only the CDN", guideItem: 15, severity: .high,
        rationale:
            "A CDN in front hides and shields the origin only if the origin refuses everyone else on 443 and "
            + "trusts forwarded headers only from the CDN's published ranges; otherwise attackers go straight "
            + "to the origin and forge their address.",
        remediation: Remediation(
            "Allow 443 only from the CDN's ranges in the firewall and trust only them in Caddy "
                + "(trusted_proxies); jellyfort deploy --cdn cloudflare writes both."
        ),
        evidence: [.host, .probe])

    static let examples = [
        ControlExample("no CDN declared", .notApplicable, Sample.evidence()),
        ControlExample("CDN declared, origin not examined", .unknown, Sample.evidence(settings: { $0.cdn = "cloudflare" })),
        ControlExample("origin open to all", .fail, Sample.deployment(settings: { $0.cdn = "cloudflare" })),
        ControlExample(
            "firewall and proxy trust only the CDN", .pass,
            Sample.deployment(
                { view in
                    view.firewalls = [
                        FirewallFacts(
                            kind: .nftables, location: FileLocation(path: "jellyfort.nft", line: 9),
                            sourcesFor443: ["173.245.48.0/20", "2400:cb00::/32"], closesJellyfinPorts: true)
                    ]
                    view.proxies = [Sample.site { $0.trustedProxies = ["173.245.48.0/20"] }, Sample.catchAll]
                }, settings: { $0.cdn = "cloudflare" })),
        ControlExample(
            "proxy trusts forwarded headers from anyone", .fail,
            Sample.deployment(
                { view in
                    view.firewalls = [
                        FirewallFacts(
                            kind: .nftables, location: FileLocation(path: "jellyfort.nft", line: 9), sourcesFor443: ["173.245.48.0/20"],
                            closesJellyfinPorts: true)
                    ]
                    view.proxies = [Sample.site { $0.trustedProxies = ["0.0.0.0/0"] }, Sample.catchAll]
                }, settings: { $0.cdn = "cloudflare" })),
        ControlExample(
            "probe: the origin refuses the prober", .pass,
            Sample.probed(
                { $0.origins = [Sample.exchange("HTTPS to the origin 192.0.2.50:443", "connection refused", accepted: false)] },
                settings: { $0.cdn = "cloudflare" })),
        ControlExample(
            "probe: the origin answers the prober", .fail,
            Sample.probed(
                { $0.origins = [Sample.exchange("HTTPS to the origin 192.0.2.50:443", "TLS 1.3, HTTP 200", status: 200)] },
                settings: { $0.cdn = "cloudflare" })),
        ControlExample("probe without --origin", .unknown, Sample.probed(settings: { $0.cdn = "cloudflare" })),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        guard let cdn = evidence.settings.cdn else { return .notApplicable("no CDN declared (--cdn cloudflare)") }
        let probed = evidence.fromProbe { probe -> Verdict? in
            guard !probe.origins.isEmpty else {
                return .unknown("the probe needs the origin's own address to try it directly: add --origin IP")
            }
            let open = probe.origins.filter(\.accepted)
            guard open.isEmpty else {
                return .fail(
                    "the origin answers HTTPS to this prober, which is not a \(cdn) address",
                    findings: open.map {
                        .probe(probe.name, $0, "the origin completed a TLS handshake for \(probe.name) with a non-\(cdn) address")
                    })
            }
            return .pass("from outside, the origin refuses HTTPS to addresses that are not \(cdn)'s")
        }
        return .combining([probed, fromDeployment(evidence, cdn: cdn)])
    }

    static func fromDeployment(_ evidence: Evidence, cdn: String) -> Verdict {
        guard case .observed(let host) = evidence.host else {
            return Evidence.needsHostOrProbe(description.evidence)
        }
        guard let ranges = try? CDNRanges.bundled(cdn) else { return .unknown("no published ranges known for \(cdn)") }
        let sources = DeclaredSources(host)
        var findings: [Finding] = []
        if sources.allowed == nil {
            findings.append(
                Finding(
                    subject: "server", message: "443 is open to everyone, not only to \(cdn)'s ranges",
                    location: host.firewalls.first?.location))
        } else {
            let extra = sources.beyond(ranges.networks)
            if !extra.isEmpty {
                findings += sources.locations.map {
                    .at($0, "lets in \(extra.prefix(3).map(\.description).joined(separator: ", ")) outside \(cdn)'s ranges")
                }
            }
        }
        for site in host.jellyfinSites {
            let trusted = site.trustedProxies.compactMap(IPNetwork.init)
            let outside = trusted.filter { entry in !ranges.networks.contains { $0.contains(entry) } }
            if !outside.isEmpty {
                findings.append(
                    .at(
                        site.location,
                        "trusts forwarded headers from \(outside.map(\.description).joined(separator: ", ")), outside \(cdn)'s ranges"))
            }
        }
        guard findings.isEmpty else {
            return .fail("the origin can be reached around \(cdn), or trusts forged client addresses", findings: findings)
        }
        return .pass("443 answers only \(cdn)'s ranges (as of \(ranges.asOf)), and only they are trusted for forwarded headers")
    }
}
