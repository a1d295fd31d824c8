import JellyfortBase
import JellyfortCore

/// Guide item 4.
struct DirectPortClosedControl: Control {
    static let description = ControlDescription(
        id: .proxyDirectPortClosed, title: "Jellyfin's own ports are closed to the outside", guideItem: 4, severity: .high,
        rationale:
            "If 8096/8920 (or discovery on 7359/1900) answer from outside, the proxy, its TLS and its filters can simply be walked around.",
        remediation: Remediation("Publish Jellyfin on loopback only: PublishPort=127.0.0.1:8096:8096."),
        evidence: [.probe, .host])

    static let jellyfinPorts: Set<String> = ["8096", "8920", "7359", "1900"]

    static let examples = [
        ControlExample("loopback only", .pass, Sample.deployment()),
        ControlExample(
            "published on every interface", .fail,
            Sample.deployment {
                $0.containers = [
                    Sample.container { $0.publishes = [.init(hostIP: nil, hostPort: "8096", containerPort: "8096", line: 17)] }
                ]
            }),
        ControlExample(
            "discovery published", .fail,
            Sample.deployment {
                $0.containers = [
                    Sample.container { $0.publishes.append(.init(hostIP: "0.0.0.0", hostPort: "7359", containerPort: "7359", line: 18)) }
                ]
            }),
        ControlExample(
            "host network", .fail,
            Sample.deployment {
                $0.containers = [
                    Sample.container {
                        $0.network = "host"
                        $0.publishes = []
                    }
                ]
            }),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        guard case .observed(let host) = evidence.host else {
            return Evidence.needsHostOrProbe(description.evidence, given: evidence.settings)
        }
        guard !host.containers.isEmpty else {
            return .unknown(
                "no Jellyfin container definition among the deployment files (add the Quadlet unit, run script or compose file), "
                    + "or \(MissingInput.probe)")
        }
        if let unclear = host.unclearContainer { return .unknown("\(unclear); its ports cannot be judged") }
        if let elsewhere = host.containers.compactMap(\.portsElsewhere).first {
            return .unknown("the ports are published by \(elsewhere), which was not given: add it with --deployment")
        }
        var findings: [Finding] = []
        for container in host.containers {
            if container.network == "host" {
                findings.append(.at(container.at(nil), "the host network binds Jellyfin's ports on every interface"))
            }
            for publish in container.publishes where jellyfinPorts.contains(publish.containerPort) {
                let address = publish.hostIP ?? ""
                let loopback = IPAddress(address)?.isLoopback ?? (address == "localhost")
                if !loopback {
                    findings.append(
                        .at(
                            container.at(publish.line),
                            "port \(publish.containerPort) is published on \(address.isEmpty ? "every interface" : address), not 127.0.0.1",
                            ["HostIP": .string(address), "Port": .string(publish.hostPort)]))
                }
            }
        }
        guard findings.isEmpty else { return .fail("Jellyfin can be reached without the proxy", findings: findings) }
        let published = host.containers.contains { container in container.publishes.contains { jellyfinPorts.contains($0.containerPort) } }
        return .pass(published ? "Jellyfin's ports are published on loopback only" : "no port of Jellyfin is published on the host")
    }
}
