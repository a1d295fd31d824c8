import JellyfortBase
import JellyfortCore

/// Guide item 8.
struct SeparateAdminControl: Control {
    static let description = ControlDescription(
        id: .accountsSeparateAdmin, title: "Administration and watching use separate accounts", guideItem: 8, severity: .medium,
        rationale:
            "The account you watch with signs in from TVs, phones and hotel rooms; its token sits on every "
            + "device. If that account is an administrator, any of those devices is a full compromise. Keep "
            + "one admin for administration only.",
        remediation: Remediation(
            "Create a media user for watching (jellyfort harden --create-media-user NAME) and stop watching as the administrator.",
            fixable: true),
        evidence: [.api])

    static let examples = [
        ControlExample("one admin, one viewer, admin not watching", .pass, Sample.evidence()),
        ControlExample("only an admin", .fail, Sample.evidence(Sample.view(users: [Sample.admin()]))),
        ControlExample(
            "admin is playing a film", .fail,
            Sample.evidence(
                Sample.view {
                    $0.sessions = .observed([SessionFacts(userName: "quill-keeper", remoteEndPoint: "203.0.113.4", nowPlaying: "Sintel")])
                })),
        ControlExample(
            "two admins", .fail, Sample.evidence(Sample.view(users: [Sample.admin(), Sample.admin("second"), Sample.viewer()]))),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        evidence.withServerView { view in
            let admins = view.administrators.filter { !$0.isDisabled }
            let viewers = view.users.filter { !$0.isAdministrator && !$0.isDisabled }
            var findings: [Finding] = []
            if viewers.isEmpty {
                findings.append(
                    Finding(
                        subject: "server", message: "there is no non-administrator account to watch with",
                        evidence: ["administrators": .int(Int64(admins.count))]))
            }
            if admins.count > 1 {
                findings += admins.dropFirst().map {
                    Finding.user(
                        $0, "one of \(admins.count) administrators; keep one unless you have a reason (suppress this with it)",
                        ["IsAdministrator": true])
                }
            }
            let adminIds = Set(admins.map(\.id))
            let adminNames = Set(admins.map(\.name))
            let watching = (view.sessions.value ?? []).filter { session in
                session.nowPlaying != nil
                    && (session.userId.map(adminIds.contains) == true || session.userName.map(adminNames.contains) == true)
            }
            for session in watching {
                findings.append(
                    Finding(
                        subject: "user:\(session.userName ?? "?")",
                        message: "administrator is playing \(session.nowPlaying ?? "media") on \(session.client ?? "a device")",
                        evidence: ["NowPlaying": .string(session.nowPlaying ?? "")]))
            }
            let playback = (view.playback.value ?? []).filter { adminIds.contains($0.userId) }
            if watching.isEmpty, !playback.isEmpty, let admin = admins.first(where: { user in playback.contains { $0.userId == user.id } })
            {
                findings.append(
                    Finding.user(
                        admin, "administrator played media \(plural(playback.count, "time")) in the last 30 days",
                        ["PlaybackEntries": .int(Int64(playback.count))]))
            }
            guard findings.isEmpty else { return .fail("administration and watching are not separated", findings: findings) }
            return .pass("\(plural(admins.count, "administrator")) for administration, \(plural(viewers.count, "media user")) for watching")
        }
    }
}

extension SeparateAdminControl: FixableControl {
    /// The policy a new media user gets: hidden, one session, no deletion, no remote control, lockout.
    static func mediaUserPolicy(lockout: Int) -> JSONValue {
        [
            "IsHidden": true, "MaxActiveSessions": 1, "EnableContentDeletion": false, "EnableContentDeletionFromFolders": [],
            "EnableRemoteControlOfOtherUsers": false, "LoginAttemptsBeforeLockout": .int(Int64(lockout)),
        ]
    }

    static func plan(_ evidence: Evidence, options: FixOptions) -> FixPlan {
        evidence.planWithServerView { view in
            guard let name = options.createMediaUser else {
                return view.mediaUsers.isEmpty
                    ? FixPlan(skipped: ["there is no media user; create one with --create-media-user NAME"]) : .nothing
            }
            if let existing = view.users.first(where: { $0.name.lowercased() == name.lowercased() }) {
                return existing.isAdministrator
                    ? FixPlan(skipped: ["\(name) already exists and is an administrator; pick another name for the media user"]) : .nothing
            }
            if let problem = JellyfinUserName.problem(name) {
                return FixPlan(skipped: ["cannot create \(name): \(problem)"])
            }
            return FixPlan(
                changes: [
                    FixChange(
                        .accountsSeparateAdmin, .newMediaUser(name: name), "created", from: .null,
                        to: mediaUserPolicy(lockout: options.lockout))
                ],
                notes: [
                    "The new media user's password is generated and written to a 0600 file in the run's folder; give "
                        + "it to the person who watches."
                ])
        }
    }

    static let fixExamples = [
        FixExample(
            "only an admin, media user asked for", Sample.evidence(Sample.view(users: [Sample.admin()])),
            options: {
                var options = FixOptions()
                options.createMediaUser = "mira"
                return options
            }()),
        FixExample("only an admin, nothing asked", Sample.evidence(Sample.view(users: [Sample.admin()])), after: .fail),
    ]
}
