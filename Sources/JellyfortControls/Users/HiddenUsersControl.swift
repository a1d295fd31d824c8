import JellyfortBase
import JellyfortCore

/// Guide item 10: nobody is listed on the login screen.
struct HiddenUsersControl: Control {
    static let description = ControlDescription(
        id: .loginHiddenUsers, title: "Users are hidden from the login screen", guideItem: 10, severity: .medium,
        rationale:
            "The login screen lists every visible user to anyone, with their whole policy. That hands an "
            + "attacker the account names to guess passwords for, and the administrator's among them. Hidden "
            + "users still sign in by typing their name.",
        remediation: Remediation("Set IsHidden=true for every user (jellyfort harden).", fixable: true),
        evidence: [.api, .anon])

    static let examples = [
        ControlExample("all hidden", .pass, Sample.evidence()),
        ControlExample(
            "a visible user", .fail, Sample.evidence(Sample.view(users: [Sample.admin(), Sample.viewer { $0.isHidden = false }]))),
        ControlExample(
            "anonymous list shows someone", .fail,
            Sample.evidence(nil, anonymous: Sample.anonymous { $0.publicUsers = [.init(name: "admin", isAdministrator: true)] })),
        ControlExample("anonymous only and empty list", .pass, Sample.evidence(nil, anonymous: Sample.anonymous())),
        ControlExample("nothing", .unknown, Sample.nothing),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        let publicUsers = evidence.anonymous.value?.publicUsers
        var findings: [Finding] = []
        if let view = evidence.api.value {
            findings += view.users.filter { !$0.isHidden && !$0.isDisabled }.map {
                Finding.user(
                    $0, $0.isAdministrator ? "administrator shown on the login screen" : "shown on the login screen", ["IsHidden": false])
            }
        }
        var listed = Set(findings.map(\.subject))
        for user in publicUsers ?? [] where listed.insert("user:\(user.name)").inserted {
            findings.append(
                Finding(
                    subject: "user:\(user.name)", message: "listed by anonymous GET /Users/Public",
                    evidence: ["IsAdministrator": .bool(user.isAdministrator)]))
        }
        if !findings.isEmpty {
            let shown = publicUsers.map { "; the login screen shows \($0.count) to anyone" } ?? ""
            return .fail("\(plural(findings.count, "user")) visible\(shown)", findings: findings)
        }
        if evidence.api.value != nil || publicUsers != nil { return .pass("no user is listed on the login screen") }
        return .unknown(MissingInput.sentence(for: [.anon, .api], in: evidence))
    }
}

extension HiddenUsersControl: FixableControl {
    static func plan(_ evidence: Evidence, options: FixOptions) -> FixPlan {
        evidence.planWithServerView { view in
            FixPlan(
                changes: view.enabledUsers.filter { !$0.isHidden }.map { .policy(.loginHiddenUsers, $0, "IsHidden", from: false, to: true) }
            )
        }
    }

    static let fixExamples = [
        FixExample(
            "an admin and a viewer on the login screen",
            Sample.evidence(
                Sample.view(users: [Sample.admin { $0.isHidden = false }, Sample.viewer { $0.isHidden = false }]),
                anonymous: Sample.anonymous {
                    $0.publicUsers = [.init(name: "quill-keeper", isAdministrator: true), .init(name: "mira", isAdministrator: false)]
                }))
    ]
}
