import JellyfinAPI
import JellyfortCore

/// Guide item 11.
struct LockoutControl: Control {
    static let description = ControlDescription(
        id: "auth.lockout", title: "Accounts lock after a few wrong passwords", guideItem: 11, severity: .high,
        rationale: "Without lockout, anyone can try passwords forever. Jellyfin's lockout (-1 off; 0 means 3) disables the account until an administrator re-enables it. On 10.11.11 the lockout is logged but never saved, so it does not protect anything there.",
        remediation: Remediation("Set LoginAttemptsBeforeLockout to 5 or less for every user (jellyfort harden --lockout 5), add IP bans (jellyfort watch, fail2ban or CrowdSec), and on 10.11.11 upgrade to 12.x.", fixable: true),
        evidence: [.api])

    static let examples = [
        ControlExample("5 for everyone on 12.1", .pass, Sample.evidence()),
        ControlExample("off for a user", .fail, Sample.evidence(Sample.view(users: [Sample.admin(), Sample.viewer { $0.loginAttemptsBeforeLockout = -1 }]))),
        ControlExample("too many attempts allowed", .fail, Sample.evidence(Sample.view(users: [Sample.admin { $0.loginAttemptsBeforeLockout = 50 }]))),
        ControlExample("configured on 10.11.11, which does not enforce it", .fail, Sample.evidence(Sample.view(version: "10.11.11"))),
        ControlExample("0 means 3", .pass, Sample.evidence(Sample.view(users: [Sample.admin { $0.loginAttemptsBeforeLockout = 0 }]))),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        evidence.withServerView { view in
            let active = view.users.filter { !$0.isDisabled }
            let weak = active.filter { $0.loginAttemptsBeforeLockout == -1 || $0.loginAttemptsBeforeLockout > 10 }
            var findings = weak.map { user in
                Finding.user(user, user.loginAttemptsBeforeLockout == -1 ? "lockout is off" : "\(user.loginAttemptsBeforeLockout) attempts before lockout (more than 10)",
                             ["LoginAttemptsBeforeLockout": .int(Int64(user.loginAttemptsBeforeLockout))])
            }
            if let version = view.version.flatMap(JellyfinVersion.init), version == JellyfinVersion(10, 11, 11) {
                findings.append(Finding(subject: "server", message: "Jellyfin 10.11.11 never saves a lockout (jellyfin#17278): the policy is ignored", evidence: ["Version": "10.11.11"]))
                return .fail("lockout is not enforced on Jellyfin 10.11.11\(weak.isEmpty ? "" : ", and \(count(weak.count, of: active.count, "user")) \(weak.count == 1 ? "has" : "have") it off or too high")", findings: findings)
            }
            guard weak.isEmpty else {
                return .fail("\(count(weak.count, of: active.count, "user")) can try passwords without being locked out", findings: findings)
            }
            return .pass("every account locks after at most 10 wrong passwords")
        }
    }
}
