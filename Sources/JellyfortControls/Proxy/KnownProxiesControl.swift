import JellyfortBase
import JellyfortCore

/// Guide item 4: the reverse proxy, as Jellyfin must know it.
struct KnownProxiesControl: Control {
    static let description = ControlDescription(
        id: .proxyKnownProxies, title: "Jellyfin trusts exactly its proxy", guideItem: 4, severity: .high,
        rationale:
            "Behind a reverse proxy, Jellyfin learns the client's address from X-Forwarded-For only if the "
            + "proxy is in KnownProxies. Empty, every client looks like the proxy (local); too broad, anyone "
            + "inside the range can forge the header and pick the address Jellyfin sees.",
        remediation: Remediation(
            "Set KnownProxies to the proxy's exact address (jellyfort harden --proxy IP), make "
                + "LocalNetworkSubnets explicit, and restart Jellyfin (KnownProxies is read at start-up).",
            fixable: true),
        evidence: [.api, .probe])

    static let examples = [
        ControlExample("exactly the proxy", .pass, Sample.evidence()),
        ControlExample(
            "empty, sessions all from the proxy", .fail,
            Sample.evidence(
                Sample.view { view in
                    view.network = .observed(NetworkFacts(localNetworkSubnets: ["192.168.1.0/24"]))
                    view.sessions = .observed([
                        SessionFacts(userName: "a", remoteEndPoint: "172.17.0.1"),
                        SessionFacts(userName: "b", remoteEndPoint: "172.17.0.1"),
                    ])
                })),
        ControlExample(
            "empty, nothing shows a proxy", .fail,
            Sample.evidence(
                Sample.view { view in
                    view.network = .observed(NetworkFacts(localNetworkSubnets: ["192.168.1.0/24"]))
                    view.sessions = .observed([])
                })),
        ControlExample(
            "a whole /16 trusted", .fail,
            Sample.evidence(
                Sample.view {
                    $0.network = .observed(NetworkFacts(knownProxies: ["192.168.0.0/16"], localNetworkSubnets: ["192.168.1.0/24"]))
                })),
        ControlExample(
            "empty, clients seen directly", .warn,
            Sample.evidence(Sample.view { $0.network = .observed(NetworkFacts(localNetworkSubnets: ["192.168.1.0/24"])) })),
        ControlExample("probe: forged headers change nothing", .pass, Sample.probed()),
        ControlExample(
            "probe: a forged loopback address makes the prober LAN", .fail, Sample.probed { $0.clientAddress?.forged[0].isInNetwork = true }
        ),
        ControlExample(
            "probe without a credential: the forged header shows hidden users", .fail,
            Sample.probed {
                $0.clientAddress = .init(
                    method: .publicUsers,
                    plain: .init(
                        exchange: Sample.exchange("GET /Users/Public", "HTTP 200 0 users listed"), forgedAddress: nil, publicUsers: 0),
                    forged: [
                        .init(
                            exchange: Sample.exchange("GET /Users/Public with X-Forwarded-For: 127.0.0.1", "HTTP 200 2 users listed"),
                            forgedAddress: "127.0.0.1", publicUsers: 2)
                    ])
            }),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        let probed = evidence.fromProbe { probe -> Verdict? in
            guard let seen = ProbedClientAddress(probe) else { return nil }
            if let forgery = seen.forgery {
                return .fail("a forged X-Forwarded-For from the internet is believed: KnownProxies trusts too much", findings: [forgery])
            }
            if seen.seenAsRemote { return .pass("from outside, forged X-Forwarded-For headers change nothing") }
            return nil
        }
        return .combining([probed, fromConfiguration(evidence)])
    }

    static func fromConfiguration(_ evidence: Evidence) -> Verdict {
        evidence.withServerView { view in
            view.network.decide("the network configuration") { network in
                let analysis = ClientAddressAnalysis(view)
                let broad = analysis.broadProxies
                if !broad.isEmpty {
                    return .fail(
                        "KnownProxies trusts \(broad.joined(separator: ", ")): clients inside can forge X-Forwarded-For",
                        findings: broad.map { entry in
                            Finding(
                                subject: "config:network",
                                message:
                                    "KnownProxies entry \(entry) is "
                                    + "\(IPNetwork(entry)?.isSingleHost == true ? "a public address" : "wider than one host")",
                                evidence: ["KnownProxies": JSONValue(network.knownProxies)])
                        })
                }
                guard network.knownProxies.isEmpty else {
                    return .pass("KnownProxies is exactly \(network.knownProxies.joined(separator: ", "))")
                }
                if let proxy = analysis.singleProxyAddress {
                    return .fail(
                        "every session comes from \(proxy), but KnownProxies is empty: every client looks local",
                        findings: [
                            Finding(
                                subject: "config:network", message: "KnownProxies is empty while all sessions come from \(proxy)",
                                evidence: ["KnownProxies": [], "SessionAddress": .string(proxy.description)])
                        ])
                }
                if Set(analysis.sessionAddresses).count >= 2 {
                    return .warn("KnownProxies is empty and clients reach Jellyfin directly: no reverse proxy is in front (guide item 4)")
                }
                return .fail(
                    "KnownProxies is empty: behind a reverse proxy every client looks local",
                    findings: [
                        Finding(subject: "config:network", message: "KnownProxies is empty", evidence: ["KnownProxies": []])
                    ])
            }
        }
    }
}

extension KnownProxiesControl: FixableControl {
    static func plan(_ evidence: Evidence, options: FixOptions) -> FixPlan {
        guard let network = evidence.api.value?.network.value else { return .nothing }
        if !options.proxies.isEmpty {
            guard Set(options.proxies) != Set(network.knownProxies) else { return .nothing }
            return FixPlan(
                changes: [
                    FixChange(
                        .proxyKnownProxies, .networkConfiguration, "KnownProxies", from: JSONValue(network.knownProxies),
                        to: JSONValue(options.proxies))
                ],
                notes: ["Jellyfin reads KnownProxies only at start-up: restart Jellyfin for the new proxy list to take effect."])
        }
        return network.knownProxies.isEmpty
            ? FixPlan(skipped: ["KnownProxies is empty; give your reverse proxy's address with --proxy IP"]) : .nothing
    }

    static let fixExamples = [
        FixExample(
            "a whole /16 trusted, the proxy given",
            Sample.evidence(
                Sample.view {
                    $0.network = .observed(NetworkFacts(knownProxies: ["192.168.0.0/16"], localNetworkSubnets: ["192.168.1.0/24"]))
                }),
            options: {
                var options = FixOptions()
                options.proxies = ["10.0.0.2"]
                return options
            }()),
        FixExample(
            "empty, no proxy given",
            Sample.evidence(
                Sample.view { view in
                    view.network = .observed(NetworkFacts(localNetworkSubnets: ["192.168.1.0/24"]))
                    view.sessions = .observed([])
                }), after: .fail),
    ]
}
