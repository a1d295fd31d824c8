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

    /// `jellyfort watch` as a system service: it reads the log where the container writes it and
    /// bans through the bundle's nftables sets. Root, for nftables, but with only the capabilities
    /// it needs and a read-only view of everything but its state.
    static func watchUnit(_ spec: DeploymentSpec) -> String {
        """
        # jellyfort watch: bans addresses that keep failing to sign in to Jellyfin. Written by jellyfort deploy.
        # Install as root: cp jellyfort-watch.service /etc/systemd/system/ && systemctl enable --now jellyfort-watch
        [Unit]
        Description=Jellyfort watch: ban Jellyfin password guessers
        After=network-online.target nftables.service
        Wants=network-online.target

        [Service]
        ExecStart=\(watchCommand(spec).joined(separator: " "))
        Restart=on-failure
        RestartSec=5
        StateDirectory=jellyfort
        StateDirectoryMode=0700
        NoNewPrivileges=yes
        ProtectSystem=strict
        ProtectHome=read-only
        PrivateTmp=yes
        CapabilityBoundingSet=CAP_NET_ADMIN CAP_DAC_READ_SEARCH
        RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK

        [Install]
        WantedBy=multi-user.target

        """
    }

    /// The command the unit runs; each argument is free of spaces (the deploy flags were checked).
    public static func watchCommand(_ spec: DeploymentSpec) -> [String] {
        var command = [
            "/usr/local/bin/jellyfort", "watch", "--log-dir", "\(spec.configPath)/log", "--ban", "nftables", "--state",
            "/var/lib/jellyfort/watch.sqlite", "--proxy", "127.0.0.1",
        ]
        for network in spec.lan { command += ["--lan-cidr", network.description] }
        for network in spec.allow { command += ["--allow", network.description] }
        if let cdn = spec.cdn { command += ["--cdn", cdn.name] }
        return command
    }
}
