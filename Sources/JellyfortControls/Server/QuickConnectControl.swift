import JellyfortBase
import JellyfortCore

struct QuickConnectControl: Control {
    static let description = ControlDescription(
        id: .serverQuickConnect, title: "Quick Connect is off unless wanted", guideItem: nil, severity: .info,
        rationale:
            "Quick Connect is a second way to sign in (a code approved from a signed-in device). It is "
            + "convenient for TVs; when nobody uses it, it is one more door.",
        remediation: Remediation(
            "Turn Quick Connect off in Dashboard → General if nobody uses it; otherwise suppress this control with a reason."),
        evidence: [.api, .anon])

    static let examples = [
        ControlExample("off", .pass, Sample.evidence()),
        ControlExample(
            "on", .warn, Sample.evidence(Sample.view { $0.configuration = .observed(ConfigurationFacts(quickConnectAvailable: true)) })),
        ControlExample(
            "anonymous view says on", .warn, Sample.evidence(nil, anonymous: Sample.anonymous { $0.quickConnectEnabled = true })),
        ControlExample("nothing", .unknown, Sample.nothing),
        ControlExample(
            "on, and it answers from outside", .warn,
            {
                var evidence = Sample.evidence(
                    Sample.view { $0.configuration = .observed(ConfigurationFacts(quickConnectAvailable: true)) })
                evidence.probe = .observed(Sample.probe { $0.exposure[2].exposed = true })
                return evidence
            }()),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        let enabled = evidence.api.value?.configuration.value?.quickConnectAvailable ?? evidence.anonymous.value?.quickConnectEnabled
        switch enabled {
        case true?:
            let outside = evidence.probe.value.flatMap { probe in
                probe.exposure.first { $0.kind == .quickConnect && $0.exposed }.map {
                    Finding.probe(probe.name, $0.exchange, "Quick Connect answers from outside")
                }
            }
            return .warn(
                "Quick Connect is on: a second sign-in path",
                findings: [
                    Finding(subject: "config:server", message: "QuickConnectAvailable is true", evidence: ["QuickConnectAvailable": true])
                ] + [outside].compactMap { $0 })
        case false?: return .pass("Quick Connect is off")
        case nil: return evidence.withAnonymousView { _ in .unknown("the server did not say whether Quick Connect is on") }
        }
    }
}
