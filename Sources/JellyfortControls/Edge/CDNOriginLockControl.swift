import JellyfinAPI
import JellyfortCore

/// Guide item 15.
struct CDNOriginLockControl: Control {
    static let description = ControlDescription(
        id: "edge.cdn-origin-lock", title: "Behind a CDN, the origin answers only the CDN", guideItem: 15, severity: .high,
        rationale: "A CDN in front hides and shields the origin only if the origin refuses everyone else on 443 and trusts forwarded headers only from the CDN's published ranges; otherwise attackers go straight to the origin and forge their address.",
        remediation: Remediation("Allow 443 only from the CDN's ranges in the firewall and trust only them in Caddy (trusted_proxies); jellyfort deploy --cdn cloudflare writes both."),
        evidence: [.host, .probe])

    static let examples = [
        ControlExample("no CDN declared", .notApplicable, Sample.evidence()),
        ControlExample("CDN declared, origin not examined", .unknown, Sample.evidence(settings: { $0.cdn = "cloudflare" })),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        guard evidence.settings.cdn != nil else { return .notApplicable("no CDN declared (--cdn cloudflare)") }
        return Evidence.needsHostOrProbe(description.evidence, given: evidence.settings)
    }
}
