import Foundation

/// What Jellyfin writes when it refuses a sign-in, as fail2ban reads it: one expression for the
/// deploy bundle's filter and for the samples the `auth.brute-force-ban` control is tested with.
public enum JellyfinDenyLines {
    /// Matches all five deny messages of `UserManager` in both sinks (quoted file lines, unquoted
    /// console/journald lines), IPv4 and IPv6, and never the success line. The greedy `.*` and
    /// the `$` take the last `(IP: …)` of the line: the real address, not one typed into a user name.
    public static let failRegex =
        #"^\s*\[[A-Z]{3}\] \[\d+\] Jellyfin\.Server\.Implementations\.Users\.UserManager: Authentication request "#
        + #"(?:without username |for .+ )(?:has been denied|forbidden:|is not allowed).*\(IP: "?<ADDR>"?\)\.$"#

    /// Jellyfin's deny lines (facts §6) in the file format (quoted) and the console format, with the address each must yield.
    public static let samples: [(line: String, address: String)] = {
        let prefix = "[INF] [50] Jellyfin.Server.Implementations.Users.UserManager: Authentication request "
        let messages: [(String, String)] = [
            ("without username has been denied (IP: %@).", ""), ("for %u has been denied (IP: %@).", ""),
            ("for %u has been denied because this account is currently disabled (IP: %@).", ""),
            ("for %u forbidden: remote access disabled and user not in local network (IP: %@).", ""),
            ("for %u is not allowed at this time due parental restrictions (IP: %@).", ""),
        ]
        var lines: [(String, String)] = []
        for (template, _) in messages {
            for address in ["203.0.113.66", "2001:db8::66"] {
                let file = template.replacingOccurrences(of: "%u", with: "\"bob\"").replacingOccurrences(of: "%@", with: "\"\(address)\"")
                let console = template.replacingOccurrences(of: "%u", with: "bob").replacingOccurrences(of: "%@", with: address)
                lines.append(("[2026-11-29 06:40:01.123 +00:00] " + prefix + file, address))
                lines.append(("[06:40:01] " + prefix + console, address))
            }
        }
        // A name that carries a forged address: the real one is the last.
        lines.append(
            (
                "[2026-11-29 06:40:02.000 +00:00] " + prefix + #"for "x (IP: \"1.2.3.4\")" has been denied (IP: "203.0.113.67")."#,
                "203.0.113.67"
            ))
        return lines
    }()

    public static let successLine =
        "[2026-11-29 06:40:03.000 +00:00] [INF] [50] Jellyfin.Server.Implementations.Users.UserManager: "
        + "Authentication request for \"bob\" has succeeded."
}
