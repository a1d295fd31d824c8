import JellyfortBase

extension Evidence {
    /// The evidence as it would be read after `change` is written: what lets the catalogue test
    /// check that a plan really makes its control pass, and lets `harden` plan one control after
    /// another on the state the earlier ones leave.
    public mutating func apply(_ change: FixChange) {
        apply([change])
    }

    /// All of `changes` at once, in time linear in the users and changes (a plan for tens of
    /// thousands of users must not look each one up by a scan).
    public mutating func apply(_ changes: [FixChange]) {
        guard !changes.isEmpty, case .observed(var view) = api else { return }
        var userIndex = Dictionary(view.users.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        var hiddenNames: Set<String> = []
        var renamed: [String: String] = [:]
        var metricsOff = false
        var revokedDevices: Set<String> = []
        for change in changes {
            switch change.target {
            case .userPolicy(let id, let name):
                if let index = userIndex[id] { view.users[index].setPolicyField(change.field, change.to) }
                if change.field == "IsHidden", change.to == true { hiddenNames.insert(name) }
            case .userName(let id, let name):
                if let index = userIndex[id], let newName = change.to.stringValue {
                    view.users[index].name = newName
                    if change.field == "Name" { renamed[name] = newName }
                }
            case .userPassword(let id, _):
                if let index = userIndex[id] { view.users[index].hasPassword = true }
            case .newMediaUser(let name):
                var user = UserFacts(
                    name: name, isHidden: true, enableRemoteAccess: true, loginAttemptsBeforeLockout: -1, maxActiveSessions: 0)
                for (field, value) in change.to.objectValue?.pairs.map({ ($0, $1) }) ?? [] { user.setPolicyField(field, value) }
                userIndex[user.id] = view.users.count
                view.users.append(user)
            case .serverConfiguration:
                if case .observed(var configuration) = view.configuration {
                    configuration.setField(change.field, change.to)
                    view.configuration = .observed(configuration)
                }
                if change.field == "EnableMetrics", change.to == false { metricsOff = true }
            case .networkConfiguration:
                if case .observed(var network) = view.network {
                    network.setField(change.field, change.to)
                    view.network = .observed(network)
                }
            case .apiKey(let index, _):
                if case .observed(var keys) = view.apiKeys, keys.indices.contains(index) {
                    keys[index].revoked = true
                    view.apiKeys = .observed(keys)
                }
            case .device(let id, _):
                revokedDevices.insert(id)
            }
        }
        if !revokedDevices.isEmpty, case .observed(var devices) = view.devices {
            for index in devices.indices where revokedDevices.contains(devices[index].id) { devices[index].hasToken = false }
            view.devices = .observed(devices)
        }
        api = .observed(view)
        // What anyone sees follows from what was written.
        guard case .observed(var anonymous) = anonymous else { return }
        if !hiddenNames.isEmpty { anonymous.publicUsers?.removeAll { hiddenNames.contains($0.name) } }
        if !renamed.isEmpty, let listed = anonymous.publicUsers {
            anonymous.publicUsers = listed.map { user in
                var user = user
                if let newName = renamed[user.name] { user.name = newName }
                return user
            }
        }
        if metricsOff, anonymous.metricsStatus == 200 { anonymous.metricsStatus = 404 }
        self.anonymous = .observed(anonymous)
    }
}

extension UserFacts {
    /// Sets a policy field by Jellyfin's JSON name; unknown names and mistyped values change nothing.
    public mutating func setPolicyField(_ field: String, _ value: JSONValue) {
        switch field {
        case "IsHidden": if let flag = value.boolValue { isHidden = flag }
        case "EnableRemoteAccess": if let flag = value.boolValue { enableRemoteAccess = flag }
        case "LoginAttemptsBeforeLockout": if let number = value.intValue { loginAttemptsBeforeLockout = number }
        case "MaxActiveSessions": if let number = value.intValue { maxActiveSessions = number }
        case "EnableContentDeletion": if let flag = value.boolValue { enableContentDeletion = flag }
        case "EnableContentDeletionFromFolders":
            if let list = value.arrayValue { enableContentDeletionFromFolders = list.compactMap(\.stringValue) }
        case "EnableRemoteControlOfOtherUsers": if let flag = value.boolValue { enableRemoteControlOfOtherUsers = flag }
        default: break
        }
    }
}

extension ConfigurationFacts {
    public mutating func setField(_ field: String, _ value: JSONValue) {
        switch field {
        case "EnableLegacyAuthorization": if let flag = value.boolValue { enableLegacyAuthorization = flag }
        case "EnableMetrics": if let flag = value.boolValue { enableMetrics = flag }
        default: break
        }
    }
}

extension NetworkFacts {
    public mutating func setField(_ field: String, _ value: JSONValue) {
        switch field {
        case "LocalNetworkSubnets": if let list = value.arrayValue { localNetworkSubnets = list.compactMap(\.stringValue) }
        case "KnownProxies": if let list = value.arrayValue { knownProxies = list.compactMap(\.stringValue) }
        case "AutoDiscovery": if let flag = value.boolValue { autoDiscovery = flag }
        default: break
        }
    }
}
