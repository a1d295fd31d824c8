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
            "Give every account a password (jellyfort harden --set-missing-passwords); rotate the administrator's to a generated one "
                + "(jellyfort harden --rotate-admin-password).",
            fixable: true),
        evidence: [.api])

    static let examples = [
        ControlExample("everyone has one: strength unknowable", .unknown, Sample.evidence()),
        ControlExample(
            "an administrator without a password", .fail,
            Sample.evidence(Sample.view(version: "10.11.11", users: [Sample.admin { $0.hasPassword = false }, Sample.viewer()]))),
        ControlExample(
            "a viewer without a password: its own finding, high not critical", .fail,
            Sample.evidence(Sample.view(version: "10.11.11", users: [Sample.admin(), Sample.viewer { $0.hasPassword = false }]))),
        ControlExample("no credential", .unknown, Sample.evidence(nil)),
    ]

    /// About administrators first: an administrator without a password is critical; other
    /// accounts without one are their own finding, of high severity, so that the control's
    /// status does not make a viewer's empty password look like an administrator's.
    static func evaluate(_ evidence: Evidence) -> Verdict {
        evidence.withServerView { view in
            let twelve = view.version.flatMap(JellyfinVersion.init)?.isTwelveOrLater ?? false
            if !twelve {
                let empty = view.users.filter { $0.hasPassword == false && !$0.isDisabled }
                let admins = empty.filter(\.isAdministrator)
                let others = empty.filter { !$0.isAdministrator }
                let findings =
                    admins.map { Finding.user($0, "administrator without a password", ["HasPassword": false]) }
                    + others.map {
                        Finding.user(
                            $0, "not an administrator, but without a password: anyone who knows the name signs in", ["HasPassword": false])
                    }
                if !admins.isEmpty {
                    return .fail("\(plural(admins.count, "administrator")) can sign in with an empty password", findings: findings)
                }
                if !others.isEmpty {
                    return .fail(
                        "every administrator has a password, but \(plural(others.count, "other account")) can sign in with an empty one",
                        findings: findings, severity: .high)
                }
            }
            let note = twelve ? "12.x no longer reports which accounts lack a password; " : "every account has a password; "
            return .unknown(
                note + "their strength cannot be read from a server (jellyfort password generate makes a strong one, "
                    + "jellyfort password rate checks yours)")
        }
    }
}

extension AdminPasswordControl: FixableControl {
    static func plan(_ evidence: Evidence, options: FixOptions) -> FixPlan {
        evidence.planWithServerView { view in
            var plan = FixPlan()
            let emptyAdmins = view.enabledAdministrators.filter { $0.hasPassword == false }
            let emptyOthers = view.enabledUsers.filter { $0.hasPassword == false && !$0.isAdministrator }
            var targets: [UserFacts] = []
            if options.rotateAdminPassword {
                targets += view.enabledAdministrators
            } else if !emptyAdmins.isEmpty {
                plan.skipped.append(
                    "\(plural(emptyAdmins.count, "administrator")) without a password: set new ones with --rotate-admin-password")
            }
            if options.setMissingPasswords {
                targets += emptyOthers
            } else if !emptyOthers.isEmpty {
                plan.skipped.append(
                    "\(plural(emptyOthers.count, "account")) without a password: give each a generated one with --set-missing-passwords")
            }
            guard !targets.isEmpty else { return plan }
            plan.changes = targets.map {
                FixChange(
                    .authAdminPassword, .userPassword(userId: $0.id, name: $0.name), "Password",
                    from: $0.hasPassword == false ? "(none)" : "(current)",
                    to: "(generated, 142 bits, written to a 0600 file)")
            }
            plan.notes = [
                "New passwords are written to 0600 files in the run's folder; sign in with them and store them in your password manager."
            ]
            return plan
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
            }(), after: .unknown),
        FixExample(
            "a viewer without a password, --set-missing-passwords",
            Sample.evidence(Sample.view(version: "10.11.11", users: [Sample.admin(), Sample.viewer { $0.hasPassword = false }])),
            options: {
                var options = FixOptions()
                options.setMissingPasswords = true
                return options
            }(), after: .unknown),
    ]
}
