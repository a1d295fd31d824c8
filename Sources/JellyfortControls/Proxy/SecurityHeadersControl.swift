import JellyfinAPI
import JellyfortCore

struct SecurityHeadersControl: AwaitingCollectorControl {
    static let description = ControlDescription(
        id: "proxy.security-headers", title: "The proxy sends security headers", guideItem: nil, severity: .low,
        rationale: "HSTS, X-Content-Type-Options, Referrer-Policy and a frame policy close whole classes of browser attacks; a Server or X-Powered-By header advertises what to attack.",
        remediation: Remediation("Use the header block of the Caddyfile from jellyfort deploy."),
        evidence: [.probe, .host])
}
