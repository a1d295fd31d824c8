import Foundation

/// Who may call a route: Jellyfin's authorization policies (facts §5.0).
enum AccessPolicy: Sendable {
    case anonymous
    /// `DefaultAuthorization`: any signed-in user that is not remote-blocked.
    case authenticated
    /// `RequiresElevation`: administrators and API keys.
    case elevated
    /// Anonymous until the startup wizard is complete, then administrators.
    case firstTimeSetupOrElevated
    /// Anonymous until the startup wizard is complete, then any signed-in user.
    case firstTimeSetupOrAuthenticated
    /// Any LAN address without authentication, or an administrator (`POST /System/Restart`).
    case localAccessOrElevated
}

enum RouteID: Sendable {
    case systemInfoPublic, systemInfo, ping, pingPost, restart, logs, logFile, endpoint
    case getConfiguration, postConfiguration, getNamedConfiguration, postNamedConfiguration
    case users, publicUsers, user, me, updateUser, deleteUser, updatePolicy, updatePassword, newUser, authenticateByName
    case apiKeys, createAPIKey, revokeAPIKey, sessions, logout, devices, deleteDevice
    case activity, plugins, repositories, setRepositories, quickConnectEnabled, branding
    case startupConfiguration, setStartupConfiguration, startupUser, startupFirstUser, setStartupUser, startupRemoteAccess, startupComplete
    case metrics, health
}

/// One route the emulator serves. Every route but the two outside Jellyfin's controllers
/// (`/metrics`, `/health`) exists in Jellyfin's OpenAPI document; a test checks it.
public struct EmulatorRoute: Sendable {
    let id: RouteID
    public let method: String
    public let template: String
    let policy: AccessPolicy
    /// Served by middleware, not a controller, so absent from the OpenAPI document.
    public var isOutsideControllers: Bool { id == .metrics || id == .health }

    private var segments: [Substring] { template.split(separator: "/") }

    /// Path parameters when `path` matches (case-insensitively, as ASP.NET routes do).
    func match(method requestMethod: String, path: String) -> [String: String]? {
        guard requestMethod == method || (requestMethod == "HEAD" && method == "GET") else { return nil }
        return matchPath(path)
    }

    func matchPath(_ path: String) -> [String: String]? {
        let parts = path.split(separator: "/")
        let pattern = segments
        guard parts.count == pattern.count else { return nil }
        var parameters: [String: String] = [:]
        for (part, expected) in zip(parts, pattern) {
            if expected.hasPrefix("{") {
                parameters[String(expected.dropFirst().dropLast())] = String(part).removingPercentEncoding ?? String(part)
            } else if part.lowercased() != expected.lowercased() {
                return nil
            }
        }
        return parameters
    }

    public static let all: [EmulatorRoute] = [
        .init(id: .systemInfoPublic, method: "GET", template: "/System/Info/Public", policy: .anonymous),
        .init(id: .systemInfo, method: "GET", template: "/System/Info", policy: .firstTimeSetupOrAuthenticated),
        .init(id: .ping, method: "GET", template: "/System/Ping", policy: .anonymous),
        .init(id: .pingPost, method: "POST", template: "/System/Ping", policy: .anonymous),
        .init(id: .restart, method: "POST", template: "/System/Restart", policy: .localAccessOrElevated),
        .init(id: .endpoint, method: "GET", template: "/System/Endpoint", policy: .authenticated),
        .init(id: .logs, method: "GET", template: "/System/Logs", policy: .elevated),
        .init(id: .logFile, method: "GET", template: "/System/Logs/Log", policy: .elevated),
        .init(id: .getConfiguration, method: "GET", template: "/System/Configuration", policy: .authenticated),
        .init(id: .postConfiguration, method: "POST", template: "/System/Configuration", policy: .elevated),
        .init(id: .getNamedConfiguration, method: "GET", template: "/System/Configuration/{key}", policy: .authenticated),
        .init(id: .postNamedConfiguration, method: "POST", template: "/System/Configuration/{key}", policy: .elevated),
        .init(id: .users, method: "GET", template: "/Users", policy: .authenticated),
        .init(id: .publicUsers, method: "GET", template: "/Users/Public", policy: .anonymous),
        .init(id: .me, method: "GET", template: "/Users/Me", policy: .authenticated),
        .init(id: .newUser, method: "POST", template: "/Users/New", policy: .elevated),
        .init(id: .authenticateByName, method: "POST", template: "/Users/AuthenticateByName", policy: .anonymous),
        .init(id: .updatePassword, method: "POST", template: "/Users/Password", policy: .authenticated),
        .init(id: .user, method: "GET", template: "/Users/{userId}", policy: .authenticated),
        .init(id: .deleteUser, method: "DELETE", template: "/Users/{userId}", policy: .elevated),
        .init(id: .updateUser, method: "POST", template: "/Users", policy: .authenticated),
        .init(id: .updatePolicy, method: "POST", template: "/Users/{userId}/Policy", policy: .elevated),
        .init(id: .apiKeys, method: "GET", template: "/Auth/Keys", policy: .elevated),
        .init(id: .createAPIKey, method: "POST", template: "/Auth/Keys", policy: .elevated),
        .init(id: .revokeAPIKey, method: "DELETE", template: "/Auth/Keys/{key}", policy: .elevated),
        .init(id: .sessions, method: "GET", template: "/Sessions", policy: .authenticated),
        .init(id: .logout, method: "POST", template: "/Sessions/Logout", policy: .authenticated),
        .init(id: .devices, method: "GET", template: "/Devices", policy: .elevated),
        .init(id: .deleteDevice, method: "DELETE", template: "/Devices", policy: .elevated),
        .init(id: .activity, method: "GET", template: "/System/ActivityLog/Entries", policy: .elevated),
        .init(id: .plugins, method: "GET", template: "/Plugins", policy: .elevated),
        .init(id: .repositories, method: "GET", template: "/Repositories", policy: .elevated),
        .init(id: .setRepositories, method: "POST", template: "/Repositories", policy: .elevated),
        .init(id: .quickConnectEnabled, method: "GET", template: "/QuickConnect/Enabled", policy: .anonymous),
        .init(id: .branding, method: "GET", template: "/Branding/Configuration", policy: .anonymous),
        .init(id: .startupConfiguration, method: "GET", template: "/Startup/Configuration", policy: .firstTimeSetupOrElevated),
        .init(id: .setStartupConfiguration, method: "POST", template: "/Startup/Configuration", policy: .firstTimeSetupOrElevated),
        .init(id: .startupUser, method: "GET", template: "/Startup/User", policy: .firstTimeSetupOrElevated),
        .init(id: .startupFirstUser, method: "GET", template: "/Startup/FirstUser", policy: .firstTimeSetupOrElevated),
        .init(id: .setStartupUser, method: "POST", template: "/Startup/User", policy: .firstTimeSetupOrElevated),
        .init(id: .startupRemoteAccess, method: "POST", template: "/Startup/RemoteAccess", policy: .firstTimeSetupOrElevated),
        .init(id: .startupComplete, method: "POST", template: "/Startup/Complete", policy: .firstTimeSetupOrElevated),
        .init(id: .metrics, method: "GET", template: "/metrics", policy: .anonymous),
        .init(id: .health, method: "GET", template: "/health", policy: .anonymous),
    ]
}
