import Foundation
import JellyfinAPI
import JellyfortCore

/// Reads the server once, concurrently, and turns what it says into `Evidence`.
///
/// The number of requests does not depend on the number of users: one `GET /Users`, one page
/// set of the activity log (bounded), and one request per other endpoint.
public struct EvidenceCollector: Sendable {
    public let client: JellyfinClient?
    public let settings: AuditSettings

    public init(client: JellyfinClient?, settings: AuditSettings) {
        self.client = client
        self.settings = settings
    }

    /// What was collected, and every source that was asked for but could not be read.
    public struct Outcome: Sendable {
        public var evidence: Evidence
        public var problems: [String]
        /// The whole objects behind the administrator's view, for `harden`.
        public var objects = ServerObjects()
    }

    public func collect(progress: @Sendable (String) -> Void = { _ in }) async -> Outcome {
        guard let client else {
            return Outcome(evidence: Evidence(settings: settings), problems: [])
        }
        progress("Reading what anyone on the internet sees…")
        async let anonymous = collectAnonymous(client)
        let api: (Observed<ServerView>, [String], ServerObjects)
        if client.configuration.credential == nil {
            api = (.unavailable(InputNeeded.noCredentialReason), [], ServerObjects())
        } else {
            progress("Reading the server as an administrator…")
            api = await collectAPI(client)
        }
        let (anonymousView, anonymousProblems) = await anonymous
        return Outcome(
            evidence: Evidence(settings: settings, anonymous: anonymousView, api: api.0), problems: anonymousProblems + api.1,
            objects: api.2)
    }

    private func collectAnonymous(_ client: JellyfinClient) async -> (Observed<AnonymousView>, [String]) {
        async let info = result { try await client.publicSystemInfo() }
        async let users = result { try await client.publicUsers() }
        async let quickConnect = result { try await client.quickConnectEnabled() }
        async let metrics = result { try await client.send(.get, "/metrics", authenticated: false).status }
        let publicInfo: PublicSystemInfo
        switch await info {
        case .success(let value): publicInfo = value
        case .failure(let error): return (.unavailable(error.description), [error.description])
        }
        var problems: [String] = []
        var view = AnonymousView(
            serverName: publicInfo.serverName, version: publicInfo.version, wizardCompleted: publicInfo.startupWizardCompleted)
        switch await users {
        case .success(let list):
            view.publicUsers = list.map { AnonymousView.PublicUser(name: $0.name, isAdministrator: $0.policy.isAdministrator) }
        case .failure(let error):
            view.publicUsers = nil
            problems.append(error.description)
        }
        view.quickConnectEnabled = try? await quickConnect.get()
        view.metricsStatus = try? await metrics.get()
        return (.observed(view), problems)
    }

    private func collectAPI(_ client: JellyfinClient) async -> (Observed<ServerView>, [String], ServerObjects) {
        var credential = CredentialFacts(kind: .apiKey, deviceId: client.configuration.identity.deviceId)
        var ownKey: Secret?
        switch client.configuration.credential {
        case .password(let user, _):
            credential = CredentialFacts(kind: .user, userName: user, deviceId: client.configuration.identity.deviceId)
            do {
                try await client.signIn()
            } catch {
                return (.unavailable(error.description), [error.description], ServerObjects())
            }
            credential.userId = client.signedInUserId
        case .apiKey(let key): ownKey = key
        case nil: break
        }
        let since = settings.now.addingTimeInterval(-30 * 86_400)
        async let info = result { try await client.systemInfo() }
        async let users = result { try await client.users() }
        async let configuration = result { try await client.serverConfiguration() }
        async let network = result { try await client.networkConfiguration() }
        async let sessions = result { try await client.sessions() }
        async let devices = result { try await client.devices() }
        async let keys = result { try await client.apiKeys() }
        async let repositories = result { try await client.repositories() }
        async let activity = result { try await client.activitySince(since, pageSize: 500, maximum: 2_000) }

        let userList: [UserDto]
        switch await users {
        case .success(let list): userList = list
        case .failure(let error): return (.unavailable(error.description), [error.description], ServerObjects())
        }
        // A set-up server always has an administrator, and an administrator's credential sees it:
        // an answer without one is not evidence that "every account" is anything.
        guard userList.contains(where: { $0.policy.isAdministrator }) else {
            let problem =
                "GET /Users listed \(userList.count) users and no administrator, which a set-up Jellyfin server "
                + "never does; check that --server is your Jellyfin and the credential is an administrator's"
            return (.unavailable(problem), [problem], ServerObjects())
        }
        var objects = ServerObjects()
        objects.users = userList
        objects.configuration = try? await configuration.get()
        objects.network = try? await network.get()
        objects.apiKeys = (try? await keys.get()) ?? []
        if let userId = credential.userId, let deviceId = credential.deviceId,
            let own = (try? await sessions.get())?.first(where: { $0.deviceId == deviceId && $0.userId == userId })
        {
            credential.remoteEndPoint = own.remoteEndPoint
        }
        var problems: [String] = []
        func observe<Value, Fact>(_ outcome: Result<Value, JellyfinAPIError>, _ transform: (Value) -> Fact) -> Observed<Fact> {
            switch outcome {
            case .success(let value): return .observed(transform(value))
            case .failure(let error):
                problems.append(error.description)
                return .unavailable(error.description)
            }
        }
        let systemInfo = try? await info.get()
        let view = ServerView(
            version: systemInfo?.version,
            serverName: systemInfo?.serverName,
            credential: credential,
            users: userList.map(Self.facts),
            configuration: observe(await configuration) { (config: ServerConfiguration) in
                ConfigurationFacts(
                    enableLegacyAuthorization: config.enableLegacyAuthorization, enableMetrics: config.enableMetrics,
                    quickConnectAvailable: config.quickConnectAvailable, corsHosts: config.corsHosts)
            },
            network: observe(await network) { (network: NetworkConfiguration) in
                NetworkFacts(
                    knownProxies: network.knownProxies, localNetworkSubnets: network.localNetworkSubnets,
                    remoteIPFilter: network.remoteIPFilter,
                    isRemoteIPFilterBlacklist: network.isRemoteIPFilterBlacklist, enableRemoteAccess: network.enableRemoteAccess,
                    autoDiscovery: network.autoDiscovery,
                    enableIPv6: network.json["EnableIPv6"]?.boolValue == true)
            },
            sessions: observe(await sessions) { (sessions: [SessionInfo]) in
                sessions.map {
                    SessionFacts(
                        userName: $0.userName, userId: $0.userId, remoteEndPoint: $0.remoteEndPoint, nowPlaying: $0.nowPlayingItemName,
                        client: $0.client)
                }
            },
            devices: observe(await devices) { (devices: [DeviceInfo]) in
                devices.map {
                    DeviceFacts(
                        id: $0.id, name: $0.customName.flatMap { $0.isEmpty ? nil : $0 } ?? $0.name ?? $0.id, appName: $0.appName,
                        lastUserName: $0.lastUserName, lastActivity: $0.dateLastActivity, hasToken: $0.accessToken != nil)
                }
            },
            apiKeys: observe(await keys) { (keys: [APIKeyInfo]) in
                keys.map {
                    APIKeyFacts(
                        appName: $0.appName ?? "unnamed", created: $0.dateCreated, redactedToken: $0.accessToken.redacted,
                        isInUse: $0.accessToken == ownKey)
                }
            },
            repositories: observe(await repositories) { (repositories: [RepositoryInfo]) in
                repositories.map { RepositoryFacts(name: $0.name, url: $0.url, enabled: $0.enabled) }
            },
            playback: observe(await activity) { (entries: [ActivityLogEntry]) in
                entries.filter { ["VideoPlayback", "AudioPlayback", "Playback"].contains($0.type) }.compactMap { entry in
                    entry.userId.map { PlaybackFacts(userId: $0, type: entry.type, date: entry.date) }
                }
            })
        return (.observed(view), Array(Set(problems)).sorted(), objects)
    }

    static func facts(_ user: UserDto) -> UserFacts {
        let policy = user.policy
        return UserFacts(
            id: user.id, name: user.name, isAdministrator: policy.isAdministrator, isHidden: policy.isHidden, isDisabled: policy.isDisabled,
            enableRemoteAccess: policy.enableRemoteAccess, loginAttemptsBeforeLockout: policy.loginAttemptsBeforeLockout,
            maxActiveSessions: policy.maxActiveSessions, enableContentDeletion: policy.enableContentDeletion,
            enableContentDeletionFromFolders: policy.enableContentDeletionFromFolders,
            enableRemoteControlOfOtherUsers: policy.enableRemoteControlOfOtherUsers, hasPassword: user.hasPassword,
            lastLoginDate: user.lastLoginDate)
    }
}

/// Runs a throwing request and keeps its typed error.
package func result<Value: Sendable>(_ body: () async throws -> Value) async -> Result<Value, JellyfinAPIError> {
    do {
        return .success(try await body())
    } catch let error as JellyfinAPIError {
        return .failure(error)
    } catch {
        return .failure(.malformedResponse(endpoint: "the server", detail: "\(error)"))
    }
}
