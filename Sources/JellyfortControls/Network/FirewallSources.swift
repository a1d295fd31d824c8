import JellyfortBase
import JellyfortCore

/// Which sources the deployment lets reach 443, from the firewall files and Caddy's `remote_ip` guards.
struct DeclaredSources {
    /// nil: open to everyone; otherwise the union of what the firewall and the proxy allow.
    let allowed: [IPNetwork]?
    let locations: [FileLocation]

    init(_ host: HostView) {
        var lists: [[IPNetwork]] = []
        var locations: [FileLocation] = []
        for firewall in host.firewalls {
            if let sources = firewall.sourcesFor443 {
                lists.append(sources.compactMap(IPNetwork.init))
                locations.append(firewall.location)
            }
        }
        for site in host.jellyfinSites where !site.allowedSources.isEmpty {
            lists.append(site.allowedSources.compactMap(IPNetwork.init))
            locations.append(site.location)
        }
        // Several layers: the narrowest one decides who gets through.
        allowed = lists.min { $0.count < $1.count }
        self.locations = locations
    }

    /// Entries that let in addresses outside `permitted`.
    func beyond(_ permitted: [IPNetwork]) -> [IPNetwork] {
        (allowed ?? []).filter { entry in !permitted.contains { $0.contains(entry) } }
    }
}
