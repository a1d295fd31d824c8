import JellyfortBase
import JellyfortCore

struct UserEnumerationControl: AwaitingCollectorControl {
    static let description = ControlDescription(
        id: .loginUserEnumeration, title: "Sign-in answers do not reveal account names", guideItem: nil, severity: .info,
        rationale: "A 403 instead of a 401 for a wrong password tells an attacker the account exists (disabled, remote-blocked or locked).",
        remediation: Remediation("Hide users, rename the administrator, and ban guessers by IP so the difference is worth little."),
        evidence: [.probe])
}
