import JellyfortBase
import JellyfortCore

struct RemoteControlControl: Control {
    static let description = ControlDescription(
        id: .usersRemoteControl, title: "Media users cannot control others' sessions", guideItem: nil, severity: .low,
        rationale:
            "EnableRemoteControlOfOtherUsers lets a user see and drive everyone's sessions: what they watch, "
            + "from where, and what plays next.",
        remediation: Remediation("Turn off EnableRemoteControlOfOtherUsers for non-administrators (jellyfort harden).", fixable: true),
        evidence: [.api])

    static let examples = [
        ControlExample("off", .pass, Sample.evidence()),
        ControlExample(
            "on for a viewer", .fail,
            Sample.evidence(Sample.view(users: [Sample.admin(), Sample.viewer { $0.enableRemoteControlOfOtherUsers = true }]))),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        evidence.withServerView { view in
            let users = view.users.filter { !$0.isAdministrator && !$0.isDisabled && $0.enableRemoteControlOfOtherUsers }
            guard !users.isEmpty else { return .pass("no media user can control other users' sessions") }
            return .fail(
                "\(plural(users.count, "media user")) can control other users' sessions",
                findings: users.map {
                    Finding.user($0, "EnableRemoteControlOfOtherUsers is on", ["EnableRemoteControlOfOtherUsers": true])
                })
        }
    }
}

extension RemoteControlControl: FixableControl {
    static func plan(_ evidence: Evidence, options: FixOptions) -> FixPlan {
        evidence.planWithServerView { view in
            FixPlan(
                changes: view.mediaUsers.filter(\.enableRemoteControlOfOtherUsers).map {
                    .policy(.usersRemoteControl, $0, "EnableRemoteControlOfOtherUsers", from: true, to: false)
                })
        }
    }

    static let fixExamples = [
        FixExample(
            "a viewer controls others",
            Sample.evidence(Sample.view(users: [Sample.admin(), Sample.viewer { $0.enableRemoteControlOfOtherUsers = true }])))
    ]
}
