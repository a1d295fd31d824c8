import JellyfinAPI
import JellyfortCore

struct LocalSubnetsControl: Control {
    static let description = ControlDescription(
        id: "network.local-subnets", title: "The LAN is defined explicitly", guideItem: nil, severity: .low,
        rationale: "With LocalNetworkSubnets empty, every private address counts as LAN: other containers, VPN peers, a neighbour on a shared network. LAN clients skip the remote-access rules.",
        remediation: Remediation("Set LocalNetworkSubnets to your real LAN (jellyfort harden --lan-cidr 192.168.1.0/24).", fixable: true),
        evidence: [.api])

    static let examples = [
        ControlExample("explicit", .pass, Sample.evidence()),
        ControlExample("empty", .fail, Sample.evidence(Sample.view { $0.network = .observed(NetworkFacts(knownProxies: ["10.0.0.2"])) })),
        ControlExample("differs from --lan-cidr", .fail, Sample.evidence(settings: { $0.lanCIDRs = ["10.1.0.0/16"] })),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        evidence.withServerView { view in
            view.network.decide("the network configuration") { network in
                let subnets = network.localNetworkSubnets.filter { !$0.hasPrefix("!") }
                if subnets.isEmpty {
                    return .fail("LocalNetworkSubnets is empty: every private address counts as LAN", findings: [Finding(subject: "config:network", message: "LocalNetworkSubnets is empty", evidence: ["LocalNetworkSubnets": []])])
                }
                let declared = Set(evidence.settings.lanCIDRs.compactMap(IPNetwork.init))
                let configured = Set(subnets.compactMap(IPNetwork.init))
                if !declared.isEmpty, declared != configured {
                    return .fail("LocalNetworkSubnets (\(subnets.joined(separator: ", "))) is not the LAN you declared (\(evidence.settings.lanCIDRs.joined(separator: ", ")))",
                                 findings: [Finding(subject: "config:network", message: "LocalNetworkSubnets differs from --lan-cidr", evidence: ["LocalNetworkSubnets": JSONValue(subnets)])])
                }
                return .pass("the LAN is \(subnets.joined(separator: ", "))")
            }
        }
    }
}
