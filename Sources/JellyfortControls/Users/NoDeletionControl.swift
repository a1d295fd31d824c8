import JellyfortBase
import JellyfortCore

/// Guide item 14.
struct NoDeletionControl: Control {
    static let description = ControlDescription(
        id: .mediaNoDeletion, title: "Media users cannot delete media", guideItem: 14, severity: .medium,
        rationale:
            "EnableContentDeletion lets a user delete from every library; a stolen media account could wipe "
            + "your collection. (A read-only media mount stops the deletion on disk, which turns this into a "
            + "warning.)",
        remediation: Remediation(
            "Turn off EnableContentDeletion and clear EnableContentDeletionFromFolders for non-administrators (jellyfort harden).",
            fixable: true),
        evidence: [.api, .host])

    static let examples = [
        ControlExample("nobody may delete", .pass, Sample.evidence()),
        ControlExample(
            "a viewer may delete everywhere", .fail,
            Sample.evidence(Sample.view(users: [Sample.admin(), Sample.viewer { $0.enableContentDeletion = true }]))),
        ControlExample(
            "a viewer may delete from one library", .fail,
            Sample.evidence(
                Sample.view(users: [
                    Sample.admin(), Sample.viewer { $0.enableContentDeletionFromFolders = ["f137a2dd21bbc1b99aa5c0f6bf02a805"] },
                ]))),
        ControlExample("no credential", .unknown, Sample.evidence(nil)),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        evidence.withServerView { view in
            let viewers = view.users.filter { !$0.isAdministrator && !$0.isDisabled }
            let deleting = viewers.filter { $0.enableContentDeletion || !$0.enableContentDeletionFromFolders.isEmpty }
            guard !deleting.isEmpty else { return .pass("no media user may delete media") }
            return .fail(
                "\(count(deleting.count, of: viewers.count, "media user")) may delete media",
                findings: deleting.map { user in
                    user.enableContentDeletion
                        ? Finding.user(user, "may delete from every library", ["EnableContentDeletion": true])
                        : Finding.user(
                            user, "may delete from \(plural(user.enableContentDeletionFromFolders.count, "library"))",
                            ["EnableContentDeletionFromFolders": .array(user.enableContentDeletionFromFolders.map { .string($0) })])
                })
        }
    }
}

extension NoDeletionControl: FixableControl {
    static func plan(_ evidence: Evidence, options: FixOptions) -> FixPlan {
        evidence.planWithServerView { view in
            var plan = FixPlan()
            for user in view.mediaUsers {
                if user.enableContentDeletion {
                    plan.changes.append(.policy(.mediaNoDeletion, user, "EnableContentDeletion", from: true, to: false))
                }
                if !user.enableContentDeletionFromFolders.isEmpty {
                    plan.changes.append(
                        .policy(
                            .mediaNoDeletion, user, "EnableContentDeletionFromFolders",
                            from: JSONValue(user.enableContentDeletionFromFolders), to: []))
                }
            }
            return plan
        }
    }

    static let fixExamples = [
        FixExample(
            "deletion everywhere and from one library",
            Sample.evidence(
                Sample.view(users: [
                    Sample.admin(), Sample.viewer { $0.enableContentDeletion = true },
                    Sample.viewer("tam") { $0.enableContentDeletionFromFolders = ["f1"] },
                ])))
    ]
}
