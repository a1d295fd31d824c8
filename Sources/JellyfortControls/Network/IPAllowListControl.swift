import JellyfortBase
import JellyfortCore

/// Guide item 5.
struct IPAllowListControl: Control {
    static let description = ControlDescription(
        id: .networkIPAllowList, title: "Only allowed addresses reach the server", guideItem: 5, severity: .medium,
        rationale:
            "If your viewers come from a few known places, an allow-list shuts out the rest of the internet "
            + "before any password is tried. Declare it with --allow, and Jellyfort checks that the firewall "
            + "or Jellyfin's RemoteIPFilter enforces it, and no more.",
        remediation: Remediation(
            "Enforce the allow-list in the firewall (jellyfort deploy writes firewalld and nftables rules) or in Jellyfin's RemoteIPFilter."
        ),
        evidence: [.host, .api])

    static let examples = [
        ControlExample("nothing declared", .warn, Sample.evidence()),
        ControlExample(
            "declared and enforced by RemoteIPFilter", .pass,
            Sample.evidence(
                Sample.view {
                    $0.network = .observed(
                        NetworkFacts(
                            knownProxies: ["10.0.0.2"], localNetworkSubnets: ["192.168.1.0/24"], remoteIPFilter: ["198.51.100.0/24"]))
                }, settings: { $0.allowList = ["198.51.100.0/24"] })),
        ControlExample(
            "RemoteIPFilter allows more than declared", .fail,
            Sample.evidence(
                Sample.view {
                    $0.network = .observed(
                        NetworkFacts(knownProxies: ["10.0.0.2"], localNetworkSubnets: ["192.168.1.0/24"], remoteIPFilter: ["0.0.0.0/0"]))
                }, settings: { $0.allowList = ["198.51.100.0/24"] })),
        ControlExample(
            "declared, not in Jellyfin, firewall not read", .unknown, Sample.evidence(settings: { $0.allowList = ["198.51.100.0/24"] })),
        ControlExample(
            "declared and enforced by the firewall", .pass,
            Sample.deployment(
                {
                    $0.firewalls = [
                        FirewallFacts(
                            kind: .nftables, location: FileLocation(path: "jellyfort.nft", line: 9), sourcesFor443: ["198.51.100.0/24"],
                            closesJellyfinPorts: true)
                    ]
                }, settings: { $0.allowList = ["198.51.100.0/24"] })),
        ControlExample(
            "443 restricted, but Jellyfin's own port open to everyone", .fail,
            Sample.deployment(
                {
                    $0.containers = [
                        Sample.container { $0.publishes = [.init(hostIP: nil, hostPort: "8096", containerPort: "8096", line: 17)] }
                    ]
                    $0.firewalls = [
                        FirewallFacts(
                            kind: .nftables, location: FileLocation(path: "rules.nft", line: 4), sourcesFor443: ["198.51.100.0/24"],
                            closesJellyfinPorts: false, openToEveryone: ["8096"], dropsByDefault: true)
                    ]
                }, settings: { $0.allowList = ["198.51.100.0/24"] })),
        ControlExample("declared, firewall open to all", .fail, Sample.deployment(settings: { $0.allowList = ["198.51.100.0/24"] })),
        ControlExample(
            "firewall allows more than declared", .fail,
            Sample.deployment(
                {
                    $0.firewalls = [
                        FirewallFacts(
                            kind: .nftables, location: FileLocation(path: "jellyfort.nft", line: 9), sourcesFor443: ["198.51.0.0/16"],
                            closesJellyfinPorts: true)
                    ]
                }, settings: { $0.allowList = ["198.51.100.0/24"] })),
    ]

    /// Behind a CDN every connection comes from the CDN, so the firewall cannot tell viewers
    /// apart: the list has to be matched on the address the CDN forwards. A pattern passes only
    /// when it is exactly the one Jellyfort writes for the declared list; any other is read as
    /// not understood, never as enforced.
    static func behindCDN(_ declared: [IPNetwork], _ host: HostView) -> Verdict {
        let patterns = host.jellyfinSites.flatMap { site in site.forwardedViewerPatterns.map { (site.location, $0) } }
        guard !patterns.isEmpty else {
            return .fail(
                "behind the CDN the declared allow-list is not enforced: only the CDN connects, and no rule matches the viewer "
                    + "address it forwards (\(ForwardedAddressPattern.header))",
                findings: host.jellyfinSites.map { .at($0.location, "no viewer allow-list on the forwarded address") })
        }
        guard let expected = ForwardedAddressPattern.regex(for: declared) else {
            return .unknown(
                "the declared allow-list has IPv6 ranges, which cannot be matched on the forwarded address: check the CDN's own rules")
        }
        if let other = patterns.first(where: { $0.1 != expected }) {
            return .unknown(
                "\(other.0.path):\(other.0.line ?? 0) matches \(ForwardedAddressPattern.header) with a pattern Jellyfort cannot read as "
                    + "a set of addresses; compare it with --allow by hand (jellyfort deploy writes one it can check)")
        }
        return .pass("behind the CDN, the proxy lets only the declared viewers through, matched on the address the CDN forwards")
    }

    /// The host ports that lead to Jellyfin: those published for 8096/8920 on an address other
    /// than loopback, or 8096 and 8920 themselves when no container definition says.
    static func jellyfinHostPorts(_ host: HostView) -> [String] {
        guard !host.containers.isEmpty else { return ["8096", "8920"] }
        var ports: [String] = []
        for container in host.containers {
            if container.network == "host" { ports += ["8096", "8920"] }
            for publish in container.publishes where ["8096", "8920"].contains(publish.containerPort) {
                let address = publish.hostIP ?? ""
                if !(IPAddress(address)?.isLoopback ?? (address == "localhost")) { ports.append(publish.hostPort) }
            }
        }
        return Array(Set(ports)).sorted()
    }

    static func evaluate(_ evidence: Evidence) -> Verdict {
        let declared = evidence.settings.allowList.compactMap(IPNetwork.init)
        guard !declared.isEmpty else {
            return .warn(
                "no allow-list declared: the whole internet can try to sign in (declare one with --allow CIDR if "
                    + "your viewers come from known places)"
            )
        }
        if evidence.settings.cdn != nil, case .observed(let host) = evidence.host, !host.jellyfinSites.isEmpty {
            return behindCDN(declared, host)
        }
        if case .observed(let host) = evidence.host, !host.firewalls.isEmpty || !host.jellyfinSites.isEmpty {
            let sources = DeclaredSources(host)
            guard let allowed = sources.allowed else {
                return .fail(
                    "the declared allow-list is not enforced: 443 is open to everyone in the deployment files",
                    findings: host.firewalls.map { .at($0.location, "no source restriction on 443") })
            }
            let extra = sources.beyond(declared)
            if !extra.isEmpty {
                return .fail(
                    "the rules allow \(extra.map(\.description).joined(separator: ", ")), beyond the declared allow-list",
                    findings: sources.locations.map {
                        .at($0, "allows more than --allow declares", ["allowed": JSONValue(allowed.map(\.description))])
                    })
            }
            // The allow-list on 443 means nothing if Jellyfin's own port is open to everyone beside it.
            let exposed = jellyfinHostPorts(host)
            for firewall in host.firewalls {
                guard let open = firewall.openToEveryone else { continue }
                let reachable = exposed.filter { open.contains($0) || (!firewall.dropsByDefault && !firewall.closesJellyfinPorts) }
                if !reachable.isEmpty {
                    return .fail(
                        "port \(reachable.joined(separator: ", ")) reaches Jellyfin from everyone, around the allow-list on 443",
                        findings: [
                            .at(
                                firewall.location, "\(reachable.joined(separator: ", ")) is open to any source",
                                ["ports": JSONValue(reachable)])
                        ])
                }
            }
            return .pass("the firewall or proxy lets only the declared addresses reach 443")
        }
        return evidence.withServerView { view in
            view.network.decide("the network configuration") { network in
                let filter = network.remoteIPFilter.compactMap(IPNetwork.init)
                if !network.isRemoteIPFilterBlacklist, !filter.isEmpty {
                    let extra = filter.filter { entry in !declared.contains { $0.contains(entry) } }
                    let missing = declared.filter { entry in !filter.contains { $0.contains(entry) } }
                    if !extra.isEmpty {
                        return .fail(
                            "RemoteIPFilter allows \(extra.map(\.description).joined(separator: ", ")), beyond the declared allow-list",
                            findings: [
                                Finding(
                                    subject: "config:network", message: "RemoteIPFilter allows more than declared",
                                    evidence: ["RemoteIPFilter": JSONValue(network.remoteIPFilter)])
                            ])
                    }
                    if missing.isEmpty { return .pass("Jellyfin's RemoteIPFilter enforces the declared allow-list") }
                }
                return Evidence.needsHostOrProbe([.host])
            }
        }
    }
}
