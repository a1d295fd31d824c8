import JellyfinAPI
import JellyfortCore

struct DirectPortClosedControl: AwaitingCollectorControl {
    static let description = ControlDescription(
        id: "proxy.direct-port-closed", title: "Jellyfin's own ports are closed to the outside", guideItem: 4, severity: .high,
        rationale: "If 8096/8920 (or discovery on 7359/1900) answer from outside, the proxy, its TLS and its filters can simply be walked around.",
        remediation: Remediation("Publish Jellyfin on loopback only: PublishPort=127.0.0.1:8096:8096."),
        evidence: [.probe, .host])
}
