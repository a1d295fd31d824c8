import JellyfortBase

/// `nftables/jellyfort.nft` and `firewalld/jellyfort.sh`: 443 only from the allow-list or the
/// CDN's ranges, Jellyfin's own ports closed to everything but this machine, and an empty ban set
/// that a ban tool can fill.
enum FirewallRenderer {
    static func nftables(_ spec: DeploymentSpec) -> String {
        func set(_ name: String, _ type: String, _ networks: [IPNetwork], flags: String = "interval") -> [String] {
            var lines = ["\tset \(name) {", "\t\ttype \(type)", "\t\tflags \(flags)"]
            if !networks.isEmpty { lines.append("\t\telements = { \(networks.map(\.description).joined(separator: ", ")) }") }
            lines.append("\t}")
            return lines
        }
        let sources = spec.sourcesFor443
        var lines = [
            "#!/usr/sbin/nft -f",
            "# Written by jellyfort deploy for \(spec.domain). Load with: nft -f jellyfort.nft",
            "table inet \(NFTablesBanTable.table)",
            "delete table inet \(NFTablesBanTable.table)",
            "table inet \(NFTablesBanTable.table) {",
        ]
        lines += set("allowed4", "ipv4_addr", (sources ?? []).filter(\.address.isIPv4))
        lines += set("allowed6", "ipv6_addr", (sources ?? []).filter { !$0.address.isIPv4 })
        lines += NFTablesBanTable.setLines
        lines += ["\tchain input {"] + NFTablesBanTable.chainHead + NFTablesBanTable.banRules
        lines += [
            "\t\t# Jellyfin's own ports and discovery: never from outside (guide item 4).",
            "\t\ttcp dport { 8096, 8920 } drop",
            "\t\tudp dport { 1900, 7359 } drop",
        ]
        if sources != nil {
            lines += [
                "\t\t# 443 (and 80 for certificates) only from the allowed addresses (guide items 5 and 15).",
                "\t\ttcp dport { 80, 443 } ip saddr @allowed4 accept",
                "\t\ttcp dport { 80, 443 } ip6 saddr @allowed6 accept",
                "\t\tudp dport 443 ip saddr @allowed4 accept",
                "\t\tudp dport 443 ip6 saddr @allowed6 accept",
                "\t\ttcp dport { 80, 443 } drop",
                "\t\tudp dport 443 drop",
            ]
        }
        lines += ["\t}", "}", ""]
        return lines.joined(separator: "\n")
    }

    static func firewalld(_ spec: DeploymentSpec) -> String {
        var lines = [
            "#!/bin/sh",
            "# firewalld rules for Jellyfin behind Caddy, written by jellyfort deploy for \(spec.domain).",
            "# Run as root, then: firewall-cmd --reload",
            "# To check it without touching the system: FIREWALL_CMD=\"firewall-offline-cmd "
                + "--system-config=DIR\" FIREWALL_OFFLINE=1 sh jellyfort.sh",
            "set -eu",
            "FW=\"${FIREWALL_CMD:-firewall-cmd --permanent}\"",
            "if [ \"${FIREWALL_OFFLINE:-0}\" = 1 ]; then REMOVE=--remove-service-from-zone; else REMOVE=--remove-service; fi",
            "ZONE=\"${FIREWALL_ZONE:-public}\"",
        ]
        if let sources = spec.sourcesFor443 {
            lines += [
                "# 443 only from the allowed addresses: no open https service, one rich rule per range.",
                "$FW --zone=\"$ZONE\" $REMOVE=https || true",
                "$FW --zone=\"$ZONE\" $REMOVE=http || true",
            ]
            for network in sources {
                let family = network.address.isIPv4 ? "ipv4" : "ipv6"
                for service in ["https", "http"] {
                    lines.append(
                        "$FW --zone=\"$ZONE\" --add-rich-rule='rule family=\"\(family)\" source address=\"\(network)\" "
                            + "service name=\"\(service)\" accept'"
                    )
                }
            }
        } else {
            lines += [
                "# Everyone may reach Caddy on 80 and 443.", "$FW --zone=\"$ZONE\" --add-service=https",
                "$FW --zone=\"$ZONE\" --add-service=http",
            ]
        }
        lines += [
            "# Jellyfin's own ports stay closed: they are published on 127.0.0.1 only, and nothing here opens them.",
            "$FW --zone=\"$ZONE\" --add-rich-rule='rule port port=\"8096\" protocol=\"tcp\" reject'",
            "$FW --zone=\"$ZONE\" --add-rich-rule='rule port port=\"8920\" protocol=\"tcp\" reject'",
            "",
        ]
        return lines.joined(separator: "\n")
    }
}

/// The part of the bundle's nftables table that bans use: `jellyfort watch` fills its sets and,
/// when the table is missing, creates it with exactly these lines.
public enum NFTablesBanTable {
    public static let table = "jellyfort"
    public static let set4 = "banned4"
    public static let set6 = "banned6"

    static let setLines = [
        "\tset \(set4) {", "\t\ttype ipv4_addr", "\t\tflags timeout", "\t}",
        "\tset \(set6) {", "\t\ttype ipv6_addr", "\t\tflags timeout", "\t}",
    ]
    static let chainHead = ["\t\ttype filter hook input priority filter - 1; policy accept;", "\t\tiifname \"lo\" accept"]
    static let banRules = [
        "\t\tip saddr @\(set4) tcp dport { 80, 443, 8096, 8920 } drop",
        "\t\tip6 saddr @\(set6) tcp dport { 80, 443, 8096, 8920 } drop",
        "\t\tip saddr @\(set4) udp dport 443 drop",
        "\t\tip6 saddr @\(set6) udp dport 443 drop",
    ]

    /// The table with only the ban sets and their drop rules (loaded with `nft -f -`).
    public static var banOnly: String {
        (["table inet \(table) {"] + setLines + ["\tchain input {"] + chainHead + banRules + ["\t}", "}", ""]).joined(separator: "\n")
    }
}
