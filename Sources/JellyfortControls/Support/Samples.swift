import Foundation
import JellyfortBase
import JellyfortCore

/// Evidence values for controls' examples: a server view with sensible "hardened" defaults that
/// each example changes only where it matters.
enum Sample {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)

    static func admin(_ name: String = "quill-keeper", _ change: (inout UserFacts) -> Void = { _ in }) -> UserFacts {
        var user = UserFacts(
            name: name, isAdministrator: true, isHidden: true, enableRemoteAccess: false, loginAttemptsBeforeLockout: 5,
            maxActiveSessions: 1)
        change(&user)
        return user
    }

    static func viewer(_ name: String = "mira", _ change: (inout UserFacts) -> Void = { _ in }) -> UserFacts {
        var user = UserFacts(name: name, isHidden: true, enableRemoteAccess: true, loginAttemptsBeforeLockout: 5, maxActiveSessions: 1)
        change(&user)
        return user
    }

    /// A server view as a hardened 12.1 server reports it.
    static func view(
        version: String = "12.1.0",
        users: [UserFacts] = [admin(), viewer()],
        _ change: (inout ServerView) -> Void = { _ in }
    ) -> ServerView {
        var view = ServerView(
            version: version, serverName: "den", credential: CredentialFacts(kind: .apiKey), users: users,
            configuration: .observed(ConfigurationFacts(corsHosts: ["https://reels-7f3k.example.org"])),
            network: .observed(NetworkFacts(knownProxies: ["10.0.0.2"], localNetworkSubnets: ["192.168.1.0/24"])),
            sessions: .observed([
                SessionFacts(userName: "mira", remoteEndPoint: "203.0.113.40", nowPlaying: "Sintel"),
                SessionFacts(userName: "mira", remoteEndPoint: "198.51.100.7"),
            ]),
            devices: .observed([DeviceFacts(name: "TV", lastUserName: "mira", lastActivity: now)]),
            apiKeys: .observed([APIKeyFacts(appName: "Jellyfort", created: now.addingTimeInterval(-10 * 86_400))]),
            repositories: .observed([RepositoryFacts(name: "Jellyfin Stable", url: "https://repo.jellyfin.org/files/plugin/manifest.json")]
            ),
            playback: .observed([]))
        change(&view)
        return view
    }

    static func anonymous(version: String = "12.1.0", _ change: (inout AnonymousView) -> Void = { _ in }) -> AnonymousView {
        var view = AnonymousView(
            serverName: "den", version: version, wizardCompleted: true, publicUsers: [], quickConnectEnabled: false, metricsStatus: 404)
        change(&view)
        return view
    }

    /// Evidence with both views; `settings` as declared on the command line.
    static func evidence(
        _ view: ServerView? = Sample.view(),
        anonymous: AnonymousView? = Sample.anonymous(),
        settings: (inout AuditSettings) -> Void = { _ in }
    ) -> Evidence {
        var declared = AuditSettings(now: now, lanCIDRs: ["192.168.1.0/24"])
        settings(&declared)
        return Evidence(
            settings: declared,
            anonymous: anonymous.map(Observed.observed) ?? .unavailable("no --server given"),
            api: view.map(Observed.observed) ?? .unavailable("no credential given"))
    }

    /// Evidence with no server at all (deployment-only runs).
    static let nothing = Evidence(settings: AuditSettings(now: now))
}
