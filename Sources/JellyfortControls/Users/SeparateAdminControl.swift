import JellyfinAPI
import JellyfortCore

/// Guide item 8.
struct SeparateAdminControl: Control {
    static let description = ControlDescription(
        id: "accounts.separate-admin", title: "Administration and watching use separate accounts", guideItem: 8, severity: .medium,
        rationale: "The account you watch with signs in from TVs, phones and hotel rooms; its token sits on every device. If that account is an administrator, any of those devices is a full compromise. Keep one admin for administration only.",
        remediation: Remediation("Create a media user for watching (jellyfort harden --create-media-user NAME) and stop watching as the administrator.", fixable: true),
        evidence: [.api])

    static let examples = [
        ControlExample("one admin, one viewer, admin not watching", .pass, Sample.evidence()),
        ControlExample("only an admin", .fail, Sample.evidence(Sample.view(users: [Sample.admin()]))),
        ControlExample("admin is playing a film", .fail, Sample.evidence(Sample.view { $0.sessions = .observed([SessionFacts(userName: "quill-keeper", remoteEndPoint: "203.0.113.4", nowPlaying: "Sintel")]) })),
        ControlExample("two admins", .fail, Sample.evidence(Sample.view(users: [Sample.admin(), Sample.admin("second"), Sample.viewer()]))),
    ]

    static func evaluate(_ evidence: Evidence) -> Verdict {
        evidence.withServerView { view in
            let admins = view.administrators.filter { !$0.isDisabled }
            let viewers = view.users.filter { !$0.isAdministrator && !$0.isDisabled }
            var findings: [Finding] = []
            if viewers.isEmpty {
                findings.append(Finding(subject: "server", message: "there is no non-administrator account to watch with", evidence: ["administrators": .int(Int64(admins.count))]))
            }
            if admins.count > 1 {
                findings += admins.dropFirst().map { Finding.user($0, "one of \(admins.count) administrators; keep one unless you have a reason (suppress this with it)", ["IsAdministrator": true]) }
            }
            let adminIds = Set(admins.map(\.id))
            let adminNames = Set(admins.map(\.name))
            let watching = (view.sessions.value ?? []).filter { session in
                session.nowPlaying != nil && (session.userId.map(adminIds.contains) == true || session.userName.map(adminNames.contains) == true)
            }
            for session in watching {
                findings.append(Finding(subject: "user:\(session.userName ?? "?")", message: "administrator is playing \(session.nowPlaying ?? "media") on \(session.client ?? "a device")", evidence: ["NowPlaying": .string(session.nowPlaying ?? "")]))
            }
            let playback = (view.playback.value ?? []).filter { adminIds.contains($0.userId) }
            if watching.isEmpty, !playback.isEmpty, let admin = admins.first(where: { user in playback.contains { $0.userId == user.id } }) {
                findings.append(Finding.user(admin, "administrator played media \(plural(playback.count, "time")) in the last 30 days", ["PlaybackEntries": .int(Int64(playback.count))]))
            }
            guard findings.isEmpty else { return .fail("administration and watching are not separated", findings: findings) }
            return .pass("\(plural(admins.count, "administrator")) for administration, \(plural(viewers.count, "media user")) for watching")
        }
    }
}
