import JellyfortBase
import JellyfortCore

struct LocalSubnetsControl: Control {
    static let description = ControlDescription(
        id: .networkLocalSubnets, title: "The LAN is defined explicitly", guideItem: nil, severity: .low,
        rationale:
            "With LocalNetworkSubnets empty, every private address counts as LAN: other containers, VPN "
            + "peers, a neighbour on a shared network. LAN clients skip the remote-access rules.",
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
                    return .fail(
                        "LocalNetworkSubnets is empty: every private address counts as LAN",
                        findings: [
                            Finding(
                                subject: "config:network", message: "LocalNetworkSubnets is empty", evidence: ["LocalNetworkSubnets": []])
                        ])
                }
                let declared = Set(evidence.settings.lanCIDRs.compactMap(IPNetwork.init))
                let configured = Set(subnets.compactMap(IPNetwork.init))
                if !declared.isEmpty, declared != configured {
                    return .fail(
                        "LocalNetworkSubnets (\(subnets.joined(separator: ", "))) is not the LAN you declared "
                            + "(\(evidence.settings.lanCIDRs.joined(separator: ", ")))",
                        findings: [
                            Finding(
                                subject: "config:network", message: "LocalNetworkSubnets differs from --lan-cidr",
                                evidence: ["LocalNetworkSubnets": JSONValue(subnets)])
                        ])
                }
                return .pass("the LAN is \(subnets.joined(separator: ", "))")
            }
        }
    }
}

extension LocalSubnetsControl: FixableControl {
    static func plan(_ evidence: Evidence, options: FixOptions) -> FixPlan {
        guard let network = evidence.api.value?.network.value else { return .nothing }
        if !options.lanCIDRs.isEmpty {
            let configured = Set(network.localNetworkSubnets.compactMap(IPNetwork.init))
            guard Set(options.lanCIDRs.compactMap(IPNetwork.init)) != configured else { return .nothing }
            return FixPlan(changes: [
                FixChange(
                    .networkLocalSubnets, .networkConfiguration, "LocalNetworkSubnets", from: JSONValue(network.localNetworkSubnets),
                    to: JSONValue(options.lanCIDRs))
            ])
        }
        return network.localNetworkSubnets.isEmpty
            ? FixPlan(skipped: ["LocalNetworkSubnets is empty; give your LAN with --lan-cidr CIDR"]) : .nothing
    }

    static let fixExamples = [
        FixExample(
            "empty, LAN given", Sample.evidence(Sample.view { $0.network = .observed(NetworkFacts(knownProxies: ["10.0.0.2"])) }),
            options: {
                var options = FixOptions()
                options.lanCIDRs = ["192.168.1.0/24"]
                return options
            }()),
        FixExample(
            "empty, no LAN given", Sample.evidence(Sample.view { $0.network = .observed(NetworkFacts(knownProxies: ["10.0.0.2"])) }),
            after: .fail),
    ]
}
