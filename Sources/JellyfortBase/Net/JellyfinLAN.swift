/// Jellyfin's own rule for "is this address on the LAN" (`NetworkManager.IsInLocalNetwork`,
/// facts §4.1): loopback always; otherwise `LocalNetworkSubnets` minus its `!` exclusions, or the
/// private ranges when that list is empty. The emulator applies it and `harden` predicts it.
public enum JellyfinLAN {
    public static func contains(_ address: IPAddress, localNetworkSubnets entries: [String], ipv6Enabled: Bool = false) -> Bool {
        if address.isLoopback { return true }
        let exclusions = entries.filter { $0.hasPrefix("!") }.compactMap { IPNetwork(String($0.dropFirst())) }
        if exclusions.contains(where: { $0.contains(address) }) { return false }
        var subnets = entries.filter { !$0.hasPrefix("!") }.compactMap(IPNetwork.init)
        if subnets.isEmpty {
            subnets = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].compactMap(IPNetwork.init)
            if ipv6Enabled { subnets += ["fe80::/10", "fc00::/7"].compactMap(IPNetwork.init) }
        }
        return subnets.contains { $0.contains(address) }
    }
}
