import JellyfortBase
import JellyfortCore

/// Guide item 12.
struct SingleSessionControl: Control {
    static let description = ControlDescription(
        id: .sessionsSingle, title: "Each media user has one session at a time", guideItem: 12, severity: .medium,
        rationale:
            "A limit of one active session means a stolen password cannot be used while the owner is "
            + "watching, and a shared account shows up at once. Jellyfin refuses the extra sign-in (403) "
            + "without logging the owner out.",
        remediation: Remediation("Set MaxActiveSessions=1 for every non-administrator (jellyfort harden).", fixable: true),
        evidence: [.api])

    static let examples = [
        ControlExample("limit 1", .pass, Sample.evidence()),
        ControlExample(
            "unlimited", .fail, Sample.evidence(Sample.view(users: [Sample.admin(), Sample.viewer { $0.maxActiveSessions = 0 }]))),
        ControlExample(
            "three at once", .fail, Sample.evidence(Sample.view(users: [Sample.admin(), Sample.viewer { $0.maxActiveSessions = 3 }]))),
        ControlExample("no media users to limit", .notApplicable, Sample.evidence(Sample.view(users: [Sample.admin()]))),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        evidence.withServerView { view in
            let viewers = view.users.filter { !$0.isAdministrator && !$0.isDisabled }
            guard !viewers.isEmpty else { return .notApplicable("there is no enabled non-administrator to limit") }
            let open = viewers.filter { $0.maxActiveSessions <= 0 || $0.maxActiveSessions > 1 }
            guard !open.isEmpty else { return .pass("every media user is limited to one session") }
            return .fail(
                "\(count(open.count, of: viewers.count, "media user")) may have several sessions at once",
                findings: open.map {
                    Finding.user(
                        $0, $0.maxActiveSessions <= 0 ? "unlimited sessions" : "\($0.maxActiveSessions) sessions at once",
                        ["MaxActiveSessions": .int(Int64($0.maxActiveSessions))])
                })
        }
    }
}

extension SingleSessionControl: FixableControl {
    static func plan(_ evidence: Evidence, options: FixOptions) -> FixPlan {
        evidence.planWithServerView { view in
            FixPlan(
                changes: view.mediaUsers.filter { $0.maxActiveSessions != 1 }.map {
                    .policy(.sessionsSingle, $0, "MaxActiveSessions", from: .int(Int64($0.maxActiveSessions)), to: 1)
                })
        }
    }

    static let fixExamples = [
        FixExample(
            "unlimited and three sessions",
            Sample.evidence(
                Sample.view(users: [
                    Sample.admin(), Sample.viewer { $0.maxActiveSessions = 0 }, Sample.viewer("tam") { $0.maxActiveSessions = 3 },
                ])))
    ]
}
