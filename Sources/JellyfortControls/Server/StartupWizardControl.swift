import JellyfortBase
import JellyfortCore

/// An unfinished startup wizard lets anyone who reaches the server create the administrator.
struct StartupWizardControl: Control {
    static let description = ControlDescription(
        id: .serverStartupWizard, title: "The startup wizard is finished", guideItem: nil, severity: .critical,
        rationale:
            "Until the wizard is completed, /Startup/User and the other setup endpoints answer anyone: "
            + "whoever reaches the server first picks the administrator's name and password.",
        remediation: Remediation("Finish the setup wizard in the web interface now, from the LAN, before exposing the server."),
        evidence: [.anon, .probe])

    static let examples = [
        ControlExample("wizard completed", .pass, Sample.evidence()),
        ControlExample("wizard open", .fail, Sample.evidence(anonymous: Sample.anonymous { $0.wizardCompleted = false })),
        ControlExample("old server that does not say", .unknown, Sample.evidence(anonymous: Sample.anonymous { $0.wizardCompleted = nil })),
        ControlExample("no server", .unknown, Sample.nothing),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        let verdict = fromServer(evidence)
        guard verdict.status == .fail, let open = evidence.probe.value?.exposure.first(where: { $0.kind == .wizard }) else {
            return verdict
        }
        var probed = verdict
        probed.findings.append(
            .probe(
                evidence.probe.value?.name ?? "", open.exchange,
                open.exposed
                    ? "the wizard's API answers from outside"
                    : "from outside the wizard's API is refused (\(open.exchange.got)); finish it from the LAN"))
        return probed
    }

    static func fromServer(_ evidence: Evidence) -> Verdict {
        evidence.withAnonymousView { view in
            switch view.wizardCompleted {
            case true?: .pass("the startup wizard is complete")
            case false?:
                .fail(
                    "the startup wizard is open: anyone who reaches the server can create its administrator",
                    findings: [
                        Finding(
                            subject: "server", message: "StartupWizardCompleted is false in /System/Info/Public",
                            evidence: ["StartupWizardCompleted": false])
                    ])
            case nil: .unknown("the server does not report whether its startup wizard is complete")
            }
        }
    }
}
