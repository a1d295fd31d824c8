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
        ControlExample("probe: nothing answers", .pass, Sample.probed()),
        ControlExample(
            "probe: closed, though LocalAddress names the internal port", .pass,
            Sample.probed {
                $0.exposure.append(
                    .init(
                        kind: .localAddress, exchange: Sample.exchange("GET /System/Info/Public", "LocalAddress http://10.88.0.5:8096"),
                        exposed: true))
            }),
        ControlExample(
            "probe: 8096 accepts connections", .fail,
            Sample.probed { $0.directPorts[0] = .init(address: "203.0.113.10", port: 8096, transport: .tcp, open: true, got: "connected") }),
        ControlExample(
            "probe: discovery answers", .fail,
            Sample.probed {
                $0.directPorts[2] = .init(address: "203.0.113.10", port: 7359, transport: .udp, open: true, got: "answered: {}")
            }),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        .combining([evidence.fromProbe(fromProbe), fromDeployment(evidence)])
    }

    /// What answered from outside on Jellyfin's own ports.
    static func fromProbe(_ probe: ProbeView) -> Verdict? {
        guard !probe.directPorts.isEmpty else { return nil }
        let open = probe.directPorts.filter(\.open)
        guard open.isEmpty else {
            return .fail(
                "Jellyfin's own ports answer from outside: \(open.map(\.label).joined(separator: ", "))",
                findings: open.map { check in
                    Finding(
                        subject: "probe:\(probe.name)",
                        message: "\(check.label) \(check.transport == .tcp ? "accepts connections" : "answers")",
                        evidence: [
                            "sent": .string(
                                check.transport == .tcp
                                    ? "a TCP connection to \(check.label)" : "Jellyfin's discovery or SSDP question to \(check.label)"),
                            "got": .string(check.got),
                        ])
                })
        }
        let addresses = Set(probe.directPorts.map(\.address)).sorted()
        // Not a failure while the ports stay closed, but it tells a stranger where Jellyfin listens.
        let told = probe.exposure.filter { $0.kind == .localAddress && $0.exposed }.map {
            Finding.probe(probe.name, $0.exchange, "Jellyfin tells anyone its internal address (LocalAddress in /System/Info/Public)")
        }
        return .pass(
            "from outside, 8096 and 8920 refuse or drop and 7359/1900 stay silent on \(addresses.joined(separator: ", "))", findings: told)
    }

    static func fromDeployment(_ evidence: Evidence) -> Verdict {
        guard case .observed(let host) = evidence.host else {
            return Evidence.needsHostOrProbe(description.evidence)
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
