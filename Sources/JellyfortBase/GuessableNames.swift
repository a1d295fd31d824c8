import Foundation

/// Administrator names an attacker tries first (controls.md); `harden --admin-name` renames these.
public enum GuessableNames {
    public static let firstTried: Set<String> = ["admin", "administrator", "root", "jellyfin", "owner", "sysadmin", "user"]

    /// A first-tried name, or the server's own name.
    public static func isGuessable(_ name: String, serverName: String?) -> Bool {
        let lowered = name.lowercased()
        return firstTried.contains(lowered) || (serverName.map { !$0.isEmpty && $0.lowercased() == lowered } ?? false)
    }

    /// The first labels scanners try on every domain (controls.md, proxy.obscure-domain).
    public static let subdomainLabels: Set<String> = ["jellyfin", "media", "watch", "tv", "stream", "movies", "plex", "emby"]

    /// Why a site name is easy to find, or nil.
    public static func siteReason(_ host: String) -> String? {
        let labels = host.lowercased().split(separator: ".")
        if labels.count == 2 { return "\(host) is the apex of the domain, the first name anyone tries" }
        if let first = labels.first, subdomainLabels.contains(String(first)) {
            return "'\(first).' is among the first subdomains scanners try"
        }
        return nil
    }
}

/// Host folders far too broad to hand to a container (controls.md, container.private-labels).
public enum BroadHostPaths {
    public static let all: Set<String> = ["/", "/home", "/etc", "/root", "/var", "/usr", "/run", "/var/run", "/run/podman", "/run/user"]

    /// True for one of them (a trailing slash aside) or a socket.
    public static func contains(_ path: String) -> Bool {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        return all.contains(trimmed) || trimmed.hasSuffix(".sock")
    }
}
