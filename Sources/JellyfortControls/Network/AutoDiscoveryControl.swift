import JellyfortBase
import JellyfortCore

struct AutoDiscoveryControl: Control {
    static let description = ControlDescription(
        id: .networkAutoDiscovery, title: "Client auto-discovery is off", guideItem: nil, severity: .low,
        rationale:
            "Auto-discovery answers UDP broadcasts (port 7359) with the server's name and address. On a "
            + "server reachable from the internet it is one more open port that says 'Jellyfin here'.",
        remediation: Remediation("Turn AutoDiscovery off in Dashboard → Networking (jellyfort harden).", fixable: true),
        evidence: [.api])

    static let examples = [
        ControlExample("off", .pass, Sample.evidence()),
        ControlExample(
            "on", .fail,
            Sample.evidence(
                Sample.view {
                    $0.network = .observed(
                        NetworkFacts(knownProxies: ["10.0.0.2"], localNetworkSubnets: ["192.168.1.0/24"], autoDiscovery: true))
                })),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        evidence.withServerView { view in
            view.network.decide("the network configuration") { network in
                network.autoDiscovery
                    ? .fail(
                        "auto-discovery answers UDP broadcasts on port 7359",
                        findings: [Finding(subject: "config:network", message: "AutoDiscovery is true", evidence: ["AutoDiscovery": true])])
                    : .pass("auto-discovery is off")
            }
        }
    }
}

extension AutoDiscoveryControl: FixableControl {
    static func plan(_ evidence: Evidence, options: FixOptions) -> FixPlan {
        guard evidence.api.value?.network.value?.autoDiscovery == true else { return .nothing }
        return FixPlan(changes: [FixChange(.networkAutoDiscovery, .networkConfiguration, "AutoDiscovery", from: true, to: false)])
    }

    static let fixExamples = [
        FixExample(
            "on",
            Sample.evidence(
                Sample.view {
                    $0.network = .observed(
                        NetworkFacts(knownProxies: ["10.0.0.2"], localNetworkSubnets: ["192.168.1.0/24"], autoDiscovery: true))
                }))
    ]
}
