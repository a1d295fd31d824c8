import JellyfortCore

extension HostView {
    /// The Caddy sites that proxy to Jellyfin.
    var jellyfinSites: [ProxySiteFacts] { proxies.filter(\.servesJellyfin) }
}

extension HostView {
    /// `file:line: what was not understood` for the first container definition Jellyfort could
    /// not read whole, or nil.
    var unclearContainer: String? {
        guard let unclear = containers.first(where: { !$0.notUnderstood.isEmpty }) else { return nil }
        let place = "\(unclear.location.path)\(unclear.location.line.map { ":\($0)" } ?? "")"
        return "\(place): \(unclear.notUnderstood.joined(separator: "; "))"
    }
}

extension Evidence {
    /// Runs `decide` with Jellyfin's container definitions, or says why it cannot.
    func withContainers(_ decide: ([ContainerFacts], HostView) -> Verdict) -> Verdict {
        withHostView { host in
            guard !host.containers.isEmpty else { return .unknown("no Jellyfin container definition among the deployment files") }
            if let unclear = host.unclearContainer { return .unknown("\(unclear); the container cannot be judged on the rest alone") }
            return decide(host.containers, host)
        }
    }

    /// Runs `decide` with the sites that serve Jellyfin, or says why it cannot.
    func withJellyfinSites(_ decide: ([ProxySiteFacts], HostView) -> Verdict) -> Verdict {
        guard case .observed(let host) = self.host else { return Evidence.needsHostOrProbe([.host, .probe]) }
        guard !host.proxies.isEmpty else { return .unknown("no Caddyfile among the deployment files") }
        if let unclear = host.proxies.first(where: { !$0.notUnderstood.isEmpty }) {
            return .unknown(
                "\(unclear.location.path):\(unclear.location.line ?? 0): \(unclear.notUnderstood.joined(separator: "; ")); the site cannot be judged on the rest alone"
            )
        }
        let sites = host.jellyfinSites
        guard !sites.isEmpty else {
            return .fail(
                "no Caddy site proxies to Jellyfin's port 8096",
                findings: host.proxies.map { .at($0.location, "site \($0.addresses.joined(separator: " ")) does not proxy to Jellyfin") })
        }
        return decide(sites, host)
    }
}
