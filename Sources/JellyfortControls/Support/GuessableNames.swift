/// Administrator names an attacker tries first (controls.md); `harden --admin-name` renames these.
public enum GuessableNames {
    public static let firstTried: Set<String> = ["admin", "administrator", "root", "jellyfin", "owner", "sysadmin", "user"]

    /// A first-tried name, or the server's own name.
    public static func isGuessable(_ name: String, serverName: String?) -> Bool {
        let lowered = name.lowercased()
        return firstTried.contains(lowered) || (serverName.map { !$0.isEmpty && $0.lowercased() == lowered } ?? false)
    }
}
