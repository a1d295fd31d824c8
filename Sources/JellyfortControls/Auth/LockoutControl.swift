import JellyfortBase
import JellyfortCore

/// Guide item 11.
struct LockoutControl: Control {
    static let description = ControlDescription(
        id: .authLockout, title: "Accounts lock after a few wrong passwords", guideItem: 11, severity: .high,
        rationale:
            "Without lockout, anyone can try passwords forever. Jellyfin's lockout (-1 off; 0 means 3) "
            + "disables the account until an administrator re-enables it. On 10.11.11 the lockout is logged "
            + "but never saved, so it does not protect anything there.",
        remediation: Remediation(
            "Set LoginAttemptsBeforeLockout to 5 for every user (jellyfort harden --lockout 5), add IP bans "
                + "(fail2ban or CrowdSec, configured by jellyfort deploy), and on 10.11.11 upgrade to 12.x.",
            fixable: true),
        evidence: [.api])

    static let examples = [
        ControlExample("5 for everyone on 12.1", .pass, Sample.evidence()),
        ControlExample(
            "10 is still within the line", .pass, Sample.evidence(Sample.view(users: [Sample.admin { $0.loginAttemptsBeforeLockout = 10 }]))
        ),
        ControlExample(
            "a stricter line from jellyfort.yml", .fail,
            Sample.evidence(
                Sample.view(users: [Sample.admin { $0.loginAttemptsBeforeLockout = 10 }]),
                settings: { $0.thresholds.lockoutMaxAttempts = 5 })),
        ControlExample(
            "below -1 locks on the first failure", .pass,
            Sample.evidence(Sample.view(users: [Sample.admin { $0.loginAttemptsBeforeLockout = -4 }]))),
        ControlExample(
            "off for a user", .fail,
            Sample.evidence(Sample.view(users: [Sample.admin(), Sample.viewer { $0.loginAttemptsBeforeLockout = -1 }]))),
        ControlExample(
            "too many attempts allowed", .fail, Sample.evidence(Sample.view(users: [Sample.admin { $0.loginAttemptsBeforeLockout = 50 }]))),
        ControlExample("configured on 10.11.11, which does not enforce it", .fail, Sample.evidence(Sample.view(version: "10.11.11"))),
        ControlExample("0 means 3", .pass, Sample.evidence(Sample.view(users: [Sample.admin { $0.loginAttemptsBeforeLockout = 0 }]))),
    ]

    /// Accounts that can be guessed at without limit: lockout off, or laxer than the threshold.
    /// Values below -1 lock on the first failure (Jellyfin checks `count >= max`), so they pass.
    static func laxAccounts(_ view: ServerView, threshold: Int) -> [UserFacts] {
        view.enabledUsers.filter { $0.loginAttemptsBeforeLockout == -1 || $0.loginAttemptsBeforeLockout > threshold }
    }

    /// Jellyfin 10.11.11 logs a lockout but never saves it (jellyfin#17278).
    static func lockoutIsIgnored(_ view: ServerView) -> Bool {
        view.version.flatMap(JellyfinVersion.init) == JellyfinVersion(10, 11, 11)
    }

    static func evaluate(_ evidence: Evidence) -> Verdict {
        let threshold = evidence.settings.thresholds.lockoutMaxAttempts
        return evidence.withServerView { view in
            let active = view.enabledUsers
            let weak = laxAccounts(view, threshold: threshold)
            var findings = weak.map { user in
                Finding.user(
                    user,
                    user.loginAttemptsBeforeLockout == -1
                        ? "lockout is off" : "\(user.loginAttemptsBeforeLockout) attempts before lockout (more than \(threshold))",
                    ["LoginAttemptsBeforeLockout": .int(Int64(user.loginAttemptsBeforeLockout))])
            }
            if lockoutIsIgnored(view) {
                findings.append(
                    Finding(
                        subject: "server", message: "Jellyfin 10.11.11 never saves a lockout (jellyfin#17278): the policy is ignored",
                        evidence: ["Version": "10.11.11"]))
                return .fail(
                    "lockout is not enforced on Jellyfin "
                        + "10.11.11\(weak.isEmpty ? "" : ", and \(count(weak.count, of: active.count, "user")) \(weak.count == 1 ? "has" : "have") it off or too high")",
                    findings: findings)
            }
            guard weak.isEmpty else {
                return .fail(
                    "\(count(weak.count, of: active.count, "user")) can try passwords without being locked out", findings: findings)
            }
            return .pass("every account locks after at most \(threshold) wrong passwords")
        }
    }
}

extension LockoutControl: FixableControl {
    static func plan(_ evidence: Evidence, options: FixOptions) -> FixPlan {
        evidence.planWithServerView { view in
            var plan = FixPlan()
            let admins = view.enabledAdministrators
            for user in laxAccounts(view, threshold: evidence.settings.thresholds.lockoutMaxAttempts) {
                if user.isAdministrator, admins.count == 1, user.enableRemoteAccess, !options.acceptedRisks.contains(.adminLockout) {
                    plan.skipped.append(
                        "\(user.name) is the only administrator and can still sign in from outside: a lockout (no timed "
                            + "unlock) would let anyone who knows the name lock you out; turn its remote access off first, or "
                            + "pass --accept-risk admin-lockout"
                    )
                    continue
                }
                plan.changes.append(
                    .policy(
                        .authLockout, user, "LoginAttemptsBeforeLockout", from: .int(Int64(user.loginAttemptsBeforeLockout)),
                        to: .int(Int64(options.lockout))))
            }
            if !plan.changes.isEmpty {
                plan.notes.append(
                    "A locked-out account stays disabled until an administrator re-enables it: jellyfort unlock USER "
                        + "--server URL (an API key is not affected by lockout)."
                )
            }
            if lockoutIsIgnored(view) {
                plan.notes.append(
                    "Jellyfin 10.11.11 does not enforce lockout (it never saves it, jellyfin#17278): the setting is "
                        + "stored for when you upgrade to 12.x; until then ban guessers by IP (fail2ban or CrowdSec)."
                )
            }
            return plan
        }
    }

    static let fixExamples = [
        FixExample(
            "off for everyone",
            Sample.evidence(
                Sample.view(users: [
                    Sample.admin { $0.loginAttemptsBeforeLockout = -1 }, Sample.viewer { $0.loginAttemptsBeforeLockout = -1 },
                ]))),
        FixExample(
            "50 attempts", Sample.evidence(Sample.view(users: [Sample.admin { $0.loginAttemptsBeforeLockout = 50 }, Sample.viewer()]))),
        FixExample(
            "the only admin still reachable from outside: refused",
            Sample.evidence(
                Sample.view(users: [
                    Sample.admin {
                        $0.loginAttemptsBeforeLockout = -1
                        $0.enableRemoteAccess = true
                    }, Sample.viewer(),
                ])), after: .fail),
        FixExample(
            "on 10.11.11 nothing the policy says helps",
            Sample.evidence(
                Sample.view(version: "10.11.11", users: [Sample.admin { $0.loginAttemptsBeforeLockout = -1 }, Sample.viewer()])),
            after: .fail),
    ]
}
