import Foundation
import JellyfortBase
import JellyfortDeploy
import JellyfortHost

/// Bans as elements with a timeout in the `banned4`/`banned6` sets of the bundle's
/// `inet jellyfort` table: the kernel lifts them by itself, even if watch is not running.
public struct NFTablesBackend: BanBackend {
    public let name = "nftables"
    let nft: String

    public init(nft: String? = nil) {
        self.nft = nft ?? ExternalCommand.find(["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"]) ?? "/usr/sbin/nft"
    }

    public func prepare() async throws(BanError) {
        let listing = try runBackendTool(nft, ["-j", "list", "table", "inet", NFTablesBanTable.table], what: "nftables")
        if listing.status != 0 {
            guard listing.errors.contains("No such file") else {
                throw BanError("nftables: cannot read the table inet \(NFTablesBanTable.table): \(listing.errorLine) (run as root)")
            }
            // No table yet: create it with the bundle's ban sets and drop rules.
            let created = try runBackendTool(nft, ["-f", "-"], input: NFTablesBanTable.banOnly, what: "nftables")
            guard created.status == 0 else {
                throw BanError("nftables: cannot create the table inet \(NFTablesBanTable.table): \(created.errorLine) (run as root)")
            }
            return
        }
        let json = (try? JSONParser.parse(listing.output)) ?? .null
        for set in [NFTablesBanTable.set4, NFTablesBanTable.set6] {
            guard let found = Self.sets(in: json).first(where: { $0["name"]?.stringValue == set }) else {
                throw BanError(
                    "nftables: the table inet \(NFTablesBanTable.table) has no set \(set); load the bundle's nftables/jellyfort.nft again")
            }
            let flags = found["flags"]?.arrayValue?.compactMap(\.stringValue) ?? []
            guard flags.contains("timeout") else {
                throw BanError(
                    "nftables: the set \(set) has no timeout flag, so bans would never end; load the bundle's nftables/jellyfort.nft again")
            }
        }
    }

    public func ban(_ address: IPAddress, until: Double, reason: String, now: Double) async throws(BanError) {
        let seconds = max(1, Int((until - now).rounded(.up)))
        let element = "{ \(address) }"
        // Add, delete, add again in one batch: a ban applied again after a restart gets its new timeout.
        let script = """
            add element inet \(NFTablesBanTable.table) \(setName(address)) \(element)
            delete element inet \(NFTablesBanTable.table) \(setName(address)) \(element)
            add element inet \(NFTablesBanTable.table) \(setName(address)) { \(address) timeout \(seconds)s }

            """
        let result = try runBackendTool(nft, ["-f", "-"], input: script, what: "nftables")
        guard result.status == 0 else { throw BanError("nftables: cannot ban \(address): \(result.errorLine)") }
    }

    public func unban(_ address: IPAddress) async throws(BanError) {
        let element = "{ \(address) }"
        let script = """
            add element inet \(NFTablesBanTable.table) \(setName(address)) \(element)
            delete element inet \(NFTablesBanTable.table) \(setName(address)) \(element)

            """
        let result = try runBackendTool(nft, ["-f", "-"], input: script, what: "nftables")
        guard result.status == 0 else { throw BanError("nftables: cannot lift the ban on \(address): \(result.errorLine)") }
    }

    /// Whether some chain on the input hook drops (or rejects) the ban sets on 443, with no rule
    /// before it in that chain that accepts the same traffic first.
    public func selfTest() async -> SelfTestResult {
        guard let listing = try? runBackendTool(nft, ["-j", "list", "ruleset"], what: "nftables"), listing.status == 0,
            let json = try? JSONParser.parse(listing.output)
        else { return SelfTestResult(effective: false, lines: ["nftables: cannot list the ruleset (run as root)"]) }
        return Self.check(ruleset: json)
    }

    func setName(_ address: IPAddress) -> String { address.isIPv4 ? NFTablesBanTable.set4 : NFTablesBanTable.set6 }

    static func sets(in json: JSONValue) -> [JSONObject] {
        (json["nftables"]?.arrayValue ?? []).compactMap { $0["set"]?.objectValue }
    }

    static func check(ruleset json: JSONValue) -> SelfTestResult {
        var lines: [String] = []
        let items = json["nftables"]?.arrayValue ?? []
        let sets = sets(in: json).filter { $0["table"]?.stringValue == NFTablesBanTable.table && $0["family"]?.stringValue == "inet" }
        var effective = true
        for name in [NFTablesBanTable.set4, NFTablesBanTable.set6] {
            if let set = sets.first(where: { $0["name"]?.stringValue == name }) {
                let count = set["elem"]?.arrayValue?.count ?? 0
                lines.append("set inet \(NFTablesBanTable.table) \(name): present, \(count) address\(count == 1 ? "" : "es") banned now")
            } else {
                lines.append("set inet \(NFTablesBanTable.table) \(name): MISSING (load nftables/jellyfort.nft)")
                effective = false
            }
        }
        let inputChains = Set(
            items.compactMap { $0["chain"]?.objectValue }.filter { $0["hook"]?.stringValue == "input" }.compactMap { chain -> String? in
                guard let table = chain["table"]?.stringValue, let name = chain["name"]?.stringValue else { return nil }
                return "\(chain["family"]?.stringValue ?? "")/\(table)/\(name)"
            })
        for name in [NFTablesBanTable.set4, NFTablesBanTable.set6] {
            var dropped = false
            var acceptedBefore = false
            for rule in items.compactMap({ $0["rule"]?.objectValue }) {
                let chain = "\(rule["family"]?.stringValue ?? "")/\(rule["table"]?.stringValue ?? "")/\(rule["chain"]?.stringValue ?? "")"
                guard inputChains.contains(chain), rule["table"]?.stringValue == NFTablesBanTable.table else { continue }
                let expressions = rule["expr"]?.arrayValue ?? []
                let usesSet = expressions.contains { $0["match"]?["right"]?.stringValue == "@" + name }
                let verdictDrops = expressions.contains { $0["drop"] != nil || $0["reject"] != nil }
                let accepts = expressions.contains { $0["accept"] != nil }
                let reaches443 = Self.reachesPort(443, expressions)
                let fromLoopbackOnly = expressions.contains { $0["match"]?["right"]?.stringValue == "lo" }
                if accepts, reaches443, !fromLoopbackOnly, !dropped { acceptedBefore = true }
                if usesSet, verdictDrops, reaches443, !acceptedBefore { dropped = true }
            }
            if dropped {
                lines.append("a rule on the input hook drops @\(name) on 443: a banned address cannot reach Caddy")
            } else {
                lines.append(
                    acceptedBefore
                        ? "NOT EFFECTIVE: a rule accepts 443 before the ban rule for @\(name); move the ban rule first"
                        : "NOT EFFECTIVE: no rule on the input hook drops @\(name) on 443; load nftables/jellyfort.nft")
                effective = false
            }
        }
        return SelfTestResult(effective: effective, lines: lines)
    }

    /// Whether a rule's port matches (if any) include `port`: no port match at all means every port.
    static func reachesPort(_ port: Int, _ expressions: [JSONValue]) -> Bool {
        let portMatches = expressions.compactMap { expression -> JSONValue? in
            guard let match = expression["match"], match["left"]?["payload"]?["field"]?.stringValue == "dport" else { return nil }
            return match["right"]
        }
        guard !portMatches.isEmpty else { return true }
        return portMatches.allSatisfy { right in
            if right.intValue == port { return true }
            let members = right["set"]?.arrayValue ?? []
            return members.contains { member in
                if member.intValue == port { return true }
                if let range = member["range"]?.arrayValue, range.count == 2, let low = range[0].intValue, let high = range[1].intValue {
                    return low <= port && port <= high
                }
                return false
            }
        }
    }
}
