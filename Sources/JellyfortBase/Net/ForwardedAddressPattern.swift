/// Behind a CDN every connection comes from the CDN, so a viewer allow-list can only be matched
/// on the address the CDN forwards (`CF-Connecting-IP`). Caddy 2.6, the version Debian ships,
/// has no `client_ip` matcher, so the list becomes one anchored regular expression over that
/// header's text for `header_regexp`. One function writes it for `deploy` and reads it back for
/// the audit, so the two cannot drift apart.
public enum ForwardedAddressPattern {
    /// The header Cloudflare sets to the viewer's address (overwritten, never appended to).
    public static let header = "CF-Connecting-IP"

    /// The pattern that matches exactly the IPv4 addresses of `networks` written in dotted
    /// decimal, or nil when a network is IPv6 (its text has too many spellings to match safely).
    public static func regex(for networks: [IPNetwork]) -> String? {
        var alternatives: [String] = []
        for network in networks {
            guard network.address.isIPv4 else { return nil }
            alternatives.append(alternative(network))
        }
        guard !alternatives.isEmpty else { return nil }
        return "^(?:" + alternatives.joined(separator: "|") + ")$"
    }

    static let anyOctet = #"\d{1,3}"#

    /// One network: its fixed octets literally, the partly fixed one as a list of its values.
    static func alternative(_ network: IPNetwork) -> String {
        let bytes = network.address.bytes
        let whole = network.prefixLength / 8
        let partial = network.prefixLength % 8
        var octets: [String] = []
        for index in 0..<4 {
            if index < whole {
                octets.append(String(bytes[index]))
            } else if index == whole, partial > 0 {
                let size = 1 << (8 - partial)
                let first = Int(bytes[index]) & ~(size - 1) & 0xFF
                octets.append("(?:" + (first..<(first + size)).map(String.init).joined(separator: "|") + ")")
            } else {
                octets.append(anyOctet)
            }
        }
        return octets.joined(separator: #"\."#)
    }
}
