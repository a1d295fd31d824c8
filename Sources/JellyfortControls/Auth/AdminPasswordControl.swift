import JellyfortBase
import JellyfortCore

/// Guide item 7. A server never reveals password strength, so this control can only catch
/// accounts with no password at all (10.x); otherwise it says it cannot know.
struct AdminPasswordControl: Control {
    static let description = ControlDescription(
        id: .authAdminPassword, title: "Every account has a password; the admin's is strong", guideItem: 7, severity: .critical,
        rationale:
            "An account without a password signs in with an empty one. A server cannot tell how strong a "
            + "password is, and Jellyfort never guesses passwords against your server; it generates and rates "
            + "them locally instead.",
        remediation: Remediation(
            "Give every account a password; rotate the administrator's to a generated one (jellyfort harden --rotate-admin-password).",
            fixable: true),
        evidence: [.api])

    static let examples = [
        ControlExample("everyone has one: strength unknowable", .unknown, Sample.evidence()),
        ControlExample(
            "a user without a password", .fail,
            Sample.evidence(Sample.view(version: "10.11.11", users: [Sample.admin(), Sample.viewer { $0.hasPassword = false }]))),
        ControlExample("no credential", .unknown, Sample.evidence(nil)),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        evidence.withServerView { view in
            let twelve = view.version.flatMap(JellyfinVersion.init)?.isTwelveOrLater ?? false
            if !twelve {
                let empty = view.users.filter { $0.hasPassword == false && !$0.isDisabled }
                if !empty.isEmpty {
                    return .fail(
                        "\(plural(empty.count, "account")) can sign in with an empty password",
                        findings: empty.map {
                            Finding.user(
                                $0,
                                $0.isAdministrator ? "administrator without a password" : "no password: anyone who knows the name signs in",
                                ["HasPassword": false])
                        })
                }
            }
            let note = twelve ? "12.x no longer reports which accounts lack a password; " : "every account has a password; "
            return .unknown(note + "their strength cannot be read from a server (use a long generated one from a password manager)")
        }
    }
}

extension AdminPasswordControl: FixableControl {
    static func plan(_ evidence: Evidence, options: FixOptions) -> FixPlan {
        evidence.planWithServerView { view in
            guard options.rotateAdminPassword else {
                let empty = view.enabledAdministrators.filter { $0.hasPassword == false }
                return empty.isEmpty
                    ? .nothing
                    : FixPlan(skipped: [
                        "\(plural(empty.count, "administrator")) without a password: set new ones with --rotate-admin-password"
                    ])
            }
            return FixPlan(
                changes: view.enabledAdministrators.map {
                    FixChange(
                        .authAdminPassword, .userPassword(userId: $0.id, name: $0.name), "Password", from: "(current)",
                        to: "(generated, 142 bits, written to a 0600 file)")
                },
                notes: [
                    "New passwords are written to 0600 files in the run's folder; sign in with them and store them "
                        + "in your password manager."
                ])
        }
    }

    static let fixExamples = [
        // A strong password still cannot be proven from the server: after rotation the verdict is unknown, not fail.
        FixExample(
            "an admin without a password, rotation asked",
            Sample.evidence(Sample.view(version: "10.11.11", users: [Sample.admin { $0.hasPassword = false }, Sample.viewer()])),
            options: {
                var options = FixOptions()
                options.rotateAdminPassword = true
                return options
            }(), after: .unknown)
    ]
}
