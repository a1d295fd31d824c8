import JellyfortBase
import JellyfortCore

struct RestartUnauthenticatedControl: Control {
    static let description = ControlDescription(
        id: .serverRestartUnauthenticated, title: "Nobody outside can restart the server", guideItem: nil, severity: .high,
        rationale:
            "Jellyfin lets any LAN address call POST /System/Restart without signing in (jellyfin#16673). "
            + "When every client looks local, that means anyone on the internet. Jellyfort never sends that "
            + "request; it infers it from the configuration.",
        remediation: Remediation(
            "Set KnownProxies to the proxy and LocalNetworkSubnets to the real LAN (jellyfort harden --proxy "
                + "IP --lan-cidr CIDR); block /System/Restart at the proxy.",
            fixable: false),
        evidence: [.api, .probe])

    static let examples = [
        ControlExample("proxy known", .pass, Sample.evidence()),
        ControlExample(
            "every client looks local", .fail,
            Sample.evidence(
                Sample.view { view in
                    view.network = .observed(NetworkFacts())
                    view.sessions = .observed([
                        SessionFacts(userName: "a", remoteEndPoint: "127.0.0.1"), SessionFacts(userName: "b", remoteEndPoint: "127.0.0.1"),
                    ])
                })),
        ControlExample(
            "anyone may claim a LAN address", .fail,
            Sample.evidence(
                Sample.view { $0.network = .observed(NetworkFacts(knownProxies: ["0.0.0.0/0"], localNetworkSubnets: ["192.168.1.0/24"])) })),
        ControlExample(
            "no proxy known and no sessions to tell", .unknown,
            Sample.evidence(
                Sample.view { view in
                    view.network = .observed(NetworkFacts(localNetworkSubnets: ["192.168.1.0/24"]))
                    view.sessions = .observed([])
                })),
        ControlExample("probe: remote and cannot forge", .pass, Sample.probed()),
        ControlExample("probe: seen as LAN from outside", .fail, Sample.probed { $0.clientAddress?.plain.isInNetwork = true }),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        let probed = evidence.fromProbe { probe -> Verdict? in
            guard let seen = ProbedClientAddress(probe) else { return nil }
            if let reason = seen.voidReason {
                return .fail(
                    "from outside, \(reason), and LAN clients may restart it without signing in",
                    findings: [seen.seenAsLAN, seen.forgery].compactMap { $0 })
            }
            return seen.seenAsRemote ? .pass("from outside, the prober is remote and cannot pose as LAN") : nil
        }
        return .combining([probed, fromConfiguration(evidence)])
    }

    static func fromConfiguration(_ evidence: Evidence) -> Verdict {
        evidence.withServerView { view in
            view.network.decide("the network configuration") { network in
                let analysis = ClientAddressAnalysis(view)
                if let reason = analysis.reasonEveryoneLooksLocal {
                    return .fail(
                        "anyone can restart the server without signing in: \(reason)",
                        findings: [Finding(subject: "config:network", message: reason)])
                }
                if let wide = analysis.broadProxies.first {
                    return .fail(
                        "clients inside \(wide) can forge a LAN address and restart the server",
                        findings: [Finding(subject: "config:network", message: "KnownProxies trusts \(wide)")])
                }
                if network.knownProxies.isEmpty, Set(analysis.sessionAddresses).count < 2 {
                    return .unknown(
                        "KnownProxies is empty and no session shows whether a proxy is in front; \(MissingInput.probe) would tell")
                }
                return .pass("only real LAN addresses can restart the server")
            }
        }
    }
}
