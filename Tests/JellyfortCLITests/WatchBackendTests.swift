import Foundation
import JellyfortBase
import JellyfortTestSupport
import Testing

/// Each ban backend against the real thing: a kernel's nftables in a namespace with real packets,
/// a CrowdSec local API on loopback with a bouncer asking it, firewalld's own tools.
@Suite("jellyfort watch bans through the real backends", .serialized)
struct WatchBackendTests {
    /// A server at 203.0.113.1 and 198.51.100.1, a guesser at 203.0.113.9, a viewer at 198.51.100.7.
    static func threeHosts(_ lab: NetworkLab) async throws -> (server: String, guesser: String, viewer: String) {
        let server = try await lab.host("srv")
        let guesser = try await lab.host("bad")
        let viewer = try await lab.host("good")
        try await lab.connect(server, "203.0.113.1/24", guesser, "203.0.113.9/24")
        try await lab.connect(server, "198.51.100.1/24", viewer, "198.51.100.7/24")
        return (server, guesser, viewer)
    }

    @Test(
        "nftables: the guesser's packets are dropped, another address still gets through; self-test tells a dead rule",
        .timeLimit(.minutes(2)))
    func nftablesInNamespace() async throws {
        if let reason = NetworkLab.unavailableReason() {
            Issue.record(Comment(rawValue: reason))
            return
        }
        let lab = NetworkLab("nft")
        defer { lab.remove() }
        let (server, guesser, viewer) = try await Self.threeHosts(lab)
        let folder = try logFolder("watch-nft", String(repeating: jellyfinDenyLine("203.0.113.9"), count: 5))
        defer { try? FileManager.default.removeItem(at: folder) }
        try lab.start(
            in: server, ["caddy", "respond", "--listen", "0.0.0.0:80", "jellyfin"], log: folder.appendingPathComponent("caddy.log"))
        let before = try await lab.waitForHTTP(from: guesser, "http://203.0.113.1:80/")
        #expect(before == "200", "the guesser reaches the server before the ban")

        let state = folder.appendingPathComponent("state.sqlite").path
        let watch = try await lab.run(
            in: server,
            [
                CLI.binary.path, "watch", "--log-dir", folder.appendingPathComponent("log").path, "--once", "--ban", "nftables", "--state",
                state, "--format", "json",
            ])
        #expect(watch.status == 0, "\(watch.output)")
        #expect(watch.output.contains(#""action":"ban""#) && watch.output.contains(#""backend":"nftables""#), "\(watch.output)")
        #expect(try await lab.httpStatus(from: guesser, "http://203.0.113.1:80/") == "000", "the banned address is dropped")
        #expect(try await lab.httpStatus(from: viewer, "http://198.51.100.1:80/") == "200", "another address still gets through")
        let set = try await lab.run(in: server, ["nft", "list", "set", "inet", "jellyfort", "banned4"])
        #expect(set.output.contains("203.0.113.9 timeout"), "\(set.output)")

        let selfTest = try await lab.run(in: server, [CLI.binary.path, "watch", "--self-test", "--ban", "nftables"])
        #expect(selfTest.status == 0, "\(selfTest.output)")
        #expect(selfTest.output.contains("a ban through nftables drops traffic"), "\(selfTest.output)")

        // A reboot empties the kernel's sets: the next start applies the saved ban again.
        _ = try await lab.run(in: server, ["nft", "delete", "table", "inet", "jellyfort"])
        #expect(try await lab.httpStatus(from: guesser, "http://203.0.113.1:80/") == "200")
        let restart = try await lab.run(
            in: server, [CLI.binary.path, "watch", "--log-dir", folder.appendingPathComponent("log").path, "--once", "--state", state])
        #expect(restart.output.contains("1 ban still in force, applied again through nftables"), "\(restart.output)")
        #expect(try await lab.httpStatus(from: guesser, "http://203.0.113.1:80/") == "000", "the ban is back after the restart")

        // A ruleset whose input chain accepts 443 first: the ban set fills, but nothing is dropped.
        _ = try await lab.run(
            in: server, ["nft", "insert", "rule", "inet", "jellyfort", "input", "tcp", "dport", "{", "80,", "443", "}", "accept"])
        let dead = try await lab.run(in: server, [CLI.binary.path, "watch", "--self-test", "--ban", "nftables"])
        #expect(dead.status == 1, "\(dead.output)")
        #expect(dead.output.contains("NOT EFFECTIVE: a rule accepts 443 before the ban rule"), "\(dead.output)")
        #expect(try await lab.httpStatus(from: guesser, "http://203.0.113.1:80/") == "200", "and indeed the packet gets through")
    }

    @Test("CrowdSec: the ban is a decision of the local API that a bouncer reads, and lifting it deletes it", .timeLimit(.minutes(2)))
    func crowdsecLocalAPI() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/crowdsec") else {
            Issue.record("crowdsec is not installed: scripts/test installs Debian's crowdsec package (offline)")
            return
        }
        let folder = try logFolder("watch-crowdsec", String(repeating: jellyfinDenyLine("203.0.113.44"), count: 5))
        defer { try? FileManager.default.removeItem(at: folder) }
        let lapi = try await CrowdSecLAPI(folder: folder)
        defer { lapi.stop() }
        let state = folder.appendingPathComponent("state.sqlite").path
        let watch = try await CLI.run([
            "watch", "--log-dir", folder.appendingPathComponent("log").path, "--once", "--ban", "crowdsec", "--crowdsec-credentials",
            lapi.credentials, "--state", state, "--format", "json",
        ])
        #expect(watch.status == 0, "\(watch.stderr)")
        let bouncerKey = try await lapi.cscli(["bouncers", "add", "jellyfort-test-bouncer", "-o", "raw"]).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let asked = try await runTool(
            "curl", package: "curl", ["-s", "-H", "X-Api-Key: \(bouncerKey)", "\(lapi.url)/v1/decisions?ip=203.0.113.44"])
        let decisions = try JSONParser.parse(asked.output).arrayValue ?? []
        #expect(decisions.count == 1, "\(asked.output)")
        #expect(decisions.first?["type"]?.stringValue == "ban")
        #expect(decisions.first?["origin"]?.stringValue == "jellyfort")
        #expect(decisions.first?["scenario"]?.stringValue == "jellyfort/jellyfin-bf")
        let listed = try await lapi.cscli(["decisions", "list", "-a", "-o", "json"])
        #expect(listed.output.contains("203.0.113.44"), "\(listed.output)")
        // Another address is not banned (the answer is null, not []).
        let other = try await runTool(
            "curl", package: "curl", ["-s", "-H", "X-Api-Key: \(bouncerKey)", "\(lapi.url)/v1/decisions?ip=198.51.100.7"])
        #expect(other.output.trimmingCharacters(in: .whitespacesAndNewlines) == "null")
        // Self-test: a bouncer is registered now, so a decision is enforced somewhere.
        let selfTest = try await CLI.run([
            "watch", "--self-test", "--ban", "crowdsec", "--crowdsec-credentials", lapi.credentials, "--crowdsec-config", lapi.config,
        ])
        #expect(selfTest.status == 0, "\(selfTest.stdout)\(selfTest.stderr)")
        #expect(selfTest.stdout.contains("jellyfort-test-bouncer"), "\(selfTest.stdout)")
    }

    @Test("firewalld: a running daemon (in a namespace of its own) drops the banned address", .timeLimit(.minutes(2)))
    func firewalldDaemon() async throws {
        if let reason = NetworkLab.unavailableReason() {
            Issue.record(Comment(rawValue: reason))
            return
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/firewalld") else {
            Issue.record("firewalld is not installed: scripts/test installs Debian's firewalld package")
            return
        }
        let lab = NetworkLab("fwd")
        defer { lab.remove() }
        let (server, guesser, viewer) = try await Self.threeHosts(lab)
        let folder = try logFolder("watch-firewalld", String(repeating: jellyfinDenyLine("203.0.113.9"), count: 5))
        defer { try? FileManager.default.removeItem(at: folder) }
        let bus = try await SystemBus.start(log: folder.appendingPathComponent("dbus.log"))
        defer { bus.stop() }
        // firewalld with a private copy of its configuration, its rules only in the server's namespace.
        let config = folder.appendingPathComponent("firewalld")
        #expect(try await runTool("cp", package: "coreutils", ["-a", "/etc/firewalld", config.path]).status == 0)
        try lab.start(
            in: server,
            [
                "firewalld", "--nofork", "--nopid", "--system-config", config.path, "--log-target", "file", "--log-file",
                folder.appendingPathComponent("firewalld.log").path,
            ], log: folder.appendingPathComponent("firewalld.out"))
        var running = false
        for _ in 0..<100 where !running {
            try await Task.sleep(for: .milliseconds(100))
            running = try await runTool("firewall-cmd", package: "firewalld", ["--state"]).output.contains("running")
        }
        try #require(running, "firewalld did not start")
        // Permanent as well as now: watch reloads firewalld once to create its ipsets, which drops runtime-only rules.
        #expect(try await runTool("firewall-cmd", package: "firewalld", ["--zone=public", "--add-port=80/tcp"]).status == 0)
        #expect(try await runTool("firewall-cmd", package: "firewalld", ["--permanent", "--zone=public", "--add-port=80/tcp"]).status == 0)
        try lab.start(
            in: server, ["caddy", "respond", "--listen", "0.0.0.0:80", "jellyfin"], log: folder.appendingPathComponent("caddy.log"))
        let before = try await lab.waitForHTTP(from: guesser, "http://203.0.113.1:80/")
        #expect(before == "200")

        let before443 = try await CLI.run(["watch", "--self-test", "--ban", "firewalld"])
        #expect(before443.status == 1, "nothing set up yet: \(before443.stdout)")
        let watch = try await CLI.run([
            "watch", "--log-dir", folder.appendingPathComponent("log").path, "--once", "--ban", "firewalld", "--state",
            folder.appendingPathComponent("state.sqlite").path,
        ])
        #expect(watch.status == 0, "\(watch.stderr)")
        #expect(try await lab.httpStatus(from: guesser, "http://203.0.113.1:80/") == "000", "the banned address is dropped")
        #expect(try await lab.httpStatus(from: viewer, "http://198.51.100.1:80/") == "200", "another address still gets through")
        let selfTest = try await CLI.run(["watch", "--self-test", "--ban", "firewalld"])
        #expect(selfTest.status == 0, "\(selfTest.stdout)")
        let permanent = try String(contentsOf: config.appendingPathComponent("zones/public.xml"), encoding: .utf8)
        #expect(permanent.contains(#"<source ipset="jellyfort-banned4"/>"#), "the drop rule is permanent: \(permanent)")
    }
}

/// The system D-Bus that firewall-cmd talks to: the machine's own when one runs, else one
/// started for the test and stopped after it.
final class SystemBus: @unchecked Sendable {
    static let socket = "/run/dbus/system_bus_socket"
    let process: Process?

    init(process: Process?) { self.process = process }

    static func start(log: URL) async throws -> SystemBus {
        if FileManager.default.fileExists(atPath: socket) {
            if try await runTool(
                "dbus-send", package: "dbus",
                ["--system", "--print-reply", "--dest=org.freedesktop.DBus", "/", "org.freedesktop.DBus.ListNames"]
            ).status == 0 {
                return SystemBus(process: nil)
            }
            try? FileManager.default.removeItem(atPath: socket)
        }
        try FileManager.default.createDirectory(atPath: "/run/dbus", withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/dbus-daemon")
        process.arguments = ["--system", "--nofork", "--nopidfile"]
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = process.standardOutput
        try process.run()
        for _ in 0..<50 where !FileManager.default.fileExists(atPath: socket) { try await Task.sleep(for: .milliseconds(50)) }
        return SystemBus(process: process)
    }

    func stop() {
        guard let process, process.isRunning else { return }
        // SIGKILL: a child of the test process may have SIGTERM blocked (dbus-daemon did).
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: Self.socket)
    }
}
