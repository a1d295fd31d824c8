import JellyfortBase
import JellyfortCore

struct LogRedactionControl: Control {
    static let description = ControlDescription(
        id: .proxyLogRedaction, title: "Proxy logs do not keep tokens", guideItem: nil, severity: .low,
        rationale:
            "Clients still put api_key / ApiKey in query strings; an access log that keeps them is a file of working administrator tokens.",
        remediation: Remediation("Redact api_key and ApiKey in the proxy's access log (the Caddyfile from jellyfort deploy does)."),
        evidence: [.host])

    static let examples = [
        ControlExample("both spellings redacted", .pass, Sample.deployment()),
        ControlExample(
            "no access log at all", .pass,
            Sample.deployment {
                $0.proxies = [
                    Sample.site {
                        $0.logsAccess = false
                        $0.redactedQueryParameters = []
                    }
                ]
            }),
        ControlExample(
            "access log keeps tokens", .fail, Sample.deployment { $0.proxies = [Sample.site { $0.redactedQueryParameters = [] }] }),
        ControlExample(
            "only one spelling", .fail, Sample.deployment { $0.proxies = [Sample.site { $0.redactedQueryParameters = ["api_key"] }] }),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        evidence.withJellyfinSites { sites, _ in
            let leaking = sites.filter { $0.logsAccess && !$0.logRedactsTokens }
            guard leaking.isEmpty else {
                return .fail(
                    "the access log keeps API keys from query strings",
                    findings: leaking.map {
                        .at(
                            $0.location, "log without a filter replacing both api_key and ApiKey",
                            ["redacted": JSONValue($0.redactedQueryParameters)])
                    })
            }
            return .pass(sites.contains(where: \.logsAccess) ? "the access log redacts api_key and ApiKey" : "no access log is kept")
        }
    }
}
