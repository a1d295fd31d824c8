/// What Jellyfin writes when it refuses a sign-in, as fail2ban reads it: one expression for the
/// deploy bundle's filter and for the samples the `auth.brute-force-ban` control is tested with.
public enum JellyfinDenyLines {
    /// Matches all five deny messages of `UserManager` in both sinks (quoted file lines, unquoted
    /// console/journald lines), IPv4 and IPv6, and never the success line. The greedy `.*` and
    /// the `$` take the last `(IP: …)` of the line: the real address, not one typed into a user name.
    public static let failRegex =
        #"^\s*\[[A-Z]{3}\] \[\d+\] Jellyfin\.Server\.Implementations\.Users\.UserManager: Authentication request "#
        + #"(?:without username |for .+ )(?:has been denied|forbidden:|is not allowed).*\(IP: "?<ADDR>"?\)\.$"#
}
