import Foundation

/// Everything one audit run learned, as plain values. Collectors fill it once; every control
/// reads it; nothing in it can make a request.
public struct Evidence: Sendable, Codable, Equatable {
    public var settings: AuditSettings
    /// What anyone on the internet sees of Jellyfin itself.
    public var anonymous: Observed<AnonymousView>
    /// What an administrator credential reads.
    public var api: Observed<ServerView>
    /// What the deployment files say.
    public var host: Observed<HostView>
    /// What a stranger on the internet sees (`--probe`).
    public var probe: Observed<ProbeView>

    public init(
        settings: AuditSettings = AuditSettings(),
        anonymous: Observed<AnonymousView> = .unavailable(InputNeeded.noServerReason),
        api: Observed<ServerView> = .unavailable(InputNeeded.noServerReason),
        host: Observed<HostView> = .unavailable(InputNeeded.noDeploymentReason),
        probe: Observed<ProbeView> = .unavailable(InputNeeded.noProbeReason)
    ) {
        self.probe = probe
        self.settings = settings
        self.anonymous = anonymous
        self.api = api
        self.host = host
    }

    /// The server's version, from whichever view has it.
    public var serverVersion: String? { api.value?.version ?? anonymous.value?.version }
}

/// What the person running the audit declared; controls compare the server against it.
public struct AuditSettings: Sendable, Codable, Equatable {
    public var now: Date
    /// `--lan-cidr`: the networks that really are the LAN.
    public var lanCIDRs: [String]
    /// `--allow`: addresses that should be able to reach the server.
    public var allowList: [String]
    /// `--cdn`: the CDN declared in front (only `cloudflare` today).
    public var cdn: String?
    /// `--probe` was given.
    public var probeRequested: Bool
    /// `--deployment` paths were given.
    public var deploymentPaths: [String]
    /// Where verdicts draw their lines; `jellyfort.yml` may move them, for audit and harden alike.
    public var thresholds: Thresholds

    public init(
        now: Date = Date(), lanCIDRs: [String] = [], allowList: [String] = [], cdn: String? = nil, probeRequested: Bool = false,
        deploymentPaths: [String] = [], thresholds: Thresholds = Thresholds()
    ) {
        self.now = now
        self.thresholds = thresholds
        self.lanCIDRs = lanCIDRs
        self.allowList = allowList
        self.cdn = cdn
        self.probeRequested = probeRequested
        self.deploymentPaths = deploymentPaths
    }
}

/// The lines controls draw, each in one place. Defaults are controls.md's.
public struct Thresholds: Sendable, Codable, Equatable {
    /// `auth.lockout`: more attempts than this before lockout is too lax.
    public var lockoutMaxAttempts = 10
    /// `api.keys`: keys older than this many days should be replaced.
    public var apiKeyMaxAgeDays = 180
    /// `api.keys`: more keys than this is too many full-admin secrets.
    public var apiKeyMaxCount = 3
    /// `devices.stale`: a signed-in device idle this many days is stale.
    public var staleDeviceDays = 90

    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = Thresholds()
        lockoutMaxAttempts = try container.decodeIfPresent(Int.self, forKey: .lockoutMaxAttempts) ?? defaults.lockoutMaxAttempts
        apiKeyMaxAgeDays = try container.decodeIfPresent(Int.self, forKey: .apiKeyMaxAgeDays) ?? defaults.apiKeyMaxAgeDays
        apiKeyMaxCount = try container.decodeIfPresent(Int.self, forKey: .apiKeyMaxCount) ?? defaults.apiKeyMaxCount
        staleDeviceDays = try container.decodeIfPresent(Int.self, forKey: .staleDeviceDays) ?? defaults.staleDeviceDays
    }
}

/// The anonymous view: `/System/Info/Public`, `/Users/Public`, `/QuickConnect/Enabled`, `/metrics`.
public struct AnonymousView: Sendable, Codable, Equatable {
    public var serverName: String?
    public var version: String
    public var wizardCompleted: Bool?
    /// Users shown on the login screen to anyone; nil when `/Users/Public` could not be read
    /// (unreadable is not empty).
    public var publicUsers: [PublicUser]?
    public var quickConnectEnabled: Bool?
    /// HTTP status of an anonymous `GET /metrics` (200 = exposed).
    public var metricsStatus: Int?

    public struct PublicUser: Sendable, Codable, Equatable {
        public var name: String
        public var isAdministrator: Bool
        public init(name: String, isAdministrator: Bool) {
            self.name = name
            self.isAdministrator = isAdministrator
        }
    }

    public init(
        serverName: String? = nil, version: String, wizardCompleted: Bool? = true, publicUsers: [PublicUser]? = [],
        quickConnectEnabled: Bool? = nil, metricsStatus: Int? = nil
    ) {
        self.serverName = serverName
        self.version = version
        self.wizardCompleted = wizardCompleted
        self.publicUsers = publicUsers
        self.quickConnectEnabled = quickConnectEnabled
        self.metricsStatus = metricsStatus
    }
}

/// The administrator's view of the server.
public struct ServerView: Sendable, Codable, Equatable {
    public var version: String?
    public var serverName: String?
    /// How the audit signed in.
    public var credential: CredentialFacts
    public var users: [UserFacts]
    public var configuration: Observed<ConfigurationFacts>
    public var network: Observed<NetworkFacts>
    public var sessions: Observed<[SessionFacts]>
    public var devices: Observed<[DeviceFacts]>
    public var apiKeys: Observed<[APIKeyFacts]>
    public var repositories: Observed<[RepositoryFacts]>
    /// Playback entries of the activity log (last 30 days).
    public var playback: Observed<[PlaybackFacts]>

    public init(
        version: String? = nil, serverName: String? = nil, credential: CredentialFacts = CredentialFacts(kind: .apiKey),
        users: [UserFacts] = [], configuration: Observed<ConfigurationFacts> = .unavailable("not read"),
        network: Observed<NetworkFacts> = .unavailable("not read"), sessions: Observed<[SessionFacts]> = .unavailable("not read"),
        devices: Observed<[DeviceFacts]> = .unavailable("not read"), apiKeys: Observed<[APIKeyFacts]> = .unavailable("not read"),
        repositories: Observed<[RepositoryFacts]> = .unavailable("not read"), playback: Observed<[PlaybackFacts]> = .unavailable("not read")
    ) {
        self.version = version
        self.serverName = serverName
        self.credential = credential
        self.users = users
        self.configuration = configuration
        self.network = network
        self.sessions = sessions
        self.devices = devices
        self.apiKeys = apiKeys
        self.repositories = repositories
        self.playback = playback
    }

    public var administrators: [UserFacts] { users.filter(\.isAdministrator) }
}

/// Who Jellyfort is on the server: what a fix needs so as not to lock out the person running it.
public struct CredentialFacts: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case apiKey, user }
    public var kind: Kind
    public var userName: String?
    /// The signed-in user's id (password sign-in only).
    public var userId: String?
    /// Jellyfort's own device id, so its own device is never signed out.
    public var deviceId: String?
    /// Where the server sees Jellyfort's own session coming from; nil when it has none.
    public var remoteEndPoint: String?
    public init(kind: Kind, userName: String? = nil, userId: String? = nil, deviceId: String? = nil, remoteEndPoint: String? = nil) {
        self.kind = kind
        self.userName = userName
        self.userId = userId
        self.deviceId = deviceId
        self.remoteEndPoint = remoteEndPoint
    }
}

/// The security-relevant part of a user and its policy.
public struct UserFacts: Sendable, Codable, Equatable {
    public var id: String
    public var name: String
    public var isAdministrator: Bool
    public var isHidden: Bool
    public var isDisabled: Bool
    public var enableRemoteAccess: Bool
    public var loginAttemptsBeforeLockout: Int
    public var maxActiveSessions: Int
    public var enableContentDeletion: Bool
    public var enableContentDeletionFromFolders: [String]
    public var enableRemoteControlOfOtherUsers: Bool
    /// nil when the server does not say; always true on 12.x.
    public var hasPassword: Bool?
    public var lastLoginDate: Date?

    public init(
        id: String = "", name: String, isAdministrator: Bool = false, isHidden: Bool = true, isDisabled: Bool = false,
        enableRemoteAccess: Bool = true, loginAttemptsBeforeLockout: Int = -1, maxActiveSessions: Int = 0,
        enableContentDeletion: Bool = false, enableContentDeletionFromFolders: [String] = [],
        enableRemoteControlOfOtherUsers: Bool = false, hasPassword: Bool? = true, lastLoginDate: Date? = nil
    ) {
        self.id = id.isEmpty ? "id-" + name : id
        self.name = name
        self.isAdministrator = isAdministrator
        self.isHidden = isHidden
        self.isDisabled = isDisabled
        self.enableRemoteAccess = enableRemoteAccess
        self.loginAttemptsBeforeLockout = loginAttemptsBeforeLockout
        self.maxActiveSessions = maxActiveSessions
        self.enableContentDeletion = enableContentDeletion
        self.enableContentDeletionFromFolders = enableContentDeletionFromFolders
        self.enableRemoteControlOfOtherUsers = enableRemoteControlOfOtherUsers
        self.hasPassword = hasPassword
        self.lastLoginDate = lastLoginDate
    }
}

public struct ConfigurationFacts: Sendable, Codable, Equatable {
    public var enableLegacyAuthorization: Bool
    public var enableMetrics: Bool
    public var quickConnectAvailable: Bool
    public var corsHosts: [String]
    public init(
        enableLegacyAuthorization: Bool = false, enableMetrics: Bool = false, quickConnectAvailable: Bool = false, corsHosts: [String] = []
    ) {
        self.enableLegacyAuthorization = enableLegacyAuthorization
        self.enableMetrics = enableMetrics
        self.quickConnectAvailable = quickConnectAvailable
        self.corsHosts = corsHosts
    }
}

public struct NetworkFacts: Sendable, Codable, Equatable {
    public var knownProxies: [String]
    public var localNetworkSubnets: [String]
    public var remoteIPFilter: [String]
    public var isRemoteIPFilterBlacklist: Bool
    public var enableRemoteAccess: Bool
    public var autoDiscovery: Bool
    /// Whether Jellyfin listens on IPv6, which changes what it counts as LAN.
    public var enableIPv6: Bool
    public init(
        knownProxies: [String] = [], localNetworkSubnets: [String] = [], remoteIPFilter: [String] = [],
        isRemoteIPFilterBlacklist: Bool = false, enableRemoteAccess: Bool = true, autoDiscovery: Bool = false, enableIPv6: Bool = false
    ) {
        self.enableIPv6 = enableIPv6
        self.knownProxies = knownProxies
        self.localNetworkSubnets = localNetworkSubnets
        self.remoteIPFilter = remoteIPFilter
        self.isRemoteIPFilterBlacklist = isRemoteIPFilterBlacklist
        self.enableRemoteAccess = enableRemoteAccess
        self.autoDiscovery = autoDiscovery
    }
}

public struct SessionFacts: Sendable, Codable, Equatable {
    public var userName: String?
    public var userId: String?
    public var remoteEndPoint: String?
    public var nowPlaying: String?
    public var client: String?
    public init(userName: String?, userId: String? = nil, remoteEndPoint: String?, nowPlaying: String? = nil, client: String? = nil) {
        self.userName = userName
        self.userId = userId ?? userName.map { "id-" + $0 }
        self.remoteEndPoint = remoteEndPoint
        self.nowPlaying = nowPlaying
        self.client = client
    }
}

public struct DeviceFacts: Sendable, Codable, Equatable {
    public var id: String
    public var name: String
    public var appName: String?
    public var lastUserName: String?
    public var lastActivity: Date?
    public var hasToken: Bool
    public init(
        id: String = "", name: String, appName: String? = nil, lastUserName: String? = nil, lastActivity: Date?, hasToken: Bool = true
    ) {
        self.id = id.isEmpty ? "device-" + name : id
        self.name = name
        self.appName = appName
        self.lastUserName = lastUserName
        self.lastActivity = lastActivity
        self.hasToken = hasToken
    }
}

public struct APIKeyFacts: Sendable, Codable, Equatable {
    public var appName: String
    public var created: Date?
    /// The first four characters and an ellipsis; never the key.
    public var redactedToken: String
    /// The key this run signs in with: never revoked by Jellyfort.
    public var isInUse: Bool
    /// Set by a planned revocation (evidence after a fix); a revoked key no longer counts.
    public var revoked: Bool
    public init(appName: String, created: Date?, redactedToken: String = "abcd…", isInUse: Bool = false, revoked: Bool = false) {
        self.appName = appName
        self.created = created
        self.redactedToken = redactedToken
        self.isInUse = isInUse
        self.revoked = revoked
    }
}

public struct RepositoryFacts: Sendable, Codable, Equatable {
    public var name: String?
    public var url: String
    public var enabled: Bool
    public init(name: String?, url: String, enabled: Bool = true) {
        self.name = name
        self.url = url
        self.enabled = enabled
    }
}

public struct PlaybackFacts: Sendable, Codable, Equatable {
    public var userId: String
    public var type: String
    public var date: Date
    public init(userId: String, type: String, date: Date) {
        self.userId = userId
        self.type = type
        self.date = date
    }
}
