import JellyfinAPI
import JellyfortCore

struct ObscureDomainControl: AwaitingCollectorControl {
    static let description = ControlDescription(
        id: "proxy.obscure-domain", title: "The site name is not guessable", guideItem: 6, severity: .low,
        rationale: "Scanners try jellyfin., media., watch. and friends on every domain, and every certificate name is public in Certificate Transparency logs. An unguessable name behind a wildcard certificate, with a catch-all that answers nothing for unknown names and bare IPs, keeps the server out of the first round.",
        remediation: Remediation("Use an unguessable subdomain with a wildcard certificate (DNS-01) and a catch-all site that aborts (jellyfort deploy)."),
        evidence: [.probe, .host])
}
