import JellyfinAPI
import JellyfortCore

struct LogRedactionControl: AwaitingCollectorControl {
    static let description = ControlDescription(
        id: "proxy.log-redaction", title: "Proxy logs do not keep tokens", guideItem: nil, severity: .low,
        rationale: "Clients still put api_key / ApiKey in query strings; an access log that keeps them is a file of working administrator tokens.",
        remediation: Remediation("Redact api_key and ApiKey in the proxy's access log (the Caddyfile from jellyfort deploy does)."),
        evidence: [.host])
}
