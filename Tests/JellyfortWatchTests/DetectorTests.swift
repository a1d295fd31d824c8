import Foundation
import JellyfortBase
import Testing

@testable import JellyfortWatch

@Suite("Deciding bans and alerts")
struct DetectorTests {
    func deny(_ ip: String, _ user: String? = "bob") -> JellyfinAuthLine.Deny {
        JellyfinAuthLine.Deny(kind: .denied, userName: user, address: IPAddress(ip)!, time: .timeOfDay)
    }

    func run(_ detector: inout Detector, _ events: [(String, String?, Double)], now: Double) -> [WatchDecision] {
        events.flatMap { detector.observe(deny($0.0, $0.1), at: $0.2, now: now) }
    }

    @Test("five failures within ten minutes ban for an hour; four, or five spread wider, do not")
    func threshold() {
        var detector = Detector(settings: WatchSettings(), backend: "test")
        let four = run(&detector, (0..<4).map { ("203.0.113.9", "bob", 1000 + Double($0)) }, now: 1010)
        #expect(four.isEmpty)
        let fifth = run(&detector, [("203.0.113.9", "bob", 1010)], now: 1010)
        #expect(fifth.map(\.action) == [.ban])
        #expect(fifth.first?.until == Double(4610))
        #expect(fifth.first?.failures == 5)
        // Spread over more than the window: never five at once.
        var spread = Detector(settings: WatchSettings(), backend: "test")
        #expect(run(&spread, (0..<10).map { ("203.0.113.10", "bob", Double($0) * 200) }, now: 2000).isEmpty)
    }

    @Test("a repeat offender's ban doubles, up to a week")
    func doubling() throws {
        var settings = WatchSettings()
        settings.banTime = 3600
        #expect(settings.banDuration(count: 1) == 3600)
        #expect(settings.banDuration(count: 2) == 7200)
        #expect(settings.banDuration(count: 3) == 14_400)
        #expect(settings.banDuration(count: 30) == 7 * 86_400)
        var detector = Detector(settings: settings, backend: "test")
        var now = 10_000.0
        var untils: [Double] = []
        for _ in 0..<3 {
            let decisions = run(&detector, (0..<5).map { _ in ("203.0.113.9", "bob", now) }, now: now)
            untils += decisions.compactMap(\.until)
            now = (untils.last ?? now) + 1
            #expect(detector.expire(now: now).map(\.action) == [.unban])
        }
        try #require(untils.count == 3)
        #expect(untils[0] - 10_000 == 3600)
        #expect(untils[1] - (untils[0] + 1) == 7200)
        #expect(untils[2] - (untils[1] + 1) == 14_400)
    }

    @Test("never bans loopback, the LAN, the proxy, the allow-list or the CDN, and says why once per window")
    func exemptions() throws {
        var settings = WatchSettings()
        let cdn = try CDNRanges.bundled("cloudflare")
        settings.exemptions = Exemptions(
            lan: [IPNetwork("192.168.1.0/24")!], proxies: [IPNetwork("10.0.0.2")!], allowed: [IPNetwork("198.51.100.0/24")!], cdn: cdn)
        let cloudflare = try #require(cdn.networks.first { $0.address.isIPv4 }).address.description
        for (ip, reason) in [
            ("127.0.0.1", "loopback"), ("192.168.1.20", "--lan-cidr"), ("10.0.0.2", "--proxy"), ("198.51.100.4", "--allow"),
            (cloudflare, "cloudflare"),
        ] {
            var detector = Detector(settings: settings, backend: "test")
            let decisions = run(&detector, (0..<12).map { ("\(ip)", "bob", 100 + Double($0)) }, now: 120)
            #expect(decisions.count == 1, "\(ip): \(decisions)")
            #expect(decisions.first?.action == .alert)
            #expect(decisions.first?.reason.contains(reason) == true, "\(decisions)")
            #expect(detector.activeBans(now: 120).isEmpty)
        }
    }

    @Test("spraying and a distributed attack on one name are reported, not only banned")
    func alerts() {
        var detector = Detector(settings: WatchSettings(), backend: "test")
        let spray = run(&detector, [("203.0.113.9", "ann", 1), ("203.0.113.9", "bob", 2), ("203.0.113.9", "cy", 3)], now: 5)
        #expect(spray.map(\.action) == [.alert])
        #expect(spray.first?.reason.contains("spraying") == true)
        let many = run(&detector, (1...5).map { ("198.51.100.\($0)", "admin", 10 + Double($0)) }, now: 20)
        #expect(many.map(\.action) == [.alert])
        #expect(many.first?.ip == nil)
        #expect(many.first?.users == ["admin"])
        // Once per window.
        #expect(run(&detector, [("198.51.100.9", "admin", 30)], now: 30).isEmpty)
    }

    @Test("a replayed old log bans nobody today, and expired bans are lifted even when they ended while stopped")
    func staleAndExpiry() {
        var detector = Detector(settings: WatchSettings(), backend: "test")
        let old = run(&detector, (0..<5).map { ("203.0.113.9", "bob", 1000 + Double($0)) }, now: 1_000_000)
        #expect(old.isEmpty)
        let fresh = run(&detector, (0..<5).map { ("203.0.113.8", "bob", 999_000 + Double($0)) }, now: 999_010)
        #expect(fresh.map(\.action) == [.ban])
        let restored = Detector(settings: WatchSettings(), backend: "test", restoring: detector.addresses)
        var later = restored
        #expect(later.expire(now: 999_004 + 3601).map(\.ip) == ["203.0.113.8"])
        #expect(later.activeBans(now: 999_004 + 3601).isEmpty)
    }

    @Test("durations are read as fail2ban writes them")
    func durations() {
        #expect(WatchDuration.seconds("600") == 600)
        #expect(WatchDuration.seconds("10m") == 600)
        #expect(WatchDuration.seconds("1h") == 3600)
        #expect(WatchDuration.seconds("2d") == 172_800)
        #expect(WatchDuration.seconds("1w") == 604_800)
        for bad in ["", "0", "-5", "1y", "ten", "1.5h", String(repeating: "9", count: 40)] {
            #expect(WatchDuration.seconds(bad) == nil, "\(bad)")
        }
    }
}
