import Foundation
import JellyfinAPI

/// One HTTP request as the emulator sees it, independent of the HTTP framework.
public struct EmulatorRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [(String, String)]
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// The TCP peer: a proxy when there is one.
    public var connectionAddress: IPAddress

    public init(
        method: String, path: String, query: [(String, String)] = [], headers: [(String, String)] = [], body: [UInt8] = [],
        connectionAddress: IPAddress
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.connectionAddress = connectionAddress
    }

    func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    func queryValue(_ name: String) -> String? {
        query.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }
}

public struct EmulatorResponse: Sendable {
    public var status: Int
    public var contentType: String?
    public var body: [UInt8]

    /// Key order is not sorted: like Jellyfin, the order carries no meaning, and big lists are faster.
    static func json(_ value: JSONValue, status: Int = 200) -> EmulatorResponse {
        EmulatorResponse(status: status, contentType: "application/json; charset=utf-8", body: JSONWriter.bytes(value, sortedKeys: false))
    }

    static func empty(_ status: Int) -> EmulatorResponse { EmulatorResponse(status: status, contentType: nil, body: []) }

    /// What production Jellyfin sends for an exception: a fixed sentence, details hidden.
    static func error(_ status: Int) -> EmulatorResponse {
        EmulatorResponse(status: status, contentType: "text/plain", body: Array("Error processing request.".utf8))
    }

    static func text(_ text: String, status: Int = 200, contentType: String = "text/plain; charset=utf-8") -> EmulatorResponse {
        EmulatorResponse(status: status, contentType: contentType, body: Array(text.utf8))
    }
}

/// A failure inside a handler, mapped to Jellyfin's status codes by the dispatcher.
struct RequestFailure: Error {
    var response: EmulatorResponse
    /// The exception text Jellyfin would log through ExceptionMiddleware.
    var logMessage: String?

    static func status(_ status: Int, _ message: String? = nil) -> RequestFailure {
        RequestFailure(response: .error(status), logMessage: message)
    }

    /// `StatusCode(403, "text")` in a controller: a JSON string body.
    static func controller(_ status: Int, _ message: String) -> RequestFailure {
        RequestFailure(response: .json(.string(message), status: status), logMessage: nil)
    }
}

/// The state and rules of one emulated Jellyfin server.
///
/// Behaviour follows `jellyfin-facts.md`: whole-object replacement, lockout semantics (and the
/// 10.11.11 bug), session limits, `/Users/Public` filtering, remote vs LAN with `KnownProxies`
/// read only at start-up, the IP filter, and the log lines of every outcome.
public actor EmulatedServer {
    struct User {
        var id: String
        var name: String
        var password: String
        var policy: JSONObject
        var configuration: JSONObject
        var lastLoginDate: Date?
        var lastActivityDate: Date?
    }

    struct Token {
        var token: String
        var userId: String
        var deviceId: String
        var deviceName: String
        var client: String
        var version: String
        var created: Date
        var lastActivity: Date
        var remoteAddress: String
        /// A live session, listed by `/Sessions` and counted by `MaxActiveSessions`.
        var hasSession: Bool
        var nowPlaying: String?
        var sessionId: String
    }

    struct APIKey {
        var id: Int
        var token: String
        var app: String
        var created: Date
    }

    struct Activity {
        var id: Int
        var name: String
        var shortOverview: String?
        var overview: String?
        var type: String
        var date: Date
        var userId: String
        var severity: String
    }

    public let version: JellyfinVersion
    public let serverId: String
    /// `new UserPolicy()` of this server: 10.11's fields plus any the scenario adds.
    let policyDefaults: JSONObject
    let lockoutPersists: Bool
    var serverConfiguration: JSONObject
    var networkConfiguration: JSONObject
    /// `KnownProxies` as read at the last (re)start: Jellyfin reads it only then.
    var activeKnownProxies: [String]
    var branding: JSONObject
    var users: [User] = [] {
        didSet { usersResponse = nil }
    }
    /// `GET /Users` of an unchanged user list, kept because a load test asks for 10,000 users again and again.
    var usersResponse: EmulatorResponse?
    var tokens: [String: Token] = [:]
    var apiKeys: [APIKey] = []
    var activity: [Activity] = []
    var plugins: [JSONObject]
    public internal(set) var restartCount = 0
    let log: JellyfinLogWriter
    let startedAt = Date()

    public init(scenario: Scenario, log: JellyfinLogWriter) {
        let version = JellyfinVersion(scenario.version) ?? JellyfinVersion(10, 11, 11)
        self.version = version
        self.serverId = scenario.serverId
        self.lockoutPersists = scenario.lockoutPersists ?? (version != JellyfinVersion(10, 11, 11))
        self.policyDefaults = JellyfinDefaults.policyDTODefaults.merging(scenario.extraPolicyFields)
        let extra = scenario.extraPolicyFields
        let defaults = JellyfinDefaults.serverConfiguration(serverName: scenario.serverName, legacyAuthorization: !version.isTwelveOrLater)
        var configuration = defaults.merging(scenario.serverConfiguration)
        configuration["IsStartupWizardCompleted"] = .bool(scenario.wizardCompleted)
        configuration["ServerName"] = .string(scenario.serverName)
        self.serverConfiguration = configuration
        self.networkConfiguration = JellyfinDefaults.networkConfiguration.merging(scenario.networkConfiguration)
        self.activeKnownProxies = networkConfiguration["KnownProxies"]?.arrayValue?.compactMap(\.stringValue) ?? []
        self.branding = JellyfinDefaults.branding
        self.plugins = scenario.plugins
        self.log = log
        let now = Date()
        for (index, user) in scenario.users.enumerated() {
            let base = (index == 0 && user.isAdministrator) ? JellyfinDefaults.firstAdminPolicy : JellyfinDefaults.newUserPolicy
            var policy = base.merging(extra).merging(user.policy)
            if user.isAdministrator { policy["IsAdministrator"] = true }
            users.append(
                User(
                    id: JellyfinID.random(), name: user.name, password: user.password, policy: policy,
                    configuration: JellyfinDefaults.userConfiguration,
                    lastLoginDate: user.lastLoginDaysAgo.map { now.addingTimeInterval(-$0 * 86_400) },
                    lastActivityDate: user.lastLoginDaysAgo.map { now.addingTimeInterval(-$0 * 86_400) }))
        }
        if scenario.generatedUsers > 0 {
            users.reserveCapacity(users.count + scenario.generatedUsers)
            for number in 1...scenario.generatedUsers {
                users.append(
                    User(
                        id: JellyfinID.random(), name: "\(scenario.generatedUserPrefix)\(number)", password: "pw-\(number)",
                        policy: JellyfinDefaults.newUserPolicy.merging(extra), configuration: JellyfinDefaults.userConfiguration))
            }
        }
        let scenarioUsers = users
        for device in scenario.devices {
            guard let user = scenarioUsers.first(where: { $0.name.lowercased() == device.user.lowercased() }) else { continue }
            let token = device.token ?? JellyfinID.random()
            let seen = now.addingTimeInterval(-device.lastActivityDaysAgo * 86_400)
            tokens[token] = Token(
                token: token, userId: user.id, deviceId: JellyfinID.random(), deviceName: device.name, client: device.app,
                version: "10.11.11", created: seen, lastActivity: seen, remoteAddress: device.remoteAddress,
                hasSession: device.active, nowPlaying: device.nowPlaying, sessionId: JellyfinID.random())
        }
        for (index, key) in scenario.apiKeys.enumerated() {
            apiKeys.append(APIKey(id: index + 1, token: key.token, app: key.app, created: now.addingTimeInterval(-key.ageDays * 86_400)))
        }
        let namedUsers = users
        for entry in scenario.activity {
            let userId = entry.user.flatMap { name in namedUsers.first { $0.name == name }?.id } ?? JellyfinDefaults.emptyGuid
            activity.append(
                Activity(
                    id: activity.count + 1, name: entry.name, shortOverview: entry.shortOverview, overview: nil, type: entry.type,
                    date: now.addingTimeInterval(-entry.daysAgo * 86_400), userId: userId, severity: "Information"))
        }
    }

    // MARK: Inspection for tests

    /// A user's stored policy, as the server would return it.
    public func policy(ofUser name: String) -> JSONObject? {
        users.first { $0.name.lowercased() == name.lowercased() }.map { $0.policy }
    }

    public func userNames() -> [String] { users.map(\.name) }

    public var network: JSONObject { networkConfiguration }
    public var configuration: JSONObject { serverConfiguration }

    /// Adds a user directly (for tests that need a state no scenario describes).
    public func addUser(name: String, password: String, policy: JSONObject = JSONObject()) -> String {
        let id = JellyfinID.random()
        users.append(
            User(
                id: id, name: name, password: password, policy: JellyfinDefaults.newUserPolicy.merging(policy),
                configuration: JellyfinDefaults.userConfiguration))
        return id
    }

    // MARK: Dispatch

    public func handle(_ request: EmulatorRequest) -> EmulatorResponse {
        var path = request.path
        let basePath = networkConfiguration["BaseUrl"]?.stringValue ?? ""
        if !basePath.isEmpty {
            let normalized = "/" + basePath.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            guard path.lowercased().hasPrefix(normalized.lowercased()) else { return .empty(404) }
            path = String(path.dropFirst(normalized.count))
            if path.isEmpty { path = "/" }
        }
        var matched: (EmulatorRoute, [String: String])?
        for route in EmulatorRoute.all {
            if let parameters = route.match(method: request.method, path: path) {
                matched = (route, parameters)
                break
            }
        }
        guard let (route, parameters) = matched else {
            let exists = EmulatorRoute.all.contains { $0.matchPath(path) != nil }
            return .empty(exists ? 405 : 404)
        }
        if route.id == .metrics, serverConfiguration["EnableMetrics"]?.boolValue != true { return .empty(404) }

        var caller = identify(request)
        if let failure = authorize(route.policy, caller: &caller, request: request) {
            return failure
        }
        if let blocked = ipFilter(caller: caller, path: path) { return blocked }
        do {
            return try dispatch(route.id, parameters: parameters, request: request, caller: caller)
        } catch let failure as RequestFailure {
            if let message = failure.logMessage {
                log.write(.requestError(message: message, method: request.method, url: request.path))
            }
            return failure.response
        } catch {
            return .error(500)
        }
    }

    private func dispatch(_ id: RouteID, parameters: [String: String], request: EmulatorRequest, caller: Caller) throws -> EmulatorResponse
    {
        switch id {
        case .systemInfoPublic: return .json(.object(publicSystemInfo()))
        case .systemInfo: return .json(.object(systemInfo()))
        case .ping, .pingPost: return .json("Jellyfin Server")
        case .endpoint:
            // SystemController.GetEndpointInfo: IsLocal is the connection's own machine (remote
            // address equal to the local one, after X-Forwarded-For), IsInNetwork the LAN rule on
            // the client address. What the caller is, as Jellyfin sees it: the probe's question.
            return .json(["IsLocal": .bool(caller.isSameMachine), "IsInNetwork": .bool(caller.isInLocalNetwork)])
        case .restart:
            restart()
            return .empty(204)
        case .logs: return .json(.array(logFiles()))
        case .logFile: return try logFile(named: request.queryValue("name"))
        case .getConfiguration: return .json(.object(serverConfiguration))
        case .postConfiguration:
            let posted = try bodyObject(request)
            let defaults = JellyfinDefaults.serverConfiguration(serverName: "", legacyAuthorization: !version.isTwelveOrLater)
            serverConfiguration = defaults.replacingKnownFields(with: posted)
            return .empty(204)
        case .getNamedConfiguration: return .json(.object(try namedConfiguration(parameters["key"] ?? "")))
        case .postNamedConfiguration:
            try setNamedConfiguration(parameters["key"] ?? "", try bodyObject(request))
            return .empty(204)
        case .users:
            if request.queryValue("isHidden") != nil || request.queryValue("isDisabled") != nil { return .json(.array(listUsers(request))) }
            if let cached = usersResponse { return cached }
            let response = EmulatorResponse.json(.array(listUsers(request)))
            usersResponse = response
            return response
        case .publicUsers: return .json(.array(publicUsers(caller: caller)))
        case .user: return .json(.object(userDto(try user(byId: parameters["userId"]))))
        case .me:
            guard case .user(let userId, _) = caller.identity, let user = users.first(where: { $0.id == userId }) else {
                throw RequestFailure.status(400, "No user id supplied")
            }
            return .json(.object(userDto(user)))
        case .updateUser: return try updateUser(request, caller: caller)
        case .deleteUser: return try deleteUser(id: parameters["userId"] ?? "")
        case .updatePolicy: return try updatePolicy(userId: parameters["userId"] ?? "", request: request)
        case .updatePassword: return try updatePassword(request, caller: caller)
        case .newUser: return try createUser(request)
        case .authenticateByName: return try authenticateByName(request, caller: caller)
        case .apiKeys: return .json(queryResult(apiKeys.map(apiKeyDto)))
        case .createAPIKey:
            guard let app = request.queryValue("app"), !app.isEmpty else { throw RequestFailure.status(400, "app is required") }
            apiKeys.append(APIKey(id: (apiKeys.map(\.id).max() ?? 0) + 1, token: JellyfinID.random(), app: app, created: Date()))
            return .empty(204)
        case .revokeAPIKey:
            apiKeys.removeAll { $0.token == parameters["key"] }
            return .empty(204)
        case .sessions: return .json(.array(sessions(for: caller)))
        case .logout:
            if case .user(_, let token) = caller.identity { endSession(token: token) }
            return .empty(204)
        case .devices: return .json(queryResult(devices()))
        case .deleteDevice:
            guard let id = request.queryValue("id") else { throw RequestFailure.status(400, "id is required") }
            let matching = tokens.values.filter { $0.deviceId == id }
            guard !matching.isEmpty else { throw RequestFailure.status(404, "Device not found") }
            for token in matching { endSession(token: token.token) }
            return .empty(204)
        case .activity: return .json(activityPage(request))
        case .plugins: return .json(.array(plugins.map(JSONValue.object)))
        case .repositories: return .json(serverConfiguration["PluginRepositories"] ?? [])
        case .setRepositories:
            let posted = try JSONParser.parse(request.body)
            guard posted.arrayValue != nil else { throw RequestFailure.status(400, "expected an array") }
            serverConfiguration["PluginRepositories"] = posted
            return .empty(204)
        case .quickConnectEnabled: return .json(serverConfiguration["QuickConnectAvailable"] ?? true)
        case .branding: return .json(.object(branding))
        case .startupConfiguration:
            return .json([
                "ServerName": serverConfiguration["ServerName"] ?? "", "UICulture": serverConfiguration["UICulture"] ?? "en-US",
                "MetadataCountryCode": serverConfiguration["MetadataCountryCode"] ?? "US",
                "PreferredMetadataLanguage": serverConfiguration["PreferredMetadataLanguage"] ?? "en",
            ])
        case .setStartupConfiguration:
            let posted = try bodyObject(request)
            for key in ["ServerName", "UICulture", "MetadataCountryCode", "PreferredMetadataLanguage"] {
                if let value = posted[key], value.stringValue != nil { serverConfiguration[key] = value }
            }
            return .empty(204)
        case .startupUser, .startupFirstUser:
            if users.isEmpty {
                users.append(
                    User(
                        id: JellyfinID.random(), name: "root", password: "", policy: JellyfinDefaults.firstAdminPolicy,
                        configuration: JellyfinDefaults.userConfiguration))
            }
            return .json(["Name": .string(users[0].name)])
        case .setStartupUser: return try setStartupUser(request)
        case .startupRemoteAccess:
            let posted = try bodyObject(request)
            if let enable = posted["EnableRemoteAccess"]?.boolValue { networkConfiguration["EnableRemoteAccess"] = .bool(enable) }
            return .empty(204)
        case .startupComplete:
            serverConfiguration["IsStartupWizardCompleted"] = true
            return .empty(204)
        case .metrics:
            return .text(
                "# HELP jellyfin_users Users\n# TYPE jellyfin_users gauge\njellyfin_users \(users.count)\n",
                contentType: "text/plain; version=0.0.4")
        case .health: return .text("Healthy")
        }
    }

    // MARK: Requests' bodies

    func bodyObject(_ request: EmulatorRequest) throws -> JSONObject {
        guard !request.body.isEmpty else { throw RequestFailure.status(400, "A non-empty request body is required.") }
        let value: JSONValue
        do { value = try JSONParser.parse(request.body) } catch {
            throw RequestFailure.status(400, "The JSON value could not be converted: \(error)")
        }
        guard let object = value.objectValue else { throw RequestFailure.status(400, "The JSON value could not be converted.") }
        return object
    }

    func queryResult(_ items: [JSONValue]) -> JSONValue {
        ["Items": .array(items), "TotalRecordCount": .int(Int64(items.count)), "StartIndex": 0]
    }
}

extension JellyfinDefaults {
    static let emptyGuid = "00000000000000000000000000000000"
}
