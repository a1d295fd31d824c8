import Foundation
import JellyfortBase

/// What `jellyfort watch` decides with: the jail's numbers and who may never be banned.
public struct WatchSettings: Sendable {
    /// Failures within `findTime` that earn a ban (the bundle's fail2ban jail: 5 in 10 minutes).
    public var maxRetry = 5
    public var findTime: Double = 600
    /// The first ban; each repeat doubles it, up to `longestBan`.
    public var banTime: Double = 3600
    public static let longestBan: Double = 7 * 86_400
    /// Distinct names from one address within `findTime` that make it password spraying.
    public var sprayNames = 3
    /// Distinct addresses trying one name within `findTime` that make it a distributed attack.
    public var distributedAddresses = 5
    public var exemptions = Exemptions()

    public init() {}

    /// How long the `count`-th ban of one address lasts (1-based).
    public func banDuration(count: Int) -> Double {
        let doublings = min(max(count - 1, 0), 20)
        return min(banTime * Double(1 << doublings), max(Self.longestBan, banTime))
    }
}

/// Addresses that are never banned, each with the reason it is spared.
public struct Exemptions: Sendable {
    public var lan: [IPNetwork] = []
    public var proxies: [IPNetwork] = []
    public var allowed: [IPNetwork] = []
    public var cdn: CDNRanges?

    public init(lan: [IPNetwork] = [], proxies: [IPNetwork] = [], allowed: [IPNetwork] = [], cdn: CDNRanges? = nil) {
        self.lan = lan
        self.proxies = proxies
        self.allowed = allowed
        self.cdn = cdn
    }

    /// Why `address` must not be banned, or nil when it may be.
    public func reason(_ address: IPAddress) -> String? {
        if address.isLoopback { return "loopback (this machine)" }
        if let network = proxies.first(where: { $0.contains(address) }) {
            return "the proxy (--proxy \(network)): Jellyfin sees the proxy instead of the client, so set KnownProxies"
        }
        if let network = lan.first(where: { $0.contains(address) }) { return "the LAN (--lan-cidr \(network))" }
        if let network = allowed.first(where: { $0.contains(address) }) { return "allow-listed (--allow \(network))" }
        if let cdn, let network = cdn.networks.first(where: { $0.contains(address) }) {
            return "a \(cdn.name) address (\(network)): ban the viewer at the CDN instead"
        }
        return nil
    }
}

/// `600`, `90s`, `10m`, `1h`, `2d`, `1w`: fail2ban's and CrowdSec's ways of writing a duration.
public enum WatchDuration {
    public static func seconds(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard let last = trimmed.last, trimmed.count <= 12 else { return nil }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
        let (digits, unit) = last.isNumber ? (Substring(trimmed), 1.0) : (trimmed.dropLast(), units[last] ?? 0)
        guard unit > 0, !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), let value = Double(digits), value > 0
        else { return nil }
        return value * unit
    }
}
