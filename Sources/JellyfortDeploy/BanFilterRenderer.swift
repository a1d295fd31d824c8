import JellyfortBase

/// fail2ban filter and jail, and a CrowdSec acquisition file, for Jellyfin's deny lines.
public enum BanFilterRenderer {
    /// The one expression for Jellyfin's deny lines (`JellyfinDenyLines`).
    public static let failRegex = JellyfinDenyLines.failRegex

    public static func filter() -> String {
        """
        # Jellyfin's failed sign-ins, written by jellyfort deploy.
        [Definition]
        failregex = \(failRegex)
        ignoreregex =
        # File lines start [2026-01-17 11:30:21.496 -06:00], console lines [11:30:21] or [11:30:21.496].
        datepattern = ^\\[%%Y-%%m-%%d %%H:%%M:%%S(?:\\.%%f)? %%z\\]
                      ^\\[%%H:%%M:%%S(?:\\.%%f)?\\]

        """
    }

    static func logGlob(_ spec: DeploymentSpec) -> String { "\(spec.configPath)/log/log_*.log" }

    static func jail(_ spec: DeploymentSpec) -> String {
        """
        # Ban addresses that keep failing to sign in to Jellyfin. Written by jellyfort deploy.
        [jellyfin]
        enabled   = true
        filter    = jellyfin
        backend   = polling
        # Jellyfin writes one file a day: log_YYYYMMDD.log.
        logpath   = \(logGlob(spec))
        port      = http,https
        banaction = nftables-multiport
        maxretry  = 5
        findtime  = 10m
        bantime   = 1h
        ignoreip  = \(spec.trusted.joined(separator: " "))

        """
    }

    static func crowdsec(_ spec: DeploymentSpec) -> String {
        """
        # Jellyfin's log for CrowdSec (parser: LePresidente/jellyfin). Written by jellyfort deploy.
        filenames:
          - \(logGlob(spec))
        labels:
          type: jellyfin

        """
    }
}
