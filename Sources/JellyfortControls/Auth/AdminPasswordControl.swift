import JellyfinAPI
import JellyfortCore

/// Guide item 7. A server never reveals password strength, so this control can only catch
/// accounts with no password at all (10.x); otherwise it says it cannot know.
struct AdminPasswordControl: Control {
    static let description = ControlDescription(
        id: "auth.admin-password", title: "Every account has a password; the admin's is strong", guideItem: 7, severity: .critical,
        rationale: "An account without a password signs in with an empty one. A server cannot tell how strong a password is, and Jellyfort never guesses passwords against your server; it generates and rates them locally instead.",
        remediation: Remediation("Give every account a password; rotate the administrator's to a generated one (jellyfort harden --rotate-admin-password, or jellyfort password generate).", fixable: true),
        evidence: [.api])

    static let examples = [
        ControlExample("everyone has one: strength unknowable", .unknown, Sample.evidence()),
        ControlExample("a user without a password", .fail, Sample.evidence(Sample.view(version: "10.11.11", users: [Sample.admin(), Sample.viewer { $0.hasPassword = false }]))),
        ControlExample("no credential", .unknown, Sample.evidence(nil)),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        evidence.withServerView { view in
            let twelve = view.version.flatMap(JellyfinVersion.init)?.isTwelveOrLater ?? false
            if !twelve {
                let empty = view.users.filter { $0.hasPassword == false && !$0.isDisabled }
                if !empty.isEmpty {
                    return .fail("\(plural(empty.count, "account")) can sign in with an empty password", findings: empty.map {
                        Finding.user($0, $0.isAdministrator ? "administrator without a password" : "no password: anyone who knows the name signs in", ["HasPassword": false])
                    })
                }
            }
            let note = twelve ? "12.x no longer reports which accounts lack a password; " : "every account has a password; "
            return .unknown(note + "their strength cannot be read from a server (rate yours with jellyfort password rate)")
        }
    }
}
