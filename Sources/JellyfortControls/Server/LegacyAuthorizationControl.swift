import JellyfortBase
import JellyfortCore

struct LegacyAuthorizationControl: Control {
    static let description = ControlDescription(
        id: .serverLegacyAuth, title: "Legacy token transports are off", guideItem: nil, severity: .low,
        rationale:
            "With legacy authorization on (the 10.11 default), tokens are also accepted in X-Emby-Token "
            + "headers and ?api_key= query strings, which end up in proxy logs, browser history and referrers.",
        remediation: Remediation(
            "Set EnableLegacyAuthorization to false (jellyfort harden does it; 12.0 does it on upgrade). "
                + "Update clients that still send X-Emby-Token.",
            fixable: true),
        evidence: [.api])

    static let examples = [
        ControlExample("off", .pass, Sample.evidence()),
        ControlExample(
            "on", .fail, Sample.evidence(Sample.view { $0.configuration = .observed(ConfigurationFacts(enableLegacyAuthorization: true)) })),
        ControlExample("no credential", .unknown, Sample.evidence(nil)),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        evidence.withServerView { view in
            view.configuration.decide("the server configuration") { configuration in
                configuration.enableLegacyAuthorization
                    ? .fail(
                        "tokens are accepted in legacy headers and api_key query strings",
                        findings: [
                            Finding(
                                subject: "config:server", message: "EnableLegacyAuthorization is true",
                                evidence: ["EnableLegacyAuthorization": true])
                        ])
                    : .pass("only the Authorization header and ApiKey are accepted")
            }
        }
    }
}

extension LegacyAuthorizationControl: FixableControl {
    static func plan(_ evidence: Evidence, options: FixOptions) -> FixPlan {
        guard evidence.api.value?.configuration.value?.enableLegacyAuthorization == true else { return .nothing }
        return FixPlan(changes: [FixChange(.serverLegacyAuth, .serverConfiguration, "EnableLegacyAuthorization", from: true, to: false)])
    }

    static let fixExamples = [
        FixExample("on", Sample.evidence(Sample.view { $0.configuration = .observed(ConfigurationFacts(enableLegacyAuthorization: true)) }))
    ]
}
