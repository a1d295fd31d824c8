import JellyfortBase
import JellyfortCore

struct CORSControl: Control {
    static let description = ControlDescription(
        id: .networkCORS, title: "Cross-origin requests are not open to every site", guideItem: nil, severity: .low,
        rationale: "CorsHosts [\"*\"] (the default) lets any web page your users visit call your server's API from their browser.",
        remediation: Remediation("Set CorsHosts to the origins that need it (your own domain), in Dashboard → Networking."),
        evidence: [.api])

    static let examples = [
        ControlExample("own origin", .pass, Sample.evidence()),
        ControlExample(
            "wildcard", .fail, Sample.evidence(Sample.view { $0.configuration = .observed(ConfigurationFacts(corsHosts: ["*"])) })),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        evidence.withServerView { view in
            view.configuration.decide("the server configuration") { configuration in
                configuration.corsHosts.contains("*")
                    ? .fail(
                        "any web site may call the API from a visitor's browser",
                        findings: [
                            Finding(
                                subject: "config:server", message: "CorsHosts contains *",
                                evidence: ["CorsHosts": JSONValue(configuration.corsHosts)])
                        ])
                    : .pass(
                        configuration.corsHosts.isEmpty
                            ? "no cross-origin access" : "cross-origin access only for \(configuration.corsHosts.joined(separator: ", "))")
            }
        }
    }
}
