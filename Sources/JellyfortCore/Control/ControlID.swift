import Foundation

/// Every control id of the catalogue (controls.md), in catalogue order. Ids are stable and never
/// reused; a mistyped id does not compile, and a test holds this list to the built-in controls.
public enum ControlID: String, Sendable, Hashable, Codable, CaseIterable, Comparable, CustomStringConvertible {
    case containerRootless = "container.rootless"
    case containerLeastPrivilege = "container.least-privilege"
    case containerClientIP = "container.client-ip"
    case containerMediaReadOnly = "container.media-readonly"
    case containerPrivateLabels = "container.private-labels"
    case containerAutoUpdate = "container.autoupdate"
    case serverVersionCurrent = "server.version-current"
    case proxyTLS = "proxy.tls"
    case proxyDirectPortClosed = "proxy.direct-port-closed"
    case proxyKnownProxies = "proxy.known-proxies"
    case proxySecurityHeaders = "proxy.security-headers"
    case proxyLogRedaction = "proxy.log-redaction"
    case networkIPAllowList = "network.ip-allowlist"
    case proxyObscureDomain = "proxy.obscure-domain"
    case authAdminPassword = "auth.admin-password"
    case accountsSeparateAdmin = "accounts.separate-admin"
    case adminRemoteAccess = "admin.remote-access"
    case loginHiddenUsers = "login.hidden-users"
    case authLockout = "auth.lockout"
    case sessionsSingle = "sessions.single"
    case adminRenamed = "admin.renamed"
    case mediaNoDeletion = "media.no-deletion"
    case edgeCDNOriginLock = "edge.cdn-origin-lock"
    case serverStartupWizard = "server.startup-wizard"
    case serverLegacyAuth = "server.legacy-auth"
    case serverMetrics = "server.metrics"
    case serverQuickConnect = "server.quickconnect"
    case serverRestartUnauthenticated = "server.restart-unauthenticated"
    case networkLocalSubnets = "network.local-subnets"
    case networkAutoDiscovery = "network.autodiscovery"
    case networkCORS = "network.cors"
    case usersRemoteControl = "users.remote-control"
    case apiKeys = "api.keys"
    case devicesStale = "devices.stale"
    case pluginsRepositories = "plugins.repositories"
    case authBruteForceBan = "auth.brute-force-ban"
    case loginUserEnumeration = "login.user-enumeration"

    public var description: String { rawValue }

    /// Catalogue order.
    public static func < (lhs: ControlID, rhs: ControlID) -> Bool {
        order[lhs, default: 0] < order[rhs, default: 0]
    }

    private static let order: [ControlID: Int] = Dictionary(uniqueKeysWithValues: allCases.enumerated().map { ($1, $0) })

    /// Reads an id a person typed (`--only`, `jellyfort.yml`), or nil with nothing guessed.
    public init?(typed text: String) {
        self.init(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased())
    }
}
