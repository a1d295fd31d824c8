import Foundation
import JellyfortBase
import JellyfortHost

/// Bans as entries of two firewalld ipsets (`jellyfort-banned4`, `jellyfort-banned6`), bound to a
/// drop rich rule in the zone. firewalld cannot give one entry its own timeout, and its nftables
/// backend ignores a set's timeout (checked with firewalld 1.3), so watch lifts each ban itself
/// when it ends, also at start for bans that ended while it was stopped. The sets carry a week's
/// timeout all the same, which the iptables backend honours.
public struct FirewalldBackend: BanBackend {
    public let name = "firewalld"
    let firewallCmd: String
    let zone: String?
    public static let set4 = "jellyfort-banned4"
    public static let set6 = "jellyfort-banned6"

    public init(firewallCmd: String? = nil, zone: String? = nil) {
        self.firewallCmd =
            firewallCmd ?? ExternalCommand.find(["/usr/bin/firewall-cmd", "/usr/sbin/firewall-cmd"]) ?? "/usr/bin/firewall-cmd"
        self.zone = zone
    }

    /// The permanent configuration watch needs, as arguments for `firewall-cmd` (or
    /// `firewall-offline-cmd`): two ipsets and one drop rule each.
    public static func setupCommands(zone: String) -> [[String]] {
        [
            [
                "--permanent", "--new-ipset=\(set4)", "--type=hash:ip", "--option=family=inet",
                "--option=timeout=\(Int(WatchSettings.longestBan))",
            ],
            [
                "--permanent", "--new-ipset=\(set6)", "--type=hash:ip", "--option=family=inet6",
                "--option=timeout=\(Int(WatchSettings.longestBan))",
            ],
            ["--permanent", "--zone=\(zone)", "--add-rich-rule=\(richRule(set4))"],
            ["--permanent", "--zone=\(zone)", "--add-rich-rule=\(richRule(set6))"],
        ]
    }

    public static func richRule(_ set: String) -> String { "rule source ipset=\"\(set)\" drop" }

    func run(_ arguments: [String]) throws(BanError) -> ExternalCommand.Result {
        try runBackendTool(firewallCmd, arguments, what: "firewalld")
    }

    func activeZone() throws(BanError) -> String {
        if let zone { return zone }
        let result = try run(["--get-default-zone"])
        let zone = String(decoding: result.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.status == 0, !zone.isEmpty else { throw BanError("firewalld: cannot read the default zone: \(result.errorLine)") }
        return zone
    }

    public func prepare() async throws(BanError) {
        let state = try run(["--state"])
        guard state.status == 0 else {
            throw BanError("firewalld is not running (firewall-cmd --state: \(state.errorLine)); start it, or use --ban nftables")
        }
        let zone = try activeZone()
        let present4 = try run(["--info-ipset=\(Self.set4)"]).status == 0
        let present6 = try run(["--info-ipset=\(Self.set6)"]).status == 0
        let present = present4 && present6
        let rules = String(decoding: try run(["--zone=\(zone)", "--list-rich-rules"]).output, as: UTF8.self)
        let bound = rules.contains(Self.richRule(Self.set4)) && rules.contains(Self.richRule(Self.set6))
        guard !present || !bound else { return }
        for arguments in Self.setupCommands(zone: zone) {
            let result = try run(arguments)
            // ALREADY_ENABLED / NAME_CONFLICT: set up by an earlier run.
            guard result.status == 0 || result.errors.contains("ALREADY") || result.errors.contains("NAME_CONFLICT") else {
                throw BanError("firewalld: firewall-cmd \(arguments.joined(separator: " ")) failed: \(result.errorLine)")
            }
        }
        let reload = try run(["--reload"])
        guard reload.status == 0 else { throw BanError("firewalld: firewall-cmd --reload failed: \(reload.errorLine)") }
    }

    public func ban(_ address: IPAddress, until: Double, reason: String, now: Double) async throws(BanError) {
        let result = try run(["--ipset=\(address.isIPv4 ? Self.set4 : Self.set6)", "--add-entry=\(address)"])
        guard result.status == 0 || result.errors.contains("ALREADY_ENABLED") else {
            throw BanError("firewalld: cannot ban \(address): \(result.errorLine)")
        }
    }

    public func unban(_ address: IPAddress) async throws(BanError) {
        let result = try run(["--ipset=\(address.isIPv4 ? Self.set4 : Self.set6)", "--remove-entry=\(address)"])
        guard result.status == 0 || result.errors.contains("NOT_ENABLED") else {
            throw BanError("firewalld: cannot lift the ban on \(address): \(result.errorLine)")
        }
    }

    public func selfTest() async -> SelfTestResult {
        var lines: [String] = []
        var effective = true
        do {
            guard try run(["--state"]).status == 0 else {
                return SelfTestResult(effective: false, lines: ["firewalld is not running: nothing would be banned"])
            }
            let zone = try activeZone()
            let rules = String(decoding: try run(["--zone=\(zone)", "--list-rich-rules"]).output, as: UTF8.self)
            for set in [Self.set4, Self.set6] {
                let exists = try run(["--info-ipset=\(set)"]).status == 0
                lines.append("ipset \(set): \(exists ? "present" : "MISSING")")
                let bound = rules.contains(Self.richRule(set))
                lines.append(
                    bound
                        ? "zone \(zone) drops everything from \(set)"
                        : "NOT EFFECTIVE: zone \(zone) has no rule dropping \(set) (run jellyfort watch --ban firewalld once as root)")
                effective = effective && exists && bound
            }
            lines.append(
                "note: the rule acts on traffic that lands in zone \(zone); an interface or source bound to another zone is not covered")
        } catch {
            return SelfTestResult(effective: false, lines: [error.description])
        }
        return SelfTestResult(effective: effective, lines: lines)
    }
}
