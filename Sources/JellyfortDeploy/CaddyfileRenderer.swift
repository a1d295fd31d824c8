import JellyfortBase

/// `Caddyfile`: the site on the domain with automatic HTTPS, security headers, `/metrics`
/// blocked, the setup wizard closed to the internet, tokens redacted from the access log, the
/// allow-list (behind a CDN: on the forwarded viewer address), and a catch-all that answers
/// nothing for unknown names and bare IPs. Accepted by Caddy 2.6 (Debian 12) and later: it uses
/// `remote_ip` and `header_regexp`, not the newer `client_ip`.
public enum CaddyfileRenderer {
    /// Test knobs: a loopback port and Caddy's own CA instead of a public certificate.
    public struct Options: Sendable {
        public var httpsPort: Int?
        public var internalTLS = false
        public var bind: String?
        public var logFile = "/var/log/caddy/jellyfin-access.log"
        public var storage: String?
        /// Serve the site under this name instead of the domain (a test cannot resolve the domain).
        public var siteName: String?
        public init() {}
    }

    /// Jellyfin's web client needs inline scripts and styles, blob: media and workers, and the
    /// Chromecast sender from gstatic; everything else is limited to the site itself.
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval' blob: "
        + "https://www.gstatic.com; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https:; "
        + "media-src 'self' blob: data:; connect-src 'self' wss: https:; font-src 'self' data:; worker-src "
        + "'self' blob:; manifest-src 'self'; frame-ancestors 'self'; object-src 'none'; base-uri 'self'"

    public static func render(_ spec: DeploymentSpec, options: Options = Options()) -> String {
        let port = options.httpsPort.map { ":\($0)" } ?? ""
        var lines = ["# Caddy in front of Jellyfin, written by jellyfort deploy.", "{"]
        if options.storage == nil {
            // The distributions' caddy.service reloads through the admin API on its default
            // address (localhost:2019, this machine only); a socket under /run/caddy stops
            // Debian's Caddy from starting, since its service has no such folder.
            lines.append("\t# The admin API stays on localhost:2019, which systemctl reload caddy uses.")
        } else {
            lines.append("\tadmin off")
        }
        if options.internalTLS { lines += ["\tauto_https disable_redirects", "\tskip_install_trust"] }
        if let storage = options.storage { lines.append("\tstorage file_system \(storage)") }
        lines += ["}", "", "\(options.siteName ?? spec.domain)\(port) {"]
        if let bind = options.bind { lines.append("\tbind \(bind)") }
        if options.internalTLS { lines.append("\ttls internal") }
        if let sources = spec.sourcesFor443 {
            lines += [
                spec.cdn == nil
                    ? "\t# Only these addresses may reach Jellyfin (guide item 5)."
                    : "\t# Only the CDN may connect (guide item 15).",
                "\t@outsiders not remote_ip \(sources.map(\.description).joined(separator: " "))",
                "\tabort @outsiders",
            ]
        }
        if let pattern = spec.viewerPattern {
            lines += [
                "\t# Behind the CDN, only these viewers (\(spec.allow.map(\.description).joined(separator: " "))), matched on the",
                "\t# address the CDN forwards; only the CDN connects, so the header cannot come from anyone else (guide item 5).",
                "\t@strangers not header_regexp viewer \(ForwardedAddressPattern.header) \(pattern)",
                "\tabort @strangers",
            ]
        }
        let wizardSources = ["127.0.0.1/8", "::1"] + spec.lan.map(\.description)
        lines += [
            "\t# The setup wizard's API answers only this machine and the LAN: whoever finishes it first owns the server.",
            "\t@wizard {",
            "\t\tpath /Startup /Startup/*",
            "\t\tnot remote_ip \(wizardSources.joined(separator: " "))",
            "\t}",
            "\trespond @wizard 403",
        ]
        lines += [
            "\t# Jellyfin serves /metrics without authentication when metrics are on.",
            "\t@metrics path /metrics /metrics/*",
            "\trespond @metrics 404",
            "\theader {",
            "\t\tStrict-Transport-Security \"max-age=31536000; includeSubDomains\"",
            "\t\tX-Content-Type-Options \"nosniff\"",
            "\t\tReferrer-Policy \"no-referrer\"",
            "\t\tX-Frame-Options \"SAMEORIGIN\"",
            "\t\tContent-Security-Policy \"\(contentSecurityPolicy)\"",
            "\t\t-Server",
            "\t\t-X-Powered-By",
            "\t}",
            "\tlog {",
            "\t\toutput file \(options.logFile)",
            "\t\t# Clients still put tokens in query strings: keep them out of the log.",
            "\t\tformat filter {",
            "\t\t\twrap json",
            "\t\t\tfields {",
            "\t\t\t\trequest>uri query {",
            "\t\t\t\t\treplace api_key REDACTED",
            "\t\t\t\t\treplace ApiKey REDACTED",
            "\t\t\t\t}",
            "\t\t\t\trequest>headers>Authorization delete",
            "\t\t\t\trequest>headers>X-Emby-Token delete",
            "\t\t\t\trequest>headers>X-Emby-Authorization delete",
            "\t\t\t}",
            "\t\t}",
            "\t}",
            "\treverse_proxy 127.0.0.1:\(spec.upstreamPort) {",
        ]
        if let cdn = spec.cdn {
            lines.append("\t\t# Forwarded headers are believed only from the CDN.")
            lines.append("\t\ttrusted_proxies \(cdn.networks.map(\.description).joined(separator: " "))")
        }
        lines += [
            "\t}",
            "}",
            "",
            "# Any other name, and the bare IP address, get nothing (guide item 6).",
            "https://\(port.isEmpty ? "" : port) {",
        ]
        if let bind = options.bind { lines.append("\tbind \(bind)") }
        lines += ["\ttls internal", "\tabort", "}", ""]
        return lines.joined(separator: "\n")
    }
}
