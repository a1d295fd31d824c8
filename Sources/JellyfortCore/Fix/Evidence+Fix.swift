import JellyfortBase

extension Evidence {
    /// The evidence as it would be read after `change` is written: what lets the catalogue test
    /// check that a plan really makes its control pass, and lets `harden` plan one control after
    /// another on the state the earlier ones leave.
    public mutating func apply(_ change: FixChange) {
        guard case .observed(var view) = api else { return }
        switch change.target {
        case .userPolicy(let id, _):
            if let index = view.users.firstIndex(where: { $0.id == id }) { view.users[index].setPolicyField(change.field, change.to) }
        case .userName(let id, _):
            if let index = view.users.firstIndex(where: { $0.id == id }), let name = change.to.stringValue { view.users[index].name = name }
        case .userPassword(let id, _):
            if let index = view.users.firstIndex(where: { $0.id == id }) { view.users[index].hasPassword = true }
        case .newMediaUser(let name):
            var user = UserFacts(name: name, isHidden: true, enableRemoteAccess: true, loginAttemptsBeforeLockout: -1, maxActiveSessions: 0)
            for (field, value) in change.to.objectValue?.pairs.map({ ($0, $1) }) ?? [] { user.setPolicyField(field, value) }
            view.users.append(user)
        case .serverConfiguration:
            if case .observed(var configuration) = view.configuration {
                configuration.setField(change.field, change.to)
                view.configuration = .observed(configuration)
            }
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
            if case .observed(var devices) = view.devices, let index = devices.firstIndex(where: { $0.id == id }) {
                devices[index].hasToken = false
                view.devices = .observed(devices)
            }
        }
        api = .observed(view)
        // What anyone sees follows from what was written.
        guard case .observed(var anonymous) = anonymous else { return }
        switch (change.target, change.field) {
        case (.userPolicy(_, let name), "IsHidden") where change.to == true:
            anonymous.publicUsers?.removeAll { $0.name == name }
        case (.userName(_, let name), "Name"):
            if let index = anonymous.publicUsers?.firstIndex(where: { $0.name == name }), let newName = change.to.stringValue { anonymous.publicUsers?[index].name = newName }
        case (.serverConfiguration, "EnableMetrics") where change.to == false:
            if anonymous.metricsStatus == 200 { anonymous.metricsStatus = 404 }
        default: break
        }
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
        case "EnableContentDeletionFromFolders": if let list = value.arrayValue { enableContentDeletionFromFolders = list.compactMap(\.stringValue) }
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
