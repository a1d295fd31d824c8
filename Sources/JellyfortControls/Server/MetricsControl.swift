import JellyfortBase
import JellyfortCore

struct MetricsControl: Control {
    static let description = ControlDescription(
        id: .serverMetrics, title: "Metrics are not public", guideItem: nil, severity: .medium,
        rationale:
            "With EnableMetrics on, Jellyfin serves /metrics to anyone without authentication: user counts, "
            + "library sizes and activity that help an attacker plan.",
        remediation: Remediation(
            "Turn EnableMetrics off, or block /metrics at the proxy (the Caddyfile from jellyfort deploy does).", fixable: true),
        evidence: [.api, .anon])

    static let examples = [
        ControlExample("off", .pass, Sample.evidence()),
        ControlExample(
            "on and answering anonymously", .fail,
            Sample.evidence(
                Sample.view { $0.configuration = .observed(ConfigurationFacts(enableMetrics: true)) },
                anonymous: Sample.anonymous { $0.metricsStatus = 200 })),
        ControlExample(
            "anonymous /metrics answers without a credential to tell why", .fail,
            Sample.evidence(nil, anonymous: Sample.anonymous { $0.metricsStatus = 200 })),
        ControlExample("nothing to go on", .unknown, Sample.nothing),
        ControlExample(
            "probe: /metrics answers from outside", .fail,
            Sample.probed {
                $0.exposure[1] = .init(kind: .metrics, exchange: Sample.exchange("GET /metrics", "HTTP 200", status: 200), exposed: true)
            }),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        if let probe = evidence.probe.value, let metrics = probe.exposure.first(where: { $0.kind == .metrics }), metrics.exposed {
            return .fail(
                "/metrics answers anyone on the internet without authentication",
                findings: [.probe(probe.name, metrics.exchange, "an anonymous GET /metrics from outside got the metrics")])
        }
        let enabled = evidence.api.value?.configuration.value?.enableMetrics
        let status = evidence.anonymous.value?.metricsStatus
        if status == 200 {
            return .fail(
                "/metrics answers anyone without authentication",
                findings: [
                    Finding(
                        subject: "config:server", message: "anonymous GET /metrics returned 200",
                        evidence: ["EnableMetrics": enabled.map { .bool($0) } ?? .null, "status": 200])
                ])
        }
        switch enabled {
        case true?:
            return .fail(
                "EnableMetrics is on: /metrics is served without authentication unless the proxy blocks it",
                findings: [Finding(subject: "config:server", message: "EnableMetrics is true", evidence: ["EnableMetrics": true])])
        case false?:
            return .pass("metrics are off")
        case nil:
            if let status { return .pass("anonymous /metrics answered \(status), not the metrics") }
            return .unknown(MissingInput.sentence(for: [.anon, .api], in: evidence))
        }
    }
}

extension MetricsControl: FixableControl {
    static func plan(_ evidence: Evidence, options: FixOptions) -> FixPlan {
        guard evidence.api.value?.configuration.value?.enableMetrics == true else { return .nothing }
        return FixPlan(changes: [FixChange(.serverMetrics, .serverConfiguration, "EnableMetrics", from: true, to: false)])
    }

    static let fixExamples = [
        FixExample(
            "on and answering anonymously",
            Sample.evidence(
                Sample.view { $0.configuration = .observed(ConfigurationFacts(enableMetrics: true)) },
                anonymous: Sample.anonymous { $0.metricsStatus = 200 }))
    ]
}
