import Foundation
import JellyfinAPI

extension EmulatedServer {
    // MARK: DTOs

    func userDto(_ user: User) -> JSONObject {
        // 12.0 made HasPassword obsolete and always true (facts §1).
        let hasPassword = version.isTwelveOrLater ? true : !user.password.isEmpty
        var dto = JSONObject([
            "Name": .string(user.name), "ServerId": .string(serverId), "Id": .string(user.id),
            "HasPassword": .bool(hasPassword), "HasConfiguredPassword": .bool(hasPassword), "HasConfiguredEasyPassword": false,
            "EnableAutoLogin": false, "Configuration": .object(user.configuration), "Policy": .object(user.policy),
        ])
        if let date = user.lastLoginDate { dto["LastLoginDate"] = .string(JellyfinDate.format(date)) }
        if let date = user.lastActivityDate { dto["LastActivityDate"] = .string(JellyfinDate.format(date)) }
        return dto
    }

    func user(byId id: String?) throws -> User {
        guard let id, JellyfinID.isValid(id) else { throw RequestFailure.status(400, "The value '\(id ?? "")' is not valid.") }
        guard let user = users.first(where: { $0.id == id.lowercased() }) else { throw RequestFailure.status(404, "User not found") }
        return user
    }

    func index(ofUser id: String) -> Int? { users.firstIndex { $0.id == id } }

    func listUsers(_ request: EmulatorRequest) -> [JSONValue] {
        let hidden = request.queryValue("isHidden").map { $0.lowercased() == "true" }
        let disabled = request.queryValue("isDisabled").map { $0.lowercased() == "true" }
        return users.filter { user in
            (hidden == nil || user.policy["IsHidden"]?.boolValue == hidden)
                && (disabled == nil || user.policy["IsDisabled"]?.boolValue == disabled)
        }.map { .object(userDto($0)) }
    }

    /// `/Users/Public`: not hidden, not disabled; after the wizard, remote callers do not see
    /// users without remote access, and a caller's device must be allowed.
    func publicUsers(caller: Caller) -> [JSONValue] {
        users.filter { user in
            guard user.policy["IsHidden"]?.boolValue != true, user.policy["IsDisabled"]?.boolValue != true else { return false }
            guard wizardCompleted else { return true }
            if !caller.isInLocalNetwork, user.policy["EnableRemoteAccess"]?.boolValue == false { return false }
            if caller.identity != nil, let deviceId = caller.authorization["DeviceId"], user.policy["EnableAllDevices"]?.boolValue == false
            {
                let allowed = user.policy["EnabledDevices"]?.arrayValue?.compactMap(\.stringValue) ?? []
                if !allowed.contains(deviceId) { return false }
            }
            return true
        }.map { .object(userDto($0)) }
    }

    static func isValidUserName(_ name: String) -> Bool {
        guard let first = name.first, let last = name.last, !first.isWhitespace, !last.isWhitespace else { return false }
        return name.allSatisfy { $0.isLetter || $0.isNumber || " _-'.@+".contains($0) }
    }

    // MARK: Writes

    func updatePolicy(userId: String, request: EmulatorRequest) throws -> EmulatorResponse {
        var target = try user(byId: userId)
        let posted = try bodyObject(request)
        for key in ["AuthenticationProviderId", "PasswordResetProviderId"] where posted[key]?.stringValue?.isEmpty ?? true {
            throw RequestFailure.status(400, "The \(key) field is required.")
        }
        // Type check of the fields Jellyfin binds: a wrong type is a 400 from the JSON binder.
        for (key, value) in posted.pairs {
            guard let expected = policyDefaults[key] else { continue }
            let compatible: Bool =
                switch (expected, value) {
                case (.bool, .bool), (.int, .int), (.string, .string), (.array, .array), (_, .null): true
                default: false
                }
            guard compatible else {
                throw RequestFailure.status(400, "The JSON value could not be converted to UserPolicy. Path: $.\(key)")
            }
        }
        var policy = policyDefaults.replacingKnownFields(with: posted)
        for key in ["MaxParentalRating", "MaxParentalSubRating"] where posted[key] != nil { policy[key] = posted[key] }
        let isAdmin = policy["IsAdministrator"]?.boolValue == true
        if !isAdmin, target.policy["IsAdministrator"]?.boolValue == true,
            users.filter({ $0.policy["IsAdministrator"]?.boolValue == true }).count == 1
        {
            throw RequestFailure.controller(403, "There must be at least one user in the system with administrative access.")
        }
        if isAdmin, policy["IsDisabled"]?.boolValue == true {
            throw RequestFailure.controller(403, "Administrators cannot be disabled.")
        }
        if policy["IsDisabled"]?.boolValue == true,
            !users.contains(where: { $0.id != target.id && $0.policy["IsDisabled"]?.boolValue != true })
        {
            throw RequestFailure.controller(403, "There must be at least one enabled user in the system.")
        }
        // -1 is stored as "off" and shown as -1; 0 is stored as 3 (facts §2).
        if policy["LoginAttemptsBeforeLockout"]?.intValue == 0 { policy["LoginAttemptsBeforeLockout"] = 3 }
        let wasDisabled = target.policy["IsDisabled"]?.boolValue == true
        target.policy = policy
        if let position = index(ofUser: target.id) { users[position] = target }
        if !wasDisabled, policy["IsDisabled"]?.boolValue == true {
            for token in tokens.values where token.userId == target.id { endSession(token: token.token) }
        }
        return .empty(204)
    }

    func updateUser(_ request: EmulatorRequest, caller: Caller) throws -> EmulatorResponse {
        let callerUserId: String? = if case .user(let id, _) = caller.identity { id } else { nil }
        let userId = request.queryValue("userId") ?? callerUserId
        var target = try user(byId: userId)
        if !isAdministrator(caller) {
            guard callerUserId == target.id, target.policy["EnableUserPreferenceAccess"]?.boolValue != false else {
                throw RequestFailure.status(403, "User is not allowed to update the user.")
            }
        }
        let posted = try bodyObject(request)
        guard let configuration = posted["Configuration"]?.objectValue else {
            throw RequestFailure.status(400, "The Configuration field is required.")
        }
        if let newName = posted["Name"]?.stringValue, newName != target.name {
            guard Self.isValidUserName(newName) else {
                throw RequestFailure.status(
                    400,
                    "Usernames can contain unicode symbols, numbers (0-9), dashes (-), underscores (_), apostrophes ('), and periods (.)")
            }
            let collides = users.contains { $0.id != target.id && $0.name.lowercased() == newName.lowercased() }
            if collides || (!version.isTwelveOrLater && newName.lowercased() == target.name.lowercased()) {
                throw RequestFailure.status(400, "A user with the name '\(newName)' already exists.")
            }
            target.name = newName
        }
        target.configuration = JellyfinDefaults.userConfiguration.replacingKnownFields(with: configuration)
        if let position = index(ofUser: target.id) { users[position] = target }
        return .empty(204)
    }

    func createUser(_ request: EmulatorRequest) throws -> EmulatorResponse {
        let posted = try bodyObject(request)
        guard let name = posted["Name"]?.stringValue, Self.isValidUserName(name) else {
            throw RequestFailure.status(
                400, "Usernames can contain unicode symbols, numbers (0-9), dashes (-), underscores (_), apostrophes ('), and periods (.)")
        }
        guard !users.contains(where: { $0.name.lowercased() == name.lowercased() }) else {
            throw RequestFailure.status(400, "A user with the name '\(name)' already exists.")
        }
        let user = User(
            id: JellyfinID.random(), name: name, password: posted["Password"]?.stringValue ?? "",
            policy: JellyfinDefaults.newUserPolicy.merging(policyDefaults.filter(notIn: JellyfinDefaults.policyDTODefaults)),
            configuration: JellyfinDefaults.userConfiguration)
        users.append(user)
        record("User \(name) has been created", type: "UserCreated", userId: user.id, shortOverview: nil)
        return .json(.object(userDto(user)))
    }

    func deleteUser(id: String) throws -> EmulatorResponse {
        let target = try user(byId: id)
        if target.policy["IsAdministrator"]?.boolValue == true, users.filter({ $0.policy["IsAdministrator"]?.boolValue == true }).count == 1
        {
            throw RequestFailure.status(400, "The last administrator cannot be deleted.")
        }
        guard users.count > 1 else { throw RequestFailure.status(500, "The last user cannot be deleted.") }
        for token in tokens.values where token.userId == target.id { endSession(token: token.token) }
        users.removeAll { $0.id == target.id }
        record("User \(target.name) has been deleted", type: "UserDeleted", userId: JellyfinDefaults.emptyGuid, shortOverview: nil)
        return .empty(204)
    }

    func updatePassword(_ request: EmulatorRequest, caller: Caller) throws -> EmulatorResponse {
        let callerUserId: String? = if case .user(let id, _) = caller.identity { id } else { nil }
        let target = try user(byId: request.queryValue("userId") ?? callerUserId)
        let isAdmin = isAdministrator(caller)
        guard isAdmin || callerUserId == target.id else { throw RequestFailure.status(403, "User is not allowed to update the password.") }
        let posted = try bodyObject(request)
        if posted["ResetPassword"]?.boolValue == true {
            guard target.policy["IsAdministrator"]?.boolValue != true else {
                throw RequestFailure.status(400, "Admin user passwords must not be empty")
            }
            if let position = index(ofUser: target.id) { users[position].password = "" }
        } else {
            // The current password is checked for non-admins and for an admin changing their own.
            if !isAdmin || callerUserId == target.id {
                let current = posted["CurrentPw"]?.stringValue ?? posted["CurrentPassword"]?.stringValue ?? ""
                let outcome = checkPassword(of: target.id, password: current, caller: caller)
                guard outcome == nil else { throw RequestFailure.status(403, "Invalid user or password entered.") }
            }
            let newPassword = posted["NewPw"]?.stringValue ?? ""
            if newPassword.isEmpty, target.policy["IsAdministrator"]?.boolValue == true {
                throw RequestFailure.status(400, "Admin user passwords must not be empty")
            }
            if let position = index(ofUser: target.id) { users[position].password = newPassword }
        }
        // Every other token of that user is revoked.
        let keep: String? = if case .user(_, let token) = caller.identity { token } else { nil }
        for token in tokens.values where token.userId == target.id && token.token != keep { endSession(token: token.token) }
        record("Password was changed for user \(target.name)", type: "UserPasswordChanged", userId: target.id, shortOverview: nil)
        return .empty(204)
    }

    func setStartupUser(_ request: EmulatorRequest) throws -> EmulatorResponse {
        let posted = try bodyObject(request)
        if users.isEmpty {
            users.append(
                User(
                    id: JellyfinID.random(), name: "root", password: "", policy: JellyfinDefaults.firstAdminPolicy,
                    configuration: JellyfinDefaults.userConfiguration))
        }
        if version.isTwelveOrLater, !users[0].password.isEmpty {
            throw RequestFailure.status(403, "The first user already has a password.")
        }
        if let name = posted["Name"]?.stringValue, Self.isValidUserName(name) { users[0].name = name }
        if let password = posted["Password"]?.stringValue { users[0].password = password }
        return .empty(204)
    }

    // MARK: Sign-in

    enum PasswordOutcome: Equatable { case unknownUser, disabled, remoteForbidden, outsideSchedule, wrongPassword }

    /// `UserManager.AuthenticateUser`: the checks in Jellyfin's order, with their log lines,
    /// the failed-attempt counter and the lockout. nil means the password was right.
    func checkPassword(of userId: String?, name: String? = nil, password: String, caller: Caller) -> PasswordOutcome? {
        let ip = caller.address.description
        let position =
            userId.flatMap(index(ofUser:)) ?? name.flatMap { name in users.firstIndex { $0.name.lowercased() == name.lowercased() } }
        guard let position else {
            log.write(.deny(.denied, user: name ?? "", ip: ip))
            return .unknownUser
        }
        let user = users[position]
        if user.policy["IsDisabled"]?.boolValue == true {
            log.write(.deny(.disabled, user: user.name, ip: ip))
            return .disabled
        }
        if !caller.isInLocalNetwork, user.policy["EnableRemoteAccess"]?.boolValue == false {
            log.write(.deny(.remoteForbidden, user: user.name, ip: ip))
            return .remoteForbidden
        }
        if isOutsideSchedule(user.policy) {
            log.write(.deny(.parental, user: user.name, ip: ip))
            return .outsideSchedule
        }
        guard user.password == password else {
            let attempts = (user.policy["InvalidLoginAttemptCount"]?.intValue ?? 0) + 1
            users[position].policy["InvalidLoginAttemptCount"] = .int(Int64(attempts))
            record(
                "Failed login attempt from \(ip)", type: "AuthenticationFailed", userId: JellyfinDefaults.emptyGuid,
                shortOverview: "IP address: \(ip)", severity: "Error")
            let maximum = user.policy["LoginAttemptsBeforeLockout"]?.intValue ?? -1
            if maximum >= 0 || maximum < -1, attempts >= maximum {
                // 10.11.11 logs and records the lockout but never saves IsDisabled (facts §2).
                if lockoutPersists { users[position].policy["IsDisabled"] = true }
                record(
                    "User \(user.name) has been locked out", type: "UserLockedOut", userId: user.id, shortOverview: nil, severity: "Error")
                log.write(.lockedOut(user: user.name, attempts: attempts))
            }
            log.write(.deny(.denied, user: user.name, ip: ip))
            return .wrongPassword
        }
        users[position].policy["InvalidLoginAttemptCount"] = 0
        users[position].lastLoginDate = Date()
        users[position].lastActivityDate = Date()
        log.write(.succeeded(user: user.name))
        return nil
    }

    func isOutsideSchedule(_ policy: JSONObject) -> Bool {
        let schedules = policy["AccessSchedules"]?.arrayValue?.compactMap(\.objectValue) ?? []
        guard !schedules.isEmpty else { return false }
        let calendar = Calendar(identifier: .gregorian)
        let now = Date()
        let weekday = calendar.component(.weekday, from: now)
        let hour = Double(calendar.component(.hour, from: now)) + Double(calendar.component(.minute, from: now)) / 60
        let names = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
        return !schedules.contains { schedule in
            let day = schedule["DayOfWeek"]?.stringValue ?? "Everyday"
            let dayMatches =
                day == "Everyday" || day == names[weekday - 1]
                || (day == "Weekday" && (2...6).contains(weekday)) || (day == "Weekend" && (weekday == 1 || weekday == 7))
            let start = schedule["StartHour"]?.doubleValue ?? 0
            let end = schedule["EndHour"]?.doubleValue ?? 24
            return dayMatches && hour >= start && hour < end
        }
    }

    func authenticateByName(_ request: EmulatorRequest, caller: Caller) throws -> EmulatorResponse {
        for field in ["Client", "Device", "DeviceId", "Version"] where (caller.authorization[field] ?? "").isEmpty {
            throw RequestFailure.status(400, "Value cannot be null. (Parameter '\(field)')")
        }
        let posted = try bodyObject(request)
        let name = posted["Username"]?.stringValue ?? ""
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw RequestFailure.status(400, "Invalid username") }
        let password = posted["Pw"]?.stringValue ?? ""
        switch checkPassword(of: nil, name: name, password: password, caller: caller) {
        case .unknownUser?, .wrongPassword?:
            return .error(401)
        case .disabled?, .remoteForbidden?, .outsideSchedule?:
            return .error(403)
        case nil:
            break
        }
        guard let position = users.firstIndex(where: { $0.name.lowercased() == name.lowercased() }) else { return .error(401) }
        let user = users[position]
        let deviceId = caller.authorization["DeviceId"] ?? ""
        if user.policy["EnableAllDevices"]?.boolValue == false,
            !(user.policy["EnabledDevices"]?.arrayValue?.compactMap(\.stringValue) ?? []).contains(deviceId)
        {
            throw RequestFailure.status(403, "[\(caller.address)] User is not allowed access from this device.")
        }
        let sessionCount = tokens.values.filter { $0.userId == user.id && $0.hasSession }.count
        let maximum = user.policy["MaxActiveSessions"]?.intValue ?? 0
        log.write(.sessionCount(user: user.name, sessions: sessionCount, maximum: maximum))
        if maximum >= 1, sessionCount >= maximum {
            throw RequestFailure.status(403, "[\(caller.address)] User is at their maximum number of sessions.")
        }
        // A new sign-in from the same device replaces that device's token.
        for old in tokens.values where old.userId == user.id && old.deviceId == deviceId { tokens[old.token] = nil }
        let token = JellyfinID.random()
        let now = Date()
        tokens[token] = Token(
            token: token, userId: user.id, deviceId: deviceId, deviceName: caller.authorization["Device"] ?? "",
            client: caller.authorization["Client"] ?? "", version: caller.authorization["Version"] ?? "", created: now,
            lastActivity: now, remoteAddress: caller.address.description, hasSession: true, nowPlaying: nil, sessionId: JellyfinID.random())
        log.write(.newToken(user: user.name))
        record(
            "\(user.name) successfully authenticated", type: "AuthenticationSucceeded", userId: user.id,
            shortOverview: "IP address: \(caller.address)")
        record(
            "\(user.name) is online from \(caller.authorization["Device"] ?? "")", type: "SessionStarted", userId: user.id,
            shortOverview: "IP address: \(caller.address)")
        return .json([
            "User": .object(userDto(users[position])), "SessionInfo": .object(sessionDto(tokens[token]!)),
            "AccessToken": .string(token), "ServerId": .string(serverId),
        ])
    }

    // MARK: Sessions and devices

    func sessionDto(_ token: Token) -> JSONObject {
        let user = users.first { $0.id == token.userId }
        var dto = JSONObject([
            "Id": .string(token.sessionId), "UserId": .string(token.userId), "UserName": .string(user?.name ?? ""),
            "Client": .string(token.client), "DeviceName": .string(token.deviceName), "DeviceId": .string(token.deviceId),
            "ApplicationVersion": .string(token.version), "RemoteEndPoint": .string(token.remoteAddress),
            "LastActivityDate": .string(JellyfinDate.format(token.lastActivity)),
            "LastPlaybackCheckIn": .string(JellyfinDate.format(token.lastActivity)),
            "IsActive": true, "SupportsMediaControl": false, "SupportsRemoteControl": false, "HasCustomDeviceName": false,
            "PlayableMediaTypes": [], "SupportedCommands": [], "AdditionalUsers": [], "NowPlayingQueue": [],
            "NowPlayingQueueFullItems": [], "ServerId": .string(serverId),
            "PlayState": ["CanSeek": false, "IsPaused": false, "IsMuted": false, "RepeatMode": "RepeatNone", "PlaybackOrder": "Default"],
            "Capabilities": [
                "PlayableMediaTypes": [], "SupportedCommands": [], "SupportsMediaControl": false, "SupportsPersistentIdentifier": true,
            ],
        ])
        if let playing = token.nowPlaying {
            dto["NowPlayingItem"] = ["Name": .string(playing), "Id": .string(JellyfinID.random()), "Type": "Movie", "MediaType": "Video"]
        }
        return dto
    }

    func sessions(for caller: Caller) -> [JSONValue] {
        let live = tokens.values.filter(\.hasSession).sorted { $0.lastActivity > $1.lastActivity }
        if isAdministrator(caller) { return live.map { .object(sessionDto($0)) } }
        guard case .user(let id, _) = caller.identity else { return [] }
        return live.filter { $0.userId == id }.map { .object(sessionDto($0)) }
    }

    func endSession(token: String) {
        guard let ended = tokens.removeValue(forKey: token) else { return }
        if ended.hasSession, let user = users.first(where: { $0.id == ended.userId }) {
            record(
                "\(user.name) has disconnected from \(ended.deviceName)", type: "SessionEnded", userId: user.id,
                shortOverview: "IP address: \(ended.remoteAddress)")
        }
    }

    func devices() -> [JSONValue] {
        tokens.values.sorted { $0.lastActivity > $1.lastActivity }.map { token in
            let user = users.first { $0.id == token.userId }
            return [
                "Id": .string(token.deviceId), "Name": .string(token.deviceName), "CustomName": "", "AccessToken": .string(token.token),
                "AppName": .string(token.client), "AppVersion": .string(token.version), "LastUserName": .string(user?.name ?? ""),
                "LastUserId": .string(token.userId), "DateLastActivity": .string(JellyfinDate.format(token.lastActivity)),
                "Capabilities": [
                    "PlayableMediaTypes": [], "SupportedCommands": [], "SupportsMediaControl": false, "SupportsPersistentIdentifier": true,
                ],
            ]
        }
    }

    func apiKeyDto(_ key: APIKey) -> JSONValue {
        [
            "Id": .int(Int64(key.id)), "AccessToken": .string(key.token), "DeviceId": "", "AppName": .string(key.app), "AppVersion": "",
            "DeviceName": "", "UserId": .string(JellyfinDefaults.emptyGuid), "IsActive": true,
            "DateCreated": .string(JellyfinDate.format(key.created)), "UserName": "",
        ]
    }

    // MARK: Activity

    func record(_ name: String, type: String, userId: String, shortOverview: String?, severity: String = "Information") {
        activity.append(
            Activity(
                id: (activity.last?.id ?? 0) + 1, name: name, shortOverview: shortOverview, overview: nil, type: type, date: Date(),
                userId: userId, severity: severity))
    }

    func activityPage(_ request: EmulatorRequest) -> JSONValue {
        let start = max(0, request.queryValue("startIndex").flatMap(Int.init) ?? 0)
        let limit = max(0, request.queryValue("limit").flatMap(Int.init) ?? 100)
        let minDate = request.queryValue("minDate").flatMap(JellyfinDate.parse)
        let hasUserId = request.queryValue("hasUserId").map { $0.lowercased() == "true" }
        let matching = activity.reversed().filter { entry in
            (minDate == nil || entry.date >= minDate!)
                && (hasUserId == nil || (entry.userId != JellyfinDefaults.emptyGuid) == hasUserId)
        }
        let page = matching.dropFirst(start).prefix(limit).map { entry -> JSONValue in
            var object = JSONObject([
                "Id": .int(Int64(entry.id)), "Name": .string(entry.name), "Type": .string(entry.type),
                "Date": .string(JellyfinDate.format(entry.date)), "UserId": .string(entry.userId), "Severity": .string(entry.severity),
            ])
            if let short = entry.shortOverview { object["ShortOverview"] = .string(short) }
            return .object(object)
        }
        return ["Items": .array(Array(page)), "TotalRecordCount": .int(Int64(matching.count)), "StartIndex": .int(Int64(start))]
    }
}
