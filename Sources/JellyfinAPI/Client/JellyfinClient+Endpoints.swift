import Foundation

/// One method per endpoint of facts §5.1 that auditing and hardening need.
extension JellyfinClient {
    // MARK: Plumbing

    private func fetch(_ path: String, query: [(String, String)] = [], authenticated: Bool = true) async throws(JellyfinAPIError)
        -> JellyfinResponse
    {
        let endpoint = "GET \(path)"
        let response = try await send(.get, path, query: query, authenticated: authenticated)
        guard response.status == 200 else {
            throw Self.statusError(response, endpoint: endpoint, credentialSent: authenticated)
        }
        return response
    }

    private func fetchModel<Model: JSONReadableModel>(
        _ type: Model.Type, _ path: String, query: [(String, String)] = [], authenticated: Bool = true
    ) async throws(JellyfinAPIError) -> Model {
        let response = try await fetch(path, query: query, authenticated: authenticated)
        return try Self.decode(type, from: response, endpoint: "GET \(path)")
    }

    private func fetchArray<Model: JSONReadableModel>(
        _ type: Model.Type, _ path: String, query: [(String, String)] = [], authenticated: Bool = true
    ) async throws(JellyfinAPIError) -> [Model] {
        let response = try await fetch(path, query: query, authenticated: authenticated)
        let endpoint = "GET \(path)"
        return try Self.decodeArray(type, from: try Self.parseJSON(response, endpoint: endpoint), endpoint: endpoint)
    }

    /// Sends a write and expects 204 (or 200); anything else is an error.
    @discardableResult
    private func write(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil, endpointName: String? = nil
    ) async throws(JellyfinAPIError) -> JellyfinResponse {
        let endpoint = endpointName ?? "\(method.rawValue) \(path)"
        let response = try await send(method, path, query: query, body: body)
        guard response.status == 204 || response.status == 200 else {
            throw Self.statusError(response, endpoint: endpoint, credentialSent: true)
        }
        return response
    }

    private static func userPath(_ id: String) throws(JellyfinAPIError) -> String {
        guard JellyfinID.isValid(id) else { throw .badRequest(endpoint: "/Users/{userId}", detail: "'\(id.prefix(40))' is not a user id") }
        return "/Users/\(id)"
    }

    // MARK: System

    /// `GET /System/Info/Public`, always anonymous.
    public func publicSystemInfo() async throws(JellyfinAPIError) -> PublicSystemInfo {
        try await fetchModel(PublicSystemInfo.self, "/System/Info/Public", authenticated: false)
    }

    /// `GET /System/Info`: anonymous before the wizard, then any signed-in user.
    public func systemInfo(anonymous: Bool = false) async throws(JellyfinAPIError) -> SystemInfo {
        try await fetchModel(SystemInfo.self, "/System/Info", authenticated: !anonymous)
    }

    public func serverConfiguration() async throws(JellyfinAPIError) -> ServerConfiguration {
        try await fetchModel(ServerConfiguration.self, "/System/Configuration")
    }

    /// Replaces the whole server configuration: pass the object as read, with only the intended changes.
    public func updateServerConfiguration(_ configuration: ServerConfiguration) async throws(JellyfinAPIError) {
        try await write(.post, "/System/Configuration", body: .object(configuration.json))
    }

    /// `GET /System/Configuration/{key}` as a raw object (`network`, `encoding`, `branding`, …).
    public func namedConfiguration(_ key: String) async throws(JellyfinAPIError) -> JSONObject {
        let path = "/System/Configuration/\(ServerAddress.encode(key))"
        let response = try await fetch(path)
        let value = try Self.parseJSON(response, endpoint: "GET \(path)")
        guard let object = value.objectValue else {
            throw .malformedResponse(endpoint: "GET \(path)", detail: "expected an object, found \(value.kindName)")
        }
        return object
    }

    public func updateNamedConfiguration(_ key: String, _ object: JSONObject) async throws(JellyfinAPIError) {
        try await write(.post, "/System/Configuration/\(ServerAddress.encode(key))", body: .object(object))
    }

    public func networkConfiguration() async throws(JellyfinAPIError) -> NetworkConfiguration {
        let object = try await namedConfiguration("network")
        do {
            return try NetworkConfiguration(json: object)
        } catch {
            throw .malformedResponse(endpoint: "GET /System/Configuration/network", detail: "NetworkConfiguration \(error)")
        }
    }

    public func updateNetworkConfiguration(_ configuration: NetworkConfiguration) async throws(JellyfinAPIError) {
        try await updateNamedConfiguration("network", configuration.json)
    }

    /// `GET /System/Logs`: the server's log files (admin).
    public func logFiles() async throws(JellyfinAPIError) -> [LogFile] {
        try await fetchArray(LogFile.self, "/System/Logs")
    }

    /// `GET /System/Logs/Log?name=`: one log file's text (admin).
    public func logFile(named name: String) async throws(JellyfinAPIError) -> String {
        try await fetch("/System/Logs/Log", query: [("name", name)]).text
    }

    // MARK: Users

    /// `GET /Users`: every user with its whole policy.
    public func users() async throws(JellyfinAPIError) -> [UserDto] {
        try await fetchArray(UserDto.self, "/Users")
    }

    /// `GET /Users/Public` without any credential: what the login screen shows to anyone.
    public func publicUsers() async throws(JellyfinAPIError) -> [UserDto] {
        try await fetchArray(UserDto.self, "/Users/Public", authenticated: false)
    }

    public func user(id: String) async throws(JellyfinAPIError) -> UserDto {
        try await fetchModel(UserDto.self, try Self.userPath(id))
    }

    /// `GET /Users/Me`: the signed-in user (an API key has none).
    public func me() async throws(JellyfinAPIError) -> UserDto {
        let response = try await send(.get, "/Users/Me")
        if response.status == 400, case .apiKey = configuration.credential {
            throw .needsUserSession(endpoint: "GET /Users/Me")
        }
        guard response.status == 200 else { throw Self.statusError(response, endpoint: "GET /Users/Me", credentialSent: true) }
        return try Self.decode(UserDto.self, from: response, endpoint: "GET /Users/Me")
    }

    /// `POST /Users?userId=`: writes the whole user back (renames when `Name` changed).
    public func updateUser(_ user: UserDto) async throws(JellyfinAPIError) {
        _ = try Self.userPath(user.id)
        try await write(.post, "/Users", query: [("userId", user.id)], body: .object(user.json))
    }

    /// `POST /Users/{id}/Policy`: replaces the whole policy.
    public func updatePolicy(userId: String, _ policy: UserPolicy) async throws(JellyfinAPIError) {
        try await write(.post, try Self.userPath(userId) + "/Policy", body: .object(policy.json))
    }

    /// `POST /Users/Password?userId=`. An admin changing another user's password needs no current one.
    public func setPassword(userId: String, current: Secret?, new: Secret) async throws(JellyfinAPIError) {
        _ = try Self.userPath(userId)
        var body: JSONObject = JSONObject(["NewPw": .string(new.exposedValue), "ResetPassword": false])
        if let current { body["CurrentPw"] = .string(current.exposedValue) }
        try await write(.post, "/Users/Password", query: [("userId", userId)], body: .object(body), endpointName: "POST /Users/Password")
    }

    /// `POST /Users/New`: a new user with the server's default policy (hidden, lockout off).
    public func createUser(name: String, password: Secret?) async throws(JellyfinAPIError) -> UserDto {
        var body = JSONObject(["Name": .string(name)])
        if let password { body["Password"] = .string(password.exposedValue) }
        let response = try await send(.post, "/Users/New", body: .object(body))
        guard response.status == 200 else { throw Self.statusError(response, endpoint: "POST /Users/New", credentialSent: true) }
        return try Self.decode(UserDto.self, from: response, endpoint: "POST /Users/New")
    }

    public func deleteUser(id: String) async throws(JellyfinAPIError) {
        try await write(.delete, try Self.userPath(id), endpointName: "DELETE /Users/{userId}")
    }

    // MARK: Keys, sessions, devices

    /// `GET /Auth/Keys`: API keys, with their tokens (shown only redacted).
    public func apiKeys() async throws(JellyfinAPIError) -> [APIKeyInfo] {
        let response = try await fetch("/Auth/Keys")
        return try Self.decodeQueryResult(APIKeyInfo.self, from: response, endpoint: "GET /Auth/Keys").items
    }

    public func createAPIKey(app: String) async throws(JellyfinAPIError) {
        try await write(.post, "/Auth/Keys", query: [("app", app)])
    }

    public func revokeAPIKey(_ token: Secret) async throws(JellyfinAPIError) {
        try await write(.delete, "/Auth/Keys/\(ServerAddress.encode(token.exposedValue))", endpointName: "DELETE /Auth/Keys/{key}")
    }

    public func sessions() async throws(JellyfinAPIError) -> [SessionInfo] {
        try await fetchArray(SessionInfo.self, "/Sessions")
    }

    /// `POST /Sessions/Logout`: ends this client's own session token.
    public func logout() async throws(JellyfinAPIError) {
        try await write(.post, "/Sessions/Logout")
        clearToken()
    }

    public func devices() async throws(JellyfinAPIError) -> [DeviceInfo] {
        let response = try await fetch("/Devices")
        return try Self.decodeQueryResult(DeviceInfo.self, from: response, endpoint: "GET /Devices").items
    }

    /// `DELETE /Devices?id=`: logs out every token of that device.
    public func deleteDevice(id: String) async throws(JellyfinAPIError) {
        try await write(.delete, "/Devices", query: [("id", id)])
    }

    // MARK: Activity, plugins, branding, startup

    /// One page of `GET /System/ActivityLog/Entries`, newest first.
    public func activityLog(startIndex: Int = 0, limit: Int = 100, minDate: Date? = nil, hasUserId: Bool? = nil)
        async throws(JellyfinAPIError) -> QueryResult<ActivityLogEntry>
    {
        var query = [("startIndex", String(startIndex)), ("limit", String(limit))]
        if let minDate { query.append(("minDate", JellyfinDate.format(minDate))) }
        if let hasUserId { query.append(("hasUserId", hasUserId ? "true" : "false")) }
        let response = try await fetch("/System/ActivityLog/Entries", query: query)
        return try Self.decodeQueryResult(ActivityLogEntry.self, from: response, endpoint: "GET /System/ActivityLog/Entries")
    }

    /// Every activity entry since `minDate`, page by page, stopping at `maximum` entries.
    public func activitySince(_ minDate: Date?, pageSize: Int = 500, maximum: Int = 20_000) async throws(JellyfinAPIError)
        -> [ActivityLogEntry]
    {
        var entries: [ActivityLogEntry] = []
        while entries.count < maximum {
            let page = try await activityLog(startIndex: entries.count, limit: pageSize, minDate: minDate)
            entries.append(contentsOf: page.items)
            if page.items.count < pageSize || entries.count >= page.totalRecordCount { break }
        }
        return entries
    }

    public func plugins() async throws(JellyfinAPIError) -> [PluginInfo] {
        try await fetchArray(PluginInfo.self, "/Plugins")
    }

    public func repositories() async throws(JellyfinAPIError) -> [RepositoryInfo] {
        try await fetchArray(RepositoryInfo.self, "/Repositories")
    }

    /// `GET /QuickConnect/Enabled`, anonymous.
    public func quickConnectEnabled() async throws(JellyfinAPIError) -> Bool {
        let response = try await fetch("/QuickConnect/Enabled", authenticated: false)
        guard let flag = try Self.parseJSON(response, endpoint: "GET /QuickConnect/Enabled").boolValue else {
            throw .malformedResponse(endpoint: "GET /QuickConnect/Enabled", detail: "expected true or false")
        }
        return flag
    }

    /// `GET /Branding/Configuration`, anonymous.
    public func branding() async throws(JellyfinAPIError) -> BrandingOptions {
        try await fetchModel(BrandingOptions.self, "/Branding/Configuration", authenticated: false)
    }

    /// `GET /Startup/Configuration`: answers anonymously only while the wizard is open.
    public func startupConfiguration(anonymous: Bool = true) async throws(JellyfinAPIError) -> StartupConfiguration {
        try await fetchModel(StartupConfiguration.self, "/Startup/Configuration", authenticated: !anonymous)
    }

    /// `GET /Startup/User`: the first user's name, while the wizard is open.
    public func startupUser(anonymous: Bool = true) async throws(JellyfinAPIError) -> StartupUser {
        try await fetchModel(StartupUser.self, "/Startup/User", authenticated: !anonymous)
    }
}

/// `LogFile` of `GET /System/Logs`.
public struct LogFile: JSONReadableModel, Equatable {
    public static let schemaName = "LogFile"
    public var name: String
    public var size: Int
    public var dateModified: Date?

    public init(json: JSONObject) throws(JSONShapeError) {
        name = try json.require("Name")
        size = try json.value("Size") ?? 0
        dateModified = try json.value("DateModified")
    }
}
