import JellyfortBase
import JellyfortCore

/// Deployment evidence for host controls' examples: what `jellyfort deploy` writes, read back.
extension Sample {
    static let quadlet = FileLocation(path: "jellyfin.container", line: 8)

    static func container(_ change: (inout ContainerFacts) -> Void = { _ in }) -> ContainerFacts {
        var container = ContainerFacts(
            source: .quadlet, location: quadlet, image: "docker.io/jellyfin/jellyfin:latest", userNamespace: "keep-id",
            dropsAllCapabilities: true, noNewPrivileges: true, network: "pasta",
            publishes: [.init(hostIP: "127.0.0.1", hostPort: "8096", containerPort: "8096", line: 17)],
            mounts: [
                .init(source: "/srv/jellyfin/config", target: "/config", options: ["Z"], line: 18),
                .init(source: "/srv/jellyfin/cache", target: "/cache", options: ["Z"], line: 19),
                .init(source: "/srv/media", target: "/media", options: ["ro", "Z"], line: 20),
            ],
            autoUpdateLabel: "registry")
        change(&container)
        return container
    }

    static func site(_ change: (inout ProxySiteFacts) -> Void = { _ in }) -> ProxySiteFacts {
        var site = ProxySiteFacts(
            location: FileLocation(path: "Caddyfile", line: 9), addresses: ["reels-7f3k.example.org"], upstreams: ["127.0.0.1:8096"],
            responseHeadersSet: [
                "Strict-Transport-Security", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options", "Content-Security-Policy",
            ],
            responseHeadersRemoved: ["Server", "X-Powered-By"], blocksMetrics: true, logsAccess: true,
            redactedQueryParameters: ["api_key", "ApiKey"])
        change(&site)
        return site
    }

    static let catchAll = ProxySiteFacts(location: FileLocation(path: "Caddyfile", line: 50), addresses: ["https://"], aborts: true)

    static func filter(_ regex: String = JellyfinDenyLines.failRegex) -> BanFacts {
        BanFacts(
            kind: .fail2banFilter, location: FileLocation(path: "fail2ban/filter.d/jellyfin.conf", line: 3), failRegexes: [regex],
            filterName: "jellyfin")
    }

    static let jail = BanFacts(
        kind: .fail2banJail, location: FileLocation(path: "fail2ban/jail.d/jellyfin.local", line: 6),
        logPaths: ["/srv/jellyfin/config/log/log_*.log"], filterName: "jellyfin", enabled: true)

    static func host(_ change: (inout HostView) -> Void = { _ in }) -> HostView {
        var view = HostView(
            files: ["jellyfin.container", "Caddyfile"], containers: [container()], proxies: [site(), catchAll],
            firewalls: [
                FirewallFacts(
                    kind: .nftables, location: FileLocation(path: "nftables/jellyfort.nft", line: 20), sourcesFor443: nil,
                    closesJellyfinPorts: true)
            ],
            banConfigurations: [filter(), jail],
            autoUpdateTimer: TimerFacts(enabled: true, location: FileLocation(path: "systemd/user", line: nil)))
        change(&view)
        return view
    }

    /// Evidence with deployment files only.
    static func deployment(_ change: (inout HostView) -> Void = { _ in }, settings: (inout AuditSettings) -> Void = { _ in }) -> Evidence {
        var declared = AuditSettings(now: now)
        settings(&declared)
        return Evidence(settings: declared, host: .observed(host(change)))
    }
}

extension Finding {
    static func at(_ location: FileLocation, subject: String? = nil, _ message: String, _ evidence: JSONObject = [:]) -> Finding {
        Finding(subject: subject ?? "file:\(location.path)", message: message, evidence: evidence, location: location)
    }
}

extension ContainerFacts {
    /// The location of one of its lines, or of the definition.
    func at(_ line: Int?) -> FileLocation { FileLocation(path: location.path, line: line ?? location.line) }
}
