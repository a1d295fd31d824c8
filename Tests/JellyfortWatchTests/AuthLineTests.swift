import Foundation
import JellyfinEmulator
import JellyfortBase
import JellyfortDeploy
import JellyfortTestSupport
import Testing

@testable import JellyfortWatch

@Suite("Jellyfin's sign-in lines, read without a regular expression")
struct AuthLineTests {
    func address(_ line: String) -> String? {
        if case .deny(let deny) = JellyfinAuthLine.read(line) { return deny.address.description }
        return nil
    }

    @Test("every deny message, in both sinks, gives the address the control's samples expect")
    func samples() {
        for sample in JellyfinDenyLines.samples {
            #expect(address(sample.line) == sample.address, "\(sample.line)")
        }
        #expect(JellyfinAuthLine.read(JellyfinDenyLines.successLine) == .other)
    }

    @Test("lines written by the emulator's Serilog templates read back, each kind with its name")
    func emulatorLines() {
        let templates: [(String, JellyfinAuthLine.DenyKind)] = [
            ("Authentication request without username has been denied (IP: {IP}).", .noUserName),
            ("Authentication request for {UserName} has been denied (IP: {IP}).", .denied),
            ("Authentication request for {UserName} has been denied because this account is currently disabled (IP: {IP}).", .disabled),
            (
                "Authentication request for {UserName} forbidden: remote access disabled and user not in local network (IP: {IP}).",
                .remoteAccess
            ),
            ("Authentication request for {UserName} is not allowed at this time due parental restrictions (IP: {IP}).", .parental),
        ]
        let date = Date(timeIntervalSince1970: 1_795_000_000.25)
        for (template, kind) in templates {
            for ip in ["203.0.113.5", "2001:db8::5", "::ffff:198.51.100.7"] {
                let event = JellyfinLogEvent(
                    date: date, level: .information, category: JellyfinLogEvent.userManager, template: template,
                    properties: ["UserName": .string("bob \"the\" builder"), "IP": .string(ip)], threadId: 50)
                for (line, full) in [(event.fileLine(timeZone: TimeZone(secondsFromGMT: -6 * 3600)!), true), (event.consoleLine(), false)] {
                    guard case .deny(let deny) = JellyfinAuthLine.read(line) else {
                        Issue.record("not read: \(line)")
                        continue
                    }
                    #expect(deny.kind == kind)
                    #expect(deny.address == IPAddress(ip))
                    if kind != .noUserName {
                        #expect(deny.userName == "bob \"the\" builder", "the quoted and the plain sink give the same name")
                    }
                    if full {
                        // The file sink's time, with its zone, is the instant the event happened (to the millisecond).
                        #expect(deny.time == JellyfinAuthLine.Time.instant(1_795_000_000.25))
                    } else {
                        #expect(deny.time == JellyfinAuthLine.Time.timeOfDay)
                    }
                }
            }
        }
    }

    @Test("the address is the last (IP: …): a name cannot frame someone, and forged prefixes are refused")
    func forgery() {
        let prefix = "[2026-11-29 06:40:02.000 +00:00] [INF] [50] Jellyfin.Server.Implementations.Users.UserManager: "
        #expect(
            address(prefix + #"Authentication request for x has been denied (IP: 1.2.3.4). y has been denied (IP: 203.0.113.66)."#)
                == "203.0.113.66")
        #expect(
            address(prefix + #"Authentication request for "a (IP: \"1.2.3.4\")." has been denied (IP: "203.0.113.67")."#) == "203.0.113.67")
        // Another logger, another level layout, text before the time: not Jellyfin's line.
        #expect(
            address(
                "[2026-11-29 06:40:02.000 +00:00] [INF] [50] Jellyfin.Api.Controllers.UserController: Authentication request for x has been denied (IP: 1.2.3.4)."
            ) == nil)
        #expect(
            address(
                "[2026-11-29 06:40:02.000 +00:00] [INFO] [50] Jellyfin.Server.Implementations.Users.UserManager: Authentication request for x has been denied (IP: 1.2.3.4)."
            ) == nil)
        #expect(
            address(
                "hello [06:40:02] [INF] [50] Jellyfin.Server.Implementations.Users.UserManager: Authentication request for x has been denied (IP: 1.2.3.4)."
            ) == nil)
        // Not an address, or the line goes on after Jellyfin's ending.
        #expect(address(prefix + "Authentication request for x has been denied (IP: jellyfin.example.org).") == nil)
        #expect(address(prefix + "Authentication request for x has been denied (IP: 1.2.3.4). and more") == nil)
        // journald's prefix before the console line is accepted.
        #expect(
            address(
                "Nov 30 10:00:00 host jellyfin[812]: [10:00:00] [INF] [12] Jellyfin.Server.Implementations.Users.UserManager: Authentication request for bob has been denied (IP: 203.0.113.8)."
            ) == "203.0.113.8")
        // Carriage returns (a log copied from Windows) are ignored.
        #expect(address(prefix + "Authentication request for bob has been denied (IP: 203.0.113.9).\r") == "203.0.113.9")
    }

    @Test("the lockout warning names the account")
    func lockout() {
        let line =
            #"[2026-11-29 06:40:02.000 +00:00] [WRN] [50] Jellyfin.Server.Implementations.Users.UserManager: Disabling user "bob" due to 3 unsuccessful login attempts."#
        guard case .lockout(let name, _) = JellyfinAuthLine.read(line) else {
            Issue.record("not read")
            return
        }
        #expect(name == "bob")
    }

    @Test("dates convert as Foundation's calendar does, across years, leap days and zones")
    func dates() {
        var random = SplitMix(seed: 7)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS xxx"
        for _ in 0..<500 {
            let seconds = Double(random.below(4_000_000_000)) + Double(random.below(1000)) / 1000
            let zone = TimeZone(secondsFromGMT: (random.below(27) - 12) * 3600 + (random.below(2) * 1800))!
            formatter.timeZone = zone
            let text = formatter.string(from: Date(timeIntervalSince1970: seconds))
            let line =
                "[\(text)] [INF] [1] Jellyfin.Server.Implementations.Users.UserManager: Authentication request for a has been denied (IP: 203.0.113.1)."
            guard case .deny(let deny) = JellyfinAuthLine.read(line), case .instant(let instant) = deny.time else {
                Issue.record("not read: \(text)")
                continue
            }
            #expect(abs(instant - seconds) < 0.0015, "\(text)")
        }
    }

    @Test("hostile lines never crash the reader: random bytes, mutations of real lines, huge names")
    func fuzz() {
        var random = SplitMix(seed: 11)
        let seeds = JellyfinDenyLines.samples.map(\.line)
        for round in 0..<3000 {
            var bytes = Array(seeds[random.below(seeds.count)].utf8)
            switch round % 4 {
            case 0: for _ in 0..<(1 + random.below(8)) { bytes[random.below(bytes.count)] = UInt8(random.below(256)) }
            case 1: bytes = (0..<random.below(400)).map { _ in UInt8(random.below(256)) }
            case 2:
                bytes.insert(contentsOf: [UInt8](repeating: UInt8(ascii: "("), count: random.below(5000)), at: random.below(bytes.count))
            default: bytes = Array(bytes.prefix(random.below(bytes.count + 1)))
            }
            _ = bytes.withUnsafeMutableBufferPointer { JellyfinAuthLine.read(UnsafeBufferPointer($0)) }
        }
    }

    /// The bundle's fail2ban filter and this reader must agree line by line: a file of real lines,
    /// near misses and forgeries, read by both.
    @Test("agrees with fail2ban-regex and the bundle's filter on every line of a mixed log")
    func agreesWithFail2ban() async throws {
        let folder = temporaryDirectory("auth-agree")
        defer { try? FileManager.default.removeItem(at: folder) }
        var lines = JellyfinDenyLines.samples.map(\.line).filter { $0.hasPrefix("[2026") }
        let prefix = "[2026-11-29 06:40:02.000 +00:00] [INF] [50] Jellyfin.Server.Implementations.Users.UserManager: "
        lines += [
            JellyfinDenyLines.successLine,
            prefix + #"Authentication request for x has been denied (IP: 1.2.3.4). y has been denied (IP: 203.0.113.66)."#,
            "[2026-11-29 06:40:02.000 +00:00] [INF] [50] Jellyfin.Api.Controllers.UserController: Authentication request for x has been denied (IP: 1.2.3.4).",
            prefix + "Authentication request for \"ann\" has been denied (IP: \"::ffff:198.51.100.7\").",
            prefix + "WebSocket connection from 203.0.113.3 closed",
        ]
        let log = folder.appendingPathComponent("log_20261129.log")
        try lines.joined(separator: "\n").appending("\n").write(to: log, atomically: true, encoding: .utf8)
        let filter = folder.appendingPathComponent("jellyfin.conf")
        try BanFilterRenderer.filter().write(to: filter, atomically: true, encoding: .utf8)
        let result = try await runTool("fail2ban-regex", package: "fail2ban", [log.path, filter.path])
        #expect(result.status == 0, "\(result.output)")
        let ours = lines.compactMap(address)
        let summary = result.output.split(separator: "\n").first { $0.hasPrefix("Lines:") } ?? ""
        #expect(summary.contains("\(lines.count) lines"), "\(summary)")
        #expect(summary.contains(" \(ours.count) matched"), "fail2ban: \(summary); Jellyfort read \(ours.count)")
    }
}
