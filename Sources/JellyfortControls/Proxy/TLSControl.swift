import JellyfinAPI
import JellyfortCore

struct TLSControl: AwaitingCollectorControl {
    static let description = ControlDescription(
        id: "proxy.tls", title: "Jellyfin is served over HTTPS only", guideItem: 4, severity: .high,
        rationale: "Passwords and tokens cross the internet on every sign-in and request. Plain HTTP, an invalid or expiring certificate, missing HSTS or TLS older than 1.2 expose them.",
        remediation: Remediation("Put Caddy in front with automatic HTTPS and HSTS (the Caddyfile from jellyfort deploy)."),
        evidence: [.probe, .host])
}
