import Foundation
import JellyfortBase

/// The hardened deployment: every file, its path in the bundle and its mode.
public struct DeploymentBundle: Sendable {
    public struct File: Sendable {
        public var path: String
        public var content: String
        public var executable: Bool
    }

    public var files: [File]
    public var warnings: [String]

    public init(_ spec: DeploymentSpec) {
        var warnings: [String] = []
        if let reason = spec.guessableReason {
            warnings.append(
                "\(reason). Every certificate's names are public in Certificate Transparency logs (crt.sh), so "
                    + "scanners find a new site within minutes: use an unguessable name, ideally under a wildcard "
                    + "certificate (DNS-01), so the name itself is never logged."
            )
        }
        files = [
            File(path: "jellyfin.container", content: ContainerRenderer.quadlet(spec), executable: false),
            File(path: "jellyfin-run.sh", content: ContainerRenderer.runScript(spec), executable: true),
            File(path: "Caddyfile", content: CaddyfileRenderer.render(spec), executable: false),
            File(path: "nftables/jellyfort.nft", content: FirewallRenderer.nftables(spec), executable: false),
            File(path: "firewalld/jellyfort.sh", content: FirewallRenderer.firewalld(spec), executable: true),
            File(path: "fail2ban/filter.d/jellyfin.conf", content: BanFilterRenderer.filter(), executable: false),
            File(path: "fail2ban/jail.d/jellyfin.local", content: BanFilterRenderer.jail(spec), executable: false),
            File(path: "crowdsec/acquis.d/jellyfin.yaml", content: BanFilterRenderer.crowdsec(spec), executable: false),
            File(path: "jellyfort-watch.service", content: BanFilterRenderer.watchUnit(spec), executable: false),
            File(path: "jellyfin-network.json", content: Self.networkSettings(spec), executable: false),
            File(path: "README.md", content: Self.readme(spec), executable: false),
        ]
        self.warnings = warnings
    }

    /// The Jellyfin network settings this deployment needs, and the command that applies them.
    static func networkSettings(_ spec: DeploymentSpec) -> String {
        var harden = "jellyfort harden --server https://\(spec.domain) --api-key-file KEY --proxy 127.0.0.1"
        for network in spec.lan { harden += " --lan-cidr \(network)" }
        let value: JSONValue = [
            "KnownProxies": ["127.0.0.1"],
            "LocalNetworkSubnets": JSONValue(spec.lan.map(\.description)),
            "AutoDiscovery": false,
            "apply": .string(harden + " --apply"),
            "note": "KnownProxies is read at start-up: restart Jellyfin after applying.",
        ]
        return JSONWriter.string(value) + "\n"
    }

    static func readme(_ spec: DeploymentSpec) -> String {
        let restricted = spec.sourcesFor443 != nil
        let user = spec.owner.name
        let viewers = spec.allow.map(\.description).joined(separator: ", ")
        var cdnSection = ""
        if let cdn = spec.cdn {
            let who =
                spec.allow.isEmpty
                ? "Every viewer the CDN lets through reaches Jellyfin."
                : "Caddy lets in only the viewers you allowed (\(viewers)), matched on the address the CDN forwards "
                    + "(`\(ForwardedAddressPattern.header)`), which only the CDN can set because only the CDN connects."
            let rule = spec.allow.isEmpty ? "To limit who may watch, add" : "As a second lock (and for IPv6 viewers), add"
            let addresses = spec.allow.isEmpty ? "your viewers' addresses" : viewers
            cdnSection = """

                ## Behind \(cdn.name)

                Only \(cdn.name)'s published ranges (\(cdn.networks.count), as of \(cdn.asOf)) may connect to this \
                machine; the firewall and Caddy both enforce it. \(who)

                At \(cdn.name), for this name:
                1. Proxy the DNS record (orange cloud), and set SSL/TLS to **Full (strict)**: Caddy has a real certificate.
                2. Turn on **Authenticated Origin Pulls**, or at least keep the published ranges current: \
                `jellyfort deploy --cdn-ranges FILE` with a fresh copy of https://www.cloudflare.com/ips-v4 and ips-v6.
                3. \(rule) a WAF custom rule: *(not ip.src in {\(addresses)})* → **Block**.
                4. Do not cache Jellyfin's API or video: a Cache Rule *Bypass cache* for the whole host.

                """
        }
        return """
            # Jellyfin deployment for \(spec.domain)

            Written by `jellyfort deploy`. Each file, then the steps in order, and as which user: **\(user)** runs \
            Jellyfin (rootless); **root** installs Caddy, the firewall and the ban rules.

            | file | what it is |
            |---|---|
            | `jellyfin.container` | Podman Quadlet unit: rootless (`UserNS=keep-id`), `Network=pasta` (real \
            client addresses), published on 127.0.0.1:\(spec.upstreamPort) only, config and cache with private \
            SELinux labels, media read-only, no capabilities, `AutoUpdate=registry`\(spec.gpu ? ", `/dev/dri` for hardware transcoding" : "") |
            | `jellyfin-run.sh` | the same as a `podman run` command, for Podman older than 4.4 |
            | `Caddyfile` | HTTPS on \(spec.domain) with HSTS and security headers, `/metrics` blocked, the setup \
            wizard's API closed to the internet, tokens redacted from the access log\(restricted ? ", only the allowed addresses let in" : ""), \
            and nothing for unknown names or the bare IP |
            | `nftables/jellyfort.nft` | nftables: Jellyfin's own ports closed\(restricted ? ", 443 only from the allowed addresses" : ""), \
            empty ban sets (`banned4`, `banned6`) for your own ban tool |
            | `firewalld/jellyfort.sh` | the same rules for firewalld (rich rules); use this *or* nftables |
            | `fail2ban/filter.d/jellyfin.conf`, `fail2ban/jail.d/jellyfin.local` | ban addresses that keep \
            failing to sign in (all five deny messages, both log formats) |
            | `crowdsec/acquis.d/jellyfin.yaml` | the same log for CrowdSec, if you use it instead of fail2ban |
            | `jellyfort-watch.service` | `jellyfort watch` as a service: bans through the nftables sets above, \
            reports password spraying and locked-out accounts; use it *instead of* fail2ban |
            | `jellyfin-network.json` | the Jellyfin network settings this needs, and the command that applies them |

            ## Steps

            Jellyfin is not reachable from the internet until step 4: its setup wizard gives the server to \
            whoever finishes it first, so you finish it first, over a private path.

            1. **As \(user)** (the owner of \(spec.mediaPath)): create the folders and install the unit:
               `mkdir -p \(spec.configPath) \(spec.cachePath) ~/.config/containers/systemd && cp \
               jellyfin.container ~/.config/containers/systemd/`
               then `systemctl --user daemon-reload && systemctl --user start jellyfin`.
               (Podman older than 4.4: run `sh jellyfin-run.sh` instead and follow the lines at its top.)
               **As root**: `loginctl enable-linger \(user)`, so that it keeps running while \(user) is logged out.
            2. **On your own computer**: `ssh -L 8096:127.0.0.1:\(spec.upstreamPort) \(user)@THIS-SERVER`, open \
            http://127.0.0.1:8096 in a browser and finish the setup wizard (pick an administrator name nobody would \
            guess, and a password from `jellyfort password generate`). Then Dashboard → API Keys → create a key and \
            save it alone in a file (`install -m 600 /dev/null key`).
            3. **As \(user)**: `systemctl --user enable --now podman-auto-update.timer`.
            4. **As root**: `cp Caddyfile /etc/caddy/Caddyfile && systemctl reload caddy`. Point the DNS name
               \(spec.domain) at this machine first; Caddy gets the certificate itself. (The Caddyfile refuses \
            `/Startup/*` from outside this machine and your LAN, so the wizard cannot be reopened from the internet.)
            5. **As root**, one firewall: `nft -f nftables/jellyfort.nft` (and include it from /etc/nftables.conf),
               or `sh firewalld/jellyfort.sh && firewall-cmd --reload`.
            6. **As root**: `cp fail2ban/filter.d/jellyfin.conf /etc/fail2ban/filter.d/ && cp \
            fail2ban/jail.d/jellyfin.local /etc/fail2ban/jail.d/ && systemctl restart fail2ban`
               (or copy `crowdsec/acquis.d/jellyfin.yaml` to /etc/crowdsec/acquis.d/ and `cscli collections install LePresidente/jellyfin`),
               or, with the nftables rules of step 5, `jellyfort watch` instead: `cp jellyfort-watch.service \
            /etc/systemd/system/ && systemctl enable --now jellyfort-watch`, then `jellyfort watch --self-test` \
            to check that a ban really drops traffic. One of the three is enough.
            7. Apply the network settings Jellyfin needs behind Caddy (from the LAN, or over the same ssh tunnel):
               `jellyfort harden --server https://\(spec.domain) --api-key-file key --proxy \
               127.0.0.1\(spec.lan.map { " --lan-cidr \($0)" }.joined()) --apply`
               and, **as \(user)**, restart Jellyfin (`systemctl --user restart jellyfin`).
            8. Check it all: `jellyfort audit --server https://\(spec.domain) --api-key-file key --deployment . \
            --deployment ~\(user)/.config/containers/systemd`
            \(cdnSection)
            """
    }

    /// Writes the bundle; existing files are kept unless `force`.
    public func write(to folder: URL, force: Bool) throws(DeployError) -> [URL] {
        let existing = files.map { folder.appendingPathComponent($0.path) }.filter { FileManager.default.fileExists(atPath: $0.path) }
        if !existing.isEmpty, !force { throw .exists(existing.map(\.path)) }
        var written: [URL] = []
        for file in files {
            let url = folder.appendingPathComponent(file.path)
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.content.utf8).write(to: url, options: .atomic)
                try FileManager.default.setAttributes([.posixPermissions: file.executable ? 0o755 : 0o644], ofItemAtPath: url.path)
            } catch {
                throw .unwritable(url.path, error.localizedDescription)
            }
            written.append(url)
        }
        return written
    }
}
