import JellyfortBase
import JellyfortCore

extension FixChange {
    /// One field of a user's policy.
    static func policy(_ control: ControlID, _ user: UserFacts, _ field: String, from: JSONValue, to: JSONValue) -> FixChange {
        FixChange(control, .userPolicy(userId: user.id, name: user.name), field, from: from, to: to)
    }
}

extension ServerView {
    /// Users that can sign in: the ones a fix is about.
    var enabledUsers: [UserFacts] { users.filter { !$0.isDisabled } }
    var enabledAdministrators: [UserFacts] { users.filter { $0.isAdministrator && !$0.isDisabled } }
    /// Enabled users who are not administrators.
    var mediaUsers: [UserFacts] { users.filter { !$0.isAdministrator && !$0.isDisabled } }

    /// Whether Jellyfort's own session comes from the LAN (or this machine), as Jellyfin decides it.
    /// An API key is never subject to remote-access rules, so it counts as on the LAN.
    var credentialIsOnLAN: Bool {
        guard credential.userId != nil else { return true }
        guard let endPoint = credential.remoteEndPoint, let address = IPAddress(endPoint: endPoint) else { return false }
        let network = self.network.value
        return JellyfinLAN.contains(
            address, localNetworkSubnets: network?.localNetworkSubnets ?? [], ipv6Enabled: network?.enableIPv6 ?? false)
    }
}

extension Evidence {
    /// Plans from the administrator's view, or nothing when there is none.
    func planWithServerView(_ plan: (ServerView) -> FixPlan) -> FixPlan {
        api.value.map(plan) ?? .nothing
    }
}
